"""The page family every signed-in page is built on (docs/architecture.md "One way to write a page").

- ``Page``: a title (heading and last breadcrumb), breadcrumbs, the side-navigation item it
  lights (``nav_section``), and the one place a service's ``DomainError`` becomes something the
  person sees (``Page.refused``).
- ``TenantPage`` and ``OperatorPage`` resolve the tenant or operator of the URL once
  (``portal.permissions``: anonymous → sign-in, not a member → 404, a role too small → 403);
  ``AccountPage`` is a page of the signed-in person.
- ``ServiceFormPage``: a form whose valid input goes to one service call.

Views parse input, call one service and render; they do not catch ``DomainError``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import FormView, TemplateView

from portal.errors import DomainError
from portal.permissions import OperatorMixin, TenantMixin, client_ip


class Page(TemplateView):
    """A signed-in page. Subclasses set ``title`` and ``nav_section``.

    A write that a service refuses is shown by ``refused``: on the bound form of the page if it
    has one (``self.form``: the field the error names, else the whole form; the page is shown
    again with the input kept), otherwise as an error message on ``refused_url()``.
    """

    title: Any = ""
    nav_section = ""
    # Service field names that the page's form calls differently (service name → form field).
    refusal_fields: dict[str, str] = {}
    # The status of a form page shown again after a refusal.
    refusal_status = 200
    form: forms.Form | None = None
    # What a refused action was about (a member's name), said before the reason.
    refusal_subject = ""

    request: HttpRequest

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except DomainError as exc:
            return self.refused(exc)

    # --- refusals ------------------------------------------------------------------------------

    def refused(self, exc: DomainError) -> HttpResponse:
        """The one place a ``DomainError`` becomes a form error or a message."""
        form = self.form
        if form is not None and form.is_bound:
            field = self.refusal_fields.get(exc.field or "", exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
            return self.form_refused(form, exc)
        messages.error(self.request, self.refusal_message(exc))
        return redirect(self.refused_url())

    def form_refused(self, form: forms.Form, exc: DomainError) -> HttpResponse:
        """The page again, its form showing the refusal next to the input that was kept."""
        # A refusal to go on for now (rate limit) keeps its 429 and says when to retry.
        retry_after = getattr(exc, "retry_after", None)
        status = exc.status if retry_after is not None else self.refusal_status
        response = self.render_to_response(self.get_context_data(form=form), status=status)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    def refusal_message(self, exc: DomainError) -> str:
        return f"{self.refusal_subject}: {exc.message}" if self.refusal_subject else exc.message

    def refused_url(self) -> str:
        """Where an action that was refused returns to: by default the page it was posted to."""
        return self.request.get_full_path()

    @property
    def ip(self) -> str | None:
        return client_ip(self.request)

    # --- title, breadcrumbs, navigation --------------------------------------------------------

    def home_crumbs(self) -> list[tuple[str, str | None]]:
        """The breadcrumbs above every page of this family (the tenant, the operator)."""
        return []

    def get_title(self) -> str:
        """The page's name; pages about one object (a version, a job) name it here."""
        return self.title

    def parent_crumbs(self) -> list[tuple[str, str | None]]:
        """The pages between the home crumbs and this one (a list above its detail page)."""
        return []

    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        """(label, url) pairs after the home crumbs; the last one is the current page."""
        title = self.get_title()
        return [*self.parent_crumbs(), (title, None)] if title else []

    def document_title(self, crumbs: list[tuple[str, str | None]]) -> str:
        """The browser tab: the page (its last breadcrumb), its tenant or operator, the portal
        ("Exports · Contoso Ltd · Operator Connect portal"); a home page named after its
        organization says the name once."""
        parts = [label for label, _url in (crumbs[-1:] + crumbs[:1])] or [self.get_title()]
        parts.append(gettext("Operator Connect portal"))
        said: list[str] = []
        for part in map(str, filter(None, parts)):
            if part not in said:
                said.append(part)
        return " · ".join(said)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.get_title()
        ctx["breadcrumbs"] = crumbs = self.home_crumbs() + self.get_breadcrumbs()
        ctx["document_title"] = self.document_title(crumbs)
        ctx["nav_section"] = self.nav_section
        return ctx


class TenantPage(TenantMixin, Page):
    """A page of one tenant, under ``/t/<tenant_slug>/``. ``admin_required`` on writers."""

    def tenant_url(self, name: str, **kwargs) -> str:
        return reverse(f"tenant:{name}", kwargs={"tenant_slug": self.tenant.slug, **kwargs})

    def home_crumbs(self) -> list[tuple[str, str | None]]:
        return [(self.tenant.name, self.tenant_url("dashboard"))]


class OperatorPage(OperatorMixin, Page):
    """A page of the operator portal, under ``/o/<operator_slug>/``."""

    def operator_url(self, name: str, **kwargs) -> str:
        return reverse(f"operator:{name}", kwargs={"operator_slug": self.operator.slug, **kwargs})

    def home_crumbs(self) -> list[tuple[str, str | None]]:
        return [(self.operator.name, self.operator_url("home"))]


class AccountPage(Page):
    """A page of the signed-in person (``/account/…``); the sign-in middleware guards it."""


class FormPage(Page, FormView):
    """A page with a form: the bound form is the one ``refused`` shows a refusal on."""

    def get_form(self, form_class=None):
        self.form = super().get_form(form_class)
        return self.form


class ServiceFormPage(TenantPage, FormPage):
    """A tenant form whose valid input goes to one service call.

    ``perform`` calls the service and returns the success message. A ``DomainError`` lands on the
    field it names (or on the form) and the page is shown again with the input kept.
    """

    admin_required = True

    def perform(self, form: forms.Form) -> str:
        raise NotImplementedError

    def form_valid(self, form: forms.Form) -> HttpResponse:
        message = self.perform(form)
        messages.success(self.request, message)
        return redirect(self.get_success_url())


def text_blocks(text: str) -> list[tuple[str, object]]:
    """Split an acknowledgement text into paragraphs and bullet lists, keeping every word.

    The person must see exactly the text that is recorded; this only lays it out.
    """
    blocks: list[tuple[str, object]] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line.startswith("- "):
            if blocks and blocks[-1][0] == "ul":
                blocks[-1][1].append(line[2:])
            else:
                blocks.append(("ul", [line[2:]]))
        else:
            blocks.append(("p", line))
    return blocks
