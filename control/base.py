"""Building blocks shared by the tenant pages.

Every page under ``/t/<tenant_slug>/`` resolves its tenant through ``TenantMixin`` (anonymous →
login, not a member → 404, viewer on a write → 403). Writers parse a form, call ONE service and
turn its ``DomainError`` into a field or form error, never a 500.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from portal.errors import DomainError
from portal.permissions import TenantMixin, client_ip


class TenantPage(TenantMixin, TemplateView):
    """A read-only tenant page. ``title`` names it in the heading and the breadcrumbs."""

    title = ""

    def tenant_url(self, name: str, **kwargs) -> str:
        return reverse(f"tenant:{name}", kwargs={"tenant_slug": self.tenant.slug, **kwargs})

    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        """(label, url) pairs after the tenant's dashboard; the last one is the current page."""
        return [(self.title, None)] if self.title else []

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.title
        crumbs = [(self.tenant.name, self.tenant_url("dashboard"))]
        ctx["breadcrumbs"] = crumbs + self.get_breadcrumbs()
        return ctx


class ServiceFormPage(TenantPage, FormView):
    """A form whose valid input goes to one service call.

    ``perform`` calls the service and returns the success message. A ``DomainError`` lands on the
    field it names (or on the form) and the page is shown again with the input kept.
    """

    admin_required = True

    def perform(self, form: forms.Form) -> str:
        raise NotImplementedError

    @property
    def ip(self) -> str | None:
        return client_ip(self.request)

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            message = self.perform(form)
        except DomainError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
            return self.form_invalid(form)
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
