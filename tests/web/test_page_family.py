"""One way to write a page (docs/architecture.md): every signed-in page is a ``control.base.Page``
and a service's refusal is shown by ``Page.refused`` alone."""

from __future__ import annotations

import ast
import pathlib
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import control
from control.base import Page
from exports.schedules import create_schedule
from portal.choices import OperatorRole, TenantRole
from portal.models import Membership, OperatorMembership
from tests.factories import OperatorFactory, TenantFactory, UserFactory

# Signed-in URLs that are not pages, each with why: JSON polled by a page, file downloads, the
# sign-in flow (Django's auth views and the SSO redirects), second-factor screens that run before
# a person is let in, and the passkey ceremony endpoints (JSON, the library's views).
NOT_PAGES = {
    "home": "redirects to the person's tenant or operator",
    "sign_out_everywhere": "a POST that signs out, then redirects",
    "login": "Django's sign-in view",
}
NOT_PAGE_SUFFIXES = ("_status", "_download", "record_csv", "record_json")
NOT_PAGE_NAMESPACES = ("mfa:", "otp_webauthn:")
NOT_PAGE_MODULES = ("django.contrib.auth", "control.account.sso", "control.account.passkeys")


def _patterns(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.callback


def _signed_in_views():
    for name, callback in _patterns():
        module = callback.__module__
        if not module.startswith("control"):
            continue
        if (
            name in NOT_PAGES
            or name.endswith(NOT_PAGE_SUFFIXES)
            or name.startswith(NOT_PAGE_NAMESPACES)
            or module.startswith(NOT_PAGE_MODULES)
        ):
            continue
        yield name, callback


def test_every_signed_in_page_is_a_page_of_the_family():
    views = list(_signed_in_views())
    assert len(views) > 60  # the tenant pages, the operator portal, the account's pages
    outside = sorted(
        name for name, cb in views if not issubclass(getattr(cb, "view_class", object), Page)
    )
    assert not outside, f"signed-in pages not built on control.base.Page: {outside}"


def test_no_page_catches_a_domain_error_itself():
    """``Page.refused`` is the one place; the sign-in flow's provider errors are a page of their
    own (a refused sign-in, 403/502) and forms turn a parse error into a field error."""
    allowed = {"base.py", "sso.py", "forms.py", "privacy_forms.py"}
    offenders = []
    for path in pathlib.Path(control.__file__).parent.rglob("*.py"):
        if path.name in allowed and (path.name != "sso.py" or path.parent.name == "account"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler) and "DomainError" in ast.unparse(
                node.type or node
            ):
                offenders.append(f"{path.relative_to(path.parents[1])}:{node.lineno}")
    assert not offenders, f"DomainError caught outside control.base: {offenders}"


@pytest.fixture
def tenant_with_one_admin(db):
    tenant = TenantFactory()
    admin = UserFactory()
    Membership.objects.create(tenant=tenant, user=admin, role=TenantRole.ADMIN)
    return tenant, admin


def test_a_refused_action_is_a_message_on_the_page_it_returns_to(client, tenant_with_one_admin):
    """The last admin cannot demote themself: the service refuses, the member list says so,
    named, and nothing changed."""
    tenant, admin = tenant_with_one_admin
    client.force_login(admin)
    response = client.post(
        reverse("tenant:member_role", args=[tenant.slug]),
        {"email": admin.email, "role": TenantRole.VIEWER},
    )
    assert response.status_code == 302
    assert response.url == reverse("tenant:members", args=[tenant.slug])
    texts = [m.message for m in get_messages(response.wsgi_request)]
    assert len(texts) == 1 and texts[0].startswith(f"{admin.display_name}: ")
    assert Membership.objects.get(tenant=tenant, user=admin).role == TenantRole.ADMIN


def test_a_refused_form_shows_the_error_on_its_field_and_keeps_the_input(client, db):
    """Inviting someone who already works for the operator: the service refuses (``email``),
    the form comes back with the error on that field and every input kept."""
    operator = OperatorFactory()
    admin, colleague = UserFactory(), UserFactory()
    OperatorMembership.objects.create(operator=operator, user=admin, role=OperatorRole.ADMIN)
    OperatorMembership.objects.create(operator=operator, user=colleague, role=OperatorRole.ANALYST)
    client.force_login(admin)
    response = client.post(
        reverse("operator:member_invite", args=[operator.slug]),
        {"email": colleague.email, "full_name": "Kept Name", "role": OperatorRole.ANALYST},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"email": [f"{colleague.email} is already a member."]}
    assert form.data["full_name"] == "Kept Name"
    assert response.context["nav_section"] == "operator_members"
    assert OperatorMembership.objects.filter(operator=operator).count() == 2


def test_the_browser_tab_names_the_page_its_organization_and_the_portal(client, world):
    """One rule for ``<title>`` (``Page.document_title``), not one per template: the page's
    title, its tenant or operator, the portal; an operator's home says its name once."""

    def tab(url):
        html = client.get(url).content.decode()
        return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()

    client.force_login(world.alice)
    assert tab(reverse("exports:tenant_exports", args=["contoso"])) == (
        "Exports · Contoso · Operator Connect portal"
    )
    assert tab(reverse("notices:history", args=["contoso"])).startswith("Notice history · Contoso")
    client.force_login(world.olivia)
    operator = world.operator_o.name
    assert tab(reverse("operator:schedules", args=[world.operator_o.slug])) == (
        f"Scheduled exports · {operator} · Operator Connect portal"
    )
    schedule = create_schedule(
        world.operator_o, by=world.olivia, name="Nightly", datasets=["call_records"],
        format="csv", cadence="daily", tenant=world.tenant_a,
    )  # fmt: skip
    # A page about one object names it, under its list.
    page = client.get(reverse("operator:schedule", args=[world.operator_o.slug, schedule.pk]))
    assert page.context["breadcrumbs"][1:] == [
        ("Scheduled exports", reverse("operator:schedules", args=[world.operator_o.slug])),
        ("Nightly", None),
    ]
    assert tab(reverse("operator:home", args=[world.operator_o.slug])) == (
        f"{operator} · Operator Connect portal"
    )
