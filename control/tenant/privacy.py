"""Tenant admin pages: the data-subject access report, retention, erasure (docs/privacy.md).

Tenant admins only (``TenantMixin``: another tenant's admin 404, a viewer 403). Each page
parses its form and calls one service of this app.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from control.base import TenantPage
from control.tenant.privacy_forms import ErasureForm, RetentionForm, SubjectForm
from portal.choices import AuditAction
from portal.mfa.stepup import recent_second_factor
from portal.models import AuditEvent, Operator
from portal.permissions import client_ip
from portal.retention_policy import (
    MAX_DAYS,
    MIN_DAYS,
    call_record_retention_days,
    default_retention_days,
)
from privacy import erasure, retention
from privacy.access import access_report


class PrivacyPage(TenantPage):
    nav_section = "privacy"
    admin_required = True

    def url(self, name: str) -> str:
        return reverse(f"privacy:{name}", kwargs={"tenant_slug": self.tenant.slug})


class AccessReportView(PrivacyPage):
    """Look a person up; the report lists every export that held them, with its downloads."""

    template_name = "privacy/access.html"
    title = _("Data-subject access report")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        asked = bool(self.request.GET.get("number") or self.request.GET.get("upn"))
        form = SubjectForm(self.request.GET if asked else None)
        report = None
        if asked and form.is_valid() and form.subject is not None:
            report = access_report(
                self.tenant, form.subject, by=self.request.user, ip=client_ip(self.request)
            )
        ctx.update({"form": form, "report": report, "query": self.request.GET.urlencode()})
        return ctx


class AccessReportPrintView(AccessReportView):
    """The same report as a page to print and hand to the person."""

    template_name = "privacy/access_print.html"


class RetentionView(PrivacyPage):
    template_name = "privacy/retention.html"
    title = _("Call-record retention")
    refusal_fields = {"": "days"}
    refusal_status = 400

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            {
                "form": form
                or RetentionForm(initial={"days": self.tenant.call_record_retention_days}),
                "days": call_record_retention_days(self.tenant),
                "default_days": default_retention_days(self.tenant.country),
                "min_days": MIN_DAYS,
                "max_days": MAX_DAYS,
                "cutoff": retention.retention_cutoff(self.tenant),
                "purges": AuditEvent.objects.filter(
                    tenant=self.tenant, action=AuditAction.PRIVACY_RETENTION_PURGED
                ).order_by("-occurred_at")[:10],
            }
        )
        return ctx

    def post(self, request, tenant_slug: str):
        form = self.form = RetentionForm(request.POST)
        if form.is_valid():
            retention.set_retention(
                self.tenant, form.cleaned_data["days"], by=request.user, ip=client_ip(request)
            )
            messages.success(
                request,
                gettext(
                    "Retention saved. Your privacy notice states it: publish a new version "
                    "so your users are told."
                ),
            )
            return redirect(self.url("retention"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


@method_decorator(recent_second_factor, name="post")
class ErasureView(PrivacyPage):
    """Enter the person (GET), review what goes and who already has it, type it again and
    confirm (POST), then see the result (redirect, GET)."""

    template_name = "privacy/erase.html"
    title = _("Erase a user's data")

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        data = form.data if form is not None else self.request.GET
        asked = bool(data.get("number") or data.get("upn"))
        review = ErasureForm(data, confirming=False) if asked else ErasureForm()
        plan = None
        if asked and review.is_valid():
            plan = erasure.review_erasure(
                self.tenant, review.subjects, by=self.request.user, ip=client_ip(self.request)
            )
            ctx["confirm_form"] = form or ErasureForm(
                initial={k: data.get(k, "") for k in ("number", "upn")}, confirming=True
            )
        ctx.update({"form": review, "plan": plan, "done": self._done()})
        return ctx

    def _done(self):
        ref = self.request.GET.get("done", "")
        if not ref.isdigit():
            return None
        event = AuditEvent.objects.filter(
            tenant=self.tenant, action=AuditAction.PRIVACY_ERASED, pk=int(ref)
        ).first()
        if event is None:
            return None
        slugs = event.details.get("operators", [])
        return {
            "event": event,
            "operators": Operator.objects.filter(Q(slug__in=slugs)).order_by("name"),
        }

    def post(self, request, tenant_slug: str):
        form = ErasureForm(request.POST, confirming=True)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        _, event = erasure.erase_subject(
            self.tenant, form.subjects, by=request.user, ip=client_ip(request)
        )
        messages.success(request, gettext("Erased. Reference E-%(ref)s.") % {"ref": event.pk})
        return redirect(f"{self.url('erase')}?done={event.pk}")
