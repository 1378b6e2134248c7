"""The Django admin for platform staff (issue 2, item 7)."""

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.choices import AuditAction, TenantRole
from portal.models import (
    AuditEvent,
    CallRecord,
    Membership,
    Operator,
    OperatorCountry,
    Tenant,
    User,
)
from tests.factories import CallRecordFactory, EmergencyLocationFactory, PhoneNumberFactory

# Session, user, one look-ahead page of rows, the tenant and operator filter choices and a few
# more for the admin's own chrome. Independent of the number of rows.
CHANGELIST_QUERY_CAP = 10


@pytest.fixture
def staff(world, login):
    return login(world.sam)


@pytest.fixture
def calls(world):
    now = timezone.now()
    return [
        CallRecordFactory(
            tenant=world.tenant_a,
            operator=world.operator_o,
            invite_time=now - timedelta(minutes=i),
            user_display_name='=HYPERLINK("http://evil.example","click")' if i == 0 else "",
        )
        for i in range(130)
    ]


@pytest.mark.parametrize(
    "name",
    [
        "portal_user",
        "portal_operator",
        "portal_tenant",
        "portal_membership",
        "portal_operatormembership",
        "portal_operatorassignment",
        "portal_phonenumber",
        "portal_emergencylocation",
        "portal_callrecord",
        "portal_auditevent",
        "portal_webhookendpoint",
        "exports_exportschedule",
    ],
)
def test_staff_sees_every_admin_changelist(staff, world, name):
    PhoneNumberFactory(tenant=world.tenant_a, operator=world.operator_o)
    EmergencyLocationFactory(tenant=world.tenant_a)
    response = staff.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200


def test_staff_sees_the_detail_pages(staff, world, calls):
    pages = [
        reverse("admin:portal_operator_change", args=[world.operator_o.pk]),
        reverse("admin:portal_tenant_change", args=[world.tenant_a.pk]),
        reverse("admin:portal_user_change", args=[world.alice.pk]),
        reverse("admin:portal_operatorassignment_change", args=[world.assignment.pk]),
        reverse("admin:portal_callrecord_change", args=[calls[0].pk]),
        reverse("admin:portal_user_add"),
        reverse("admin:portal_operator_add"),
    ]
    for url in pages:
        assert staff.get(url).status_code == 200, url


def test_assignment_view_shows_its_active_periods(staff, world):
    response = staff.get(
        reverse("admin:portal_operatorassignment_change", args=[world.assignment.pk])
    )
    assert response.status_code == 200
    assert b"Assignment periods" in response.content or b"assignment periods" in response.content
    assert b'name="_save"' not in response.content  # read-only


def test_call_record_changelist_never_counts_and_stays_under_a_query_cap(staff, calls):
    url = reverse("admin:portal_callrecord_changelist")
    with CaptureQueriesContext(connection) as ctx:
        response = staff.get(url)
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= CHANGELIST_QUERY_CAP, [q["sql"] for q in ctx]
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    # 130 rows, 100 a page: a next link, no total, no "show all".
    body = response.content.decode()
    assert "Page 1" in body and "?p=2" in body
    assert 'class="showall"' not in body
    assert "Show counts" not in body  # facets would count every filter choice
    with CaptureQueriesContext(connection) as ctx:
        assert staff.get(url, {"_facets": "True"}).status_code == 200
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not re.search(r"\d+ (results|call records)", body)
    assert body.count('class="action-checkbox"') + body.count("field-invite_time") >= 100


def test_call_record_changelist_second_page_and_filters(staff, world, calls):
    url = reverse("admin:portal_callrecord_changelist")
    response = staff.get(url, {"p": 2})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Page 2" in body and "?p=1" in body and "?p=3" not in body
    response = staff.get(url, {"tenant__id__exact": world.tenant_a.pk, "call_type": "user_out"})
    assert response.status_code == 200


def test_call_record_search_finds_one_call_by_its_id(staff, calls):
    url = reverse("admin:portal_callrecord_changelist")
    body = staff.get(url, {"q": calls[5].call_id}).content.decode()
    assert reverse("admin:portal_callrecord_change", args=[calls[5].pk]) in body
    assert reverse("admin:portal_callrecord_change", args=[calls[6].pk]) not in body


def test_formula_like_names_render_as_inert_text(staff, calls):
    response = staff.get(reverse("admin:portal_callrecord_change", args=[calls[0].pk]))
    assert b"=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)" in response.content


def test_call_records_are_read_only(staff, calls):
    record = calls[0]
    assert staff.get(reverse("admin:portal_callrecord_add")).status_code == 403
    change = reverse("admin:portal_callrecord_change", args=[record.pk])
    assert staff.post(change, {"call_type": "user_in"}).status_code == 403
    delete = reverse("admin:portal_callrecord_delete", args=[record.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert CallRecord.objects.get(pk=record.pk).call_type == "user_out"


def test_audit_events_cannot_be_added_changed_or_deleted(staff, world):
    event = AuditEvent.objects.filter(tenant=world.tenant_a).first()
    action = event.action
    assert staff.get(reverse("admin:portal_auditevent_add")).status_code == 403
    assert staff.post(reverse("admin:portal_auditevent_add"), {"action": "x"}).status_code == 403
    change = reverse("admin:portal_auditevent_change", args=[event.pk])
    view = staff.get(change)
    assert view.status_code == 200 and b'name="_save"' not in view.content
    assert staff.post(change, {"action": AuditAction.LOGIN_FAILED}).status_code == 403
    delete = reverse("admin:portal_auditevent_delete", args=[event.pk])
    assert staff.get(delete).status_code == 403
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    bulk = staff.post(
        reverse("admin:portal_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.get(pk=event.pk).action == action


@pytest.mark.parametrize("persona", ["alice", "oscar"])
def test_non_staff_users_are_refused(world, login, persona):
    client = login(getattr(world, persona))
    for url in [
        reverse("admin:index"),
        reverse("admin:portal_callrecord_changelist"),
        reverse("admin:portal_auditevent_changelist"),
        reverse("admin:portal_tenant_change", args=[world.tenant_a.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_is_sent_to_a_login_page(client):
    response = client.get(reverse("admin:portal_callrecord_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith((reverse("login"), reverse("admin:login")))


def test_staff_creates_a_user_who_signs_in_with_email(staff, client):
    response = staff.post(
        reverse("admin:portal_user_add"),
        {
            "email": "new.person@example.test",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    user = User.objects.get(email="new.person@example.test")
    assert user.check_password("a-long-enough-passphrase")


def test_adding_a_membership_goes_through_the_service(staff, world):
    response = staff.post(
        reverse("admin:portal_membership_add"),
        {"user": world.uma.pk, "tenant": world.tenant_b.pk, "role": TenantRole.VIEWER},
    )
    assert response.status_code == 302, response.content[:2000]
    assert Membership.objects.filter(user=world.uma, tenant=world.tenant_b).exists()
    event = AuditEvent.objects.filter(action=AuditAction.MEMBER_ADDED, tenant=world.tenant_b)
    assert event.filter(actor=world.sam).exists()


def test_the_last_admin_of_a_tenant_cannot_be_deleted_or_demoted(staff, world):
    bob = Membership.objects.get(user=world.bob, tenant=world.tenant_b)
    delete = reverse("admin:portal_membership_delete", args=[bob.pk])
    page = staff.get(delete)
    assert b"the last admin of" in page.content
    staff.post(delete, {"post": "yes"})
    assert Membership.objects.filter(pk=bob.pk).exists()
    change = reverse("admin:portal_membership_change", args=[bob.pk])
    response = staff.post(change, {"role": TenantRole.VIEWER})
    assert response.status_code == 200
    assert b"last admin" in response.content
    assert Membership.objects.get(pk=bob.pk).role == TenantRole.ADMIN


def test_a_country_in_use_cannot_be_dropped_from_an_operator(staff, world):
    operator = world.operator_o
    countries = list(OperatorCountry.objects.filter(operator=operator).order_by("country"))
    data = {
        "name": operator.name,
        "slug": operator.slug,
        "privacy_policy_url": operator.privacy_policy_url,
        "terms_url": operator.terms_url,
        "services": '["calling"]',
        "is_active": "on",
        "countries-TOTAL_FORMS": str(len(countries)),
        "countries-INITIAL_FORMS": str(len(countries)),
        "countries-MIN_NUM_FORMS": "0",
        "countries-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(countries):
        data.update({f"countries-{i}-id": c.pk, f"countries-{i}-country": c.country})
        data[f"countries-{i}-operator"] = operator.pk
        if c.country == "GB":  # tenant A uses operator O in GB
            data[f"countries-{i}-DELETE"] = "on"
    response = staff.post(reverse("admin:portal_operator_change", args=[operator.pk]), data)
    assert response.status_code == 200
    assert b"still used by Contoso" in response.content
    assert OperatorCountry.objects.filter(operator=operator, country="GB").exists()


def test_changing_the_directory_is_audited(staff, world):
    operator = world.operator_u
    countries = list(OperatorCountry.objects.filter(operator=operator))
    data = {
        "name": "Operator U renamed",
        "slug": operator.slug,
        "privacy_policy_url": operator.privacy_policy_url,
        "terms_url": operator.terms_url,
        "services": '["calling"]',
        "is_active": "on",
        "countries-TOTAL_FORMS": str(len(countries)),
        "countries-INITIAL_FORMS": str(len(countries)),
        "countries-MIN_NUM_FORMS": "0",
        "countries-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(countries):
        data.update({f"countries-{i}-id": c.pk, f"countries-{i}-country": c.country})
        data[f"countries-{i}-operator"] = operator.pk
    response = staff.post(reverse("admin:portal_operator_change", args=[operator.pk]), data)
    assert response.status_code == 302, response.content[:3000]
    assert Operator.objects.get(pk=operator.pk).name == "Operator U renamed"
    assert AuditEvent.objects.filter(
        action=AuditAction.OPERATOR_UPDATED, operator=operator, actor=world.sam
    ).exists()


def test_operator_connect_is_read_only_for_staff(staff, world):
    response = staff.get(reverse("admin:portal_tenant_change", args=[world.tenant_b.pk]))
    assert b'name="operator_connect_enabled"' not in response.content


def test_a_tenant_added_in_the_admin_masks_by_its_country(staff, world):
    add = reverse("admin:portal_tenant_add")
    assert "mask_external_digits" not in staff.get(add).content.decode()
    for slug, country in (("bern", "CH"), ("york", "GB")):
        response = staff.post(
            add,
            {
                "name": slug.title(),
                "slug": slug,
                "microsoft_tenant_id": str(uuid.uuid4()),
                "country": country,
                "enablement_periods-TOTAL_FORMS": "0",
                "enablement_periods-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, re.findall(
            r"errorlist[^<]*<li>[^<]*", response.content.decode()
        )
    assert Tenant.objects.get(slug="bern").mask_external_digits is True
    assert Tenant.objects.get(slug="york").mask_external_digits is False


def _operator_form(operator_fields: dict, countries: list[tuple[int | str, str, bool]]) -> dict:
    """The operator change form as the browser posts it: (row id or "", country, delete)."""
    data = {
        "services": '["calling"]',
        "is_active": "on",
        "countries-TOTAL_FORMS": str(len(countries)),
        "countries-INITIAL_FORMS": str(sum(1 for pk, _, _ in countries if pk)),
        "countries-MIN_NUM_FORMS": "0",
        "countries-MAX_NUM_FORMS": "1000",
        **operator_fields,
    }
    for i, (pk, country, delete) in enumerate(countries):
        data.update({f"countries-{i}-id": pk, f"countries-{i}-country": country})
        if delete:
            data[f"countries-{i}-DELETE"] = "on"
    return data


def test_an_operator_added_in_the_admin_goes_through_the_directory_service(staff, world):
    fields = {
        "name": "Alpenruf",
        "slug": "alpenruf",
        "privacy_policy_url": "https://alpenruf.example/privacy",
        "terms_url": "https://alpenruf.example/terms",
    }
    data = _operator_form(fields, [("", "CH", False), ("", "AT", False)])
    response = staff.post(reverse("admin:portal_operator_add"), data)
    assert response.status_code == 302, re.findall(
        r"errorlist[^<]*<li>[^<]*", str(response.content)
    )
    operator = Operator.objects.get(slug="alpenruf")
    assert operator.country_codes == ["AT", "CH"]
    (event,) = AuditEvent.objects.filter(action=AuditAction.OPERATOR_CREATED, operator=operator)
    assert event.details["countries"] == ["AT", "CH"]  # the service's event, with its countries


def test_an_operator_change_in_the_admin_audits_what_changed_and_nothing_else(staff, world):
    operator = world.operator_u
    fields = {
        "name": operator.name,
        "slug": operator.slug,
        "privacy_policy_url": operator.privacy_policy_url,
        "terms_url": operator.terms_url,
    }
    rows = [(c.pk, c.country, False) for c in operator.countries.all()]
    url = reverse("admin:portal_operator_change", args=[operator.pk])
    updated = AuditEvent.objects.filter(action=AuditAction.OPERATOR_UPDATED, operator=operator)
    operator.services = ["calling"]
    operator.save()

    assert staff.post(url, _operator_form(fields, rows)).status_code == 302
    assert not updated.exists()  # saved unchanged: no event

    assert staff.post(url, _operator_form(fields, [*rows, ("", "NL", False)])).status_code == 302
    (event,) = updated
    assert event.details["fields"] == ["countries"]
    assert "NL" in Operator.objects.get(pk=operator.pk).country_codes


def test_a_tenant_changed_in_the_admin_is_audited_by_the_service(staff, world):
    tenant = world.tenant_a
    data = {
        "name": tenant.name,
        "slug": tenant.slug,
        "microsoft_tenant_id": str(tenant.microsoft_tenant_id),
        "country": "GB",
        "privacy_contact_name": "New DPO",
        "privacy_contact_email": tenant.privacy_contact_email,
        "privacy_contact_address": tenant.privacy_contact_address,
        "enablement_periods-TOTAL_FORMS": "0",
        "enablement_periods-INITIAL_FORMS": "0",
    }
    url = reverse("admin:portal_tenant_change", args=[tenant.pk])
    response = staff.post(url, data)
    assert response.status_code == 302, re.findall(
        r"errorlist[^<]*<li>[^<]*", str(response.content)
    )
    (event,) = AuditEvent.objects.filter(action=AuditAction.TENANT_UPDATED, tenant=tenant)
    assert event.details["fields"] == ["privacy_contact_name"]
