"""The operator directory, an operator's page, and "Add as my operator"."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from control.base import ServiceFormPage, TenantPage, text_blocks
from control.forms import AssignForm, DirectoryFilterForm
from portal.acknowledgements import ASSIGN_TEXT
from portal.choices import AssignmentStatus, OperatorService
from portal.models import Operator, OperatorAssignment, OperatorCountry
from portal.services import assign_operator

SERVICE_LABELS = dict(OperatorService.choices)


def _statuses(tenant) -> dict[int, str]:
    """operator id → this tenant's assignment status with it."""
    return dict(OperatorAssignment.objects.for_tenant(tenant).values_list("operator_id", "status"))


class DirectoryView(TenantPage):
    nav_section = "directory"
    template_name = "portal/tenant/directory.html"
    title = _("Operator directory")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        codes = sorted(
            set(
                OperatorCountry.objects.filter(operator__is_active=True).values_list(
                    "country", flat=True
                )
            )
        )
        form = DirectoryFilterForm(self.request.GET or None, country_codes=codes)
        operators = Operator.objects.active().prefetch_related("countries").order_by("name")
        if form.is_valid():
            data = form.cleaned_data
            if data["q"]:
                operators = operators.search(data["q"])
            if data["country"]:
                operators = operators.serving(data["country"])
            if data["service"]:
                operators = operators.offering(data["service"])
        elif form.is_bound:
            operators = operators.none()  # a bad filter shows its error, not everything
        rows = list(operators)
        statuses = _statuses(self.tenant)
        ctx.update(
            form=form,
            rows=[
                (o, statuses.get(o.pk), [SERVICE_LABELS.get(s, s) for s in o.services or []])
                for o in rows
            ],
            filtered=bool(self.request.GET),
        )
        return ctx


class DirectoryOperatorMixin:
    """The active directory operator named by ``operator_slug`` (404 otherwise)."""

    nav_section = "directory"

    @cached_property
    def operator(self) -> Operator:
        operator = (
            Operator.objects.active()
            .prefetch_related("countries")
            .filter(slug=self.kwargs["operator_slug"])
            .first()
        )
        if operator is None:
            raise Http404("No such operator in the directory.")
        return operator

    @cached_property
    def assignment(self) -> OperatorAssignment | None:
        return (
            OperatorAssignment.objects.for_tenant(self.tenant)
            .filter(operator=self.operator)
            .first()
        )


class OperatorDetailView(DirectoryOperatorMixin, TenantPage):
    template_name = "portal/tenant/operator_detail.html"

    def get_breadcrumbs(self):
        return [(_("Operator directory"), self.tenant_url("directory")), (self.operator.name, None)]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            operator=self.operator,
            title=self.operator.name,
            assignment=self.assignment,
            can_add=self.assignment is None or self.assignment.status == AssignmentStatus.REMOVED,
            services=[SERVICE_LABELS.get(s, s) for s in self.operator.services or []],
        )
        return ctx


class AssignView(DirectoryOperatorMixin, ServiceFormPage):
    """Add as my operator: countries it serves, contact shared, acknowledgement (I4)."""

    template_name = "portal/tenant/assign.html"
    form_class = AssignForm

    def get(self, request, *args, **kwargs):
        if self.assignment is not None and self.assignment.status != AssignmentStatus.REMOVED:
            messages.info(
                request,
                gettext("%(operator)s is already one of your operators.")
                % {"operator": self.operator.name},
            )
            return redirect(self.tenant_url("assignment_detail", operator_slug=self.operator.slug))
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return [
            (_("Operator directory"), self.tenant_url("directory")),
            (
                self.operator.name,
                self.tenant_url("operator_detail", operator_slug=self.operator.slug),
            ),
            (_("Add as my operator"), None),
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "operator": self.operator}

    def get_initial(self):
        user = self.request.user
        return {"contact_full_name": user.full_name, "contact_email": user.email}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            operator=self.operator,
            title=gettext("Add %(operator)s") % {"operator": self.operator.name},
            ack_text=ASSIGN_TEXT,
            ack_blocks=text_blocks(ASSIGN_TEXT.text),
        )
        return ctx

    def perform(self, form) -> str:
        data = form.cleaned_data
        assignment = assign_operator(
            self.tenant,
            self.operator,
            countries=data["countries"],
            contact_full_name=data["contact_full_name"],
            contact_email=data["contact_email"],
            company_size=data["company_size"],
            contact_phone=data["contact_phone"],
            acknowledged=data["acknowledged"],
            by=self.request.user,
            ip=self.ip,
        )
        message = gettext("%(operator)s was added for %(countries)s.") % {
            "operator": self.operator.name,
            "countries": ", ".join(assignment.country_codes),
        }
        if not self.tenant.operator_connect_enabled:
            message += " " + gettext("Nothing is shared until you enable Operator Connect.")
        return message

    def get_success_url(self) -> str:
        return self.tenant_url("assignments")
