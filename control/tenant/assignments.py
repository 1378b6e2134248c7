"""My operators: countries, suspend, resume, remove, and each assignment's history.

An assignment is addressed by its operator's slug (one assignment per tenant and operator).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from control.base import ServiceFormPage, TenantPage
from control.forms import ConfirmForm, ContactForm, CountriesForm
from portal.choices import AssignmentStatus
from portal.models import AuditEvent, OperatorAssignment
from portal.permissions import client_ip
from portal.services import (
    change_assignment_contact,
    change_assignment_countries,
    remove_assignment,
    resume_assignment,
    suspend_assignment,
)
from portal.services.assignments import numbers_blocking_removal
from portal.sharing import gate

MAX_BLOCKING_SHOWN = 10


class AssignmentListView(TenantPage):
    nav_section = "assignments"
    template_name = "portal/tenant/assignments.html"
    title = _("My operators")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        assignments = (
            OperatorAssignment.objects.for_tenant(self.tenant)
            .select_related("operator")
            .prefetch_related("countries")
            .order_by("operator__name")
        )
        ctx["current"] = [a for a in assignments if a.status != AssignmentStatus.REMOVED]
        ctx["removed"] = [a for a in assignments if a.status == AssignmentStatus.REMOVED]
        return ctx


class AssignmentMixin:
    """The tenant's assignment with the operator named by ``operator_slug`` (404 otherwise)."""

    nav_section = "assignments"

    @cached_property
    def assignment(self) -> OperatorAssignment:
        assignment = (
            OperatorAssignment.objects.for_tenant(self.tenant)
            .select_related("operator", "tenant", "acknowledgement__user", "created_by")
            .prefetch_related("countries", "operator__countries")
            .filter(operator__slug=self.kwargs["operator_slug"])
            .first()
        )
        if assignment is None:
            raise Http404("This operator is not one of yours.")
        return assignment

    def get_breadcrumbs(self):
        crumbs = [(_("My operators"), self.tenant_url("assignments"))]
        detail = self.tenant_url("assignment_detail", operator_slug=self.assignment.operator.slug)
        if self.title:
            return crumbs + [(self.assignment.operator.name, detail), (self.title, None)]
        return crumbs + [(self.assignment.operator.name, None)]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["assignment"] = self.assignment
        ctx["operator"] = self.assignment.operator
        return ctx

    def get_success_url(self) -> str:
        return self.tenant_url("assignment_detail", operator_slug=self.assignment.operator.slug)


class AssignmentDetailView(AssignmentMixin, TenantPage):
    """History: active periods with their countries, who did what and when."""

    template_name = "portal/tenant/assignment_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        assignment = self.assignment
        ctx["periods"] = assignment.periods.select_related("started_by", "ended_by").order_by(
            "-started_at"
        )
        ctx["events"] = (
            AuditEvent.objects.for_tenant(self.tenant)
            .for_operator(assignment.operator)
            .order_by("-occurred_at", "-id")[:100]
        )
        ctx["title"] = assignment.operator.name
        ctx["gate"] = gate(self.tenant, assignment.operator)
        return ctx


class _RemovedGuard:
    """Actions on a removed assignment make no sense: send the user to its history."""

    def get(self, request, *args, **kwargs):
        if self.assignment.status == AssignmentStatus.REMOVED:
            messages.info(request, f"{self.assignment.operator.name} was removed.")
            return redirect(self.get_success_url())
        return super().get(request, *args, **kwargs)


class CountriesView(AssignmentMixin, _RemovedGuard, ServiceFormPage):
    template_name = "portal/tenant/assignment_countries.html"
    form_class = CountriesForm
    title = _("Change countries")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "operator": self.assignment.operator}

    def get_initial(self):
        return {"countries": self.assignment.country_codes}

    def perform(self, form) -> str:
        assignment = change_assignment_countries(
            self.assignment, countries=form.cleaned_data["countries"], by=self.request.user,
            ip=self.ip,
        )  # fmt: skip
        return f"{assignment.operator.name} now covers {', '.join(assignment.country_codes)}."


class ContactView(AssignmentMixin, _RemovedGuard, ServiceFormPage):
    template_name = "portal/tenant/assignment_contact.html"
    form_class = ContactForm
    title = _("Contact details")

    def get_initial(self):
        a = self.assignment
        return {
            "contact_full_name": a.contact_full_name,
            "contact_email": a.contact_email,
            "company_size": a.company_size,
            "contact_phone": a.contact_phone,
        }

    def perform(self, form) -> str:
        change_assignment_contact(self.assignment, **form.cleaned_data, by=self.request.user,
                                  ip=self.ip)  # fmt: skip
        return f"The contact shared with {self.assignment.operator.name} was updated."


class SuspendView(AssignmentMixin, _RemovedGuard, ServiceFormPage):
    template_name = "portal/tenant/assignment_suspend.html"
    form_class = ConfirmForm
    title = _("Suspend")

    def perform(self, form) -> str:
        suspend_assignment(self.assignment, by=self.request.user, ip=self.ip)
        return (
            f"{self.assignment.operator.name} is suspended. Nothing is shared with it until "
            "you resume it."
        )


class RemoveView(AssignmentMixin, _RemovedGuard, ServiceFormPage):
    """Refused by the service while numbers of the operator are still assigned to users."""

    template_name = "portal/tenant/assignment_remove.html"
    form_class = ConfirmForm
    title = _("Remove")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        blocking = numbers_blocking_removal(self.assignment)
        ctx["blocking"] = list(blocking[:MAX_BLOCKING_SHOWN])
        ctx["blocking_count"] = blocking.count() if ctx["blocking"] else 0
        return ctx

    def perform(self, form) -> str:
        remove_assignment(self.assignment, by=self.request.user, ip=self.ip)
        return (
            f"{self.assignment.operator.name} was removed. Nothing is shared with it any more; "
            "its history is kept."
        )


class ResumeView(AssignmentMixin, TenantPage):
    """POST only: resuming shares again, for the countries configured."""

    admin_required = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        assignment = resume_assignment(self.assignment, by=request.user, ip=client_ip(request))
        messages.success(
            request,
            f"{assignment.operator.name} is active again for "
            f"{', '.join(assignment.country_codes)}.",
        )
        return redirect(self.get_success_url())

    def refused_url(self) -> str:
        return self.get_success_url()
