"""The operator portal under ``/o/<operator_slug>/``: tenants, exports, downloads."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from control.base import OperatorPage
from control.export_forms import RelationshipForm
from control.export_pages import (
    CancelBase,
    DownloadBase,
    ExportDetailBase,
    ExportListBase,
    ExportRequestBase,
    ExportStatusBase,
    with_links,
)
from exports.models import ExportJob
from exports.operator_overview import tenant_overview
from exports.permissions import VIA_OPERATOR
from portal.models import OperatorAssignment, Tenant
from portal.permissions import OperatorMixin, client_ip
from portal.services import set_relationship_status
from portal.sharing import gate


class OperatorSide:
    side = "operator"
    nav_section = "operator_exports"

    def get_breadcrumbs(self):
        return [(_("Exports"), self.operator_url("exports")), (self.get_title(), None)]

    def scoped_jobs(self):
        return ExportJob.objects.visible_to(self.request.user).for_operator(self.operator)


def relationship_form(assignment, refused: RelationshipForm | None) -> RelationshipForm:
    """The assignment's relationship form: the refused one (with its errors) if it is this
    assignment's, else a fresh one."""
    if refused is not None and refused.assignment_id == assignment.pk:
        return refused
    return RelationshipForm(assignment=assignment)


class HomeView(OperatorPage):
    """The tenants that assigned this operator, with their status and the relationship."""

    template_name = "exports/operator/home.html"
    nav_section = "operator_home"

    def get_context_data(self, **kwargs):
        refused = kwargs.pop("relationship_refused", None)
        ctx = super().get_context_data(**kwargs)
        assignments = list(
            OperatorAssignment.objects.for_operator(self.operator)
            .current()
            .select_related("tenant", "relationship_changed_by")
            .prefetch_related("countries")
            .order_by("tenant__name")
        )
        for a in assignments:  # what reaches us now, and why not (the sharing gate)
            a.gate = gate(a.tenant, self.operator)
            a.relationship_form = relationship_form(a, refused)
        ctx["assignments"] = assignments
        return ctx


class TenantView(OperatorPage):
    """One tenant that chose us: what it shared, its status, the gate, volume, exports."""

    template_name = "exports/operator/tenant.html"
    nav_section = "operator_home"

    def get_title(self) -> str:
        return self.overview.assignment.tenant.name

    @cached_property
    def overview(self):
        return tenant_overview(self.operator, self.kwargs["tenant_slug"], self.request.user)

    def get_context_data(self, **kwargs):
        refused = kwargs.pop("relationship_refused", None)
        ctx = super().get_context_data(**kwargs)
        overview = self.overview
        ctx["o"] = overview
        ctx["a"] = overview.assignment
        ctx["jobs"] = with_links(overview.exports, "operator")
        overview.assignment.relationship_form = relationship_form(overview.assignment, refused)
        ctx["can_request"] = overview.gate.is_open
        peak = max((n for _, n in overview.monthly_calls), default=0)
        ctx["monthly_calls"] = [(m, n, round(100 * n / peak) if peak else 0)
                                for m, n in overview.monthly_calls]  # fmt: skip
        return ctx


class RelationshipView(OperatorPage):
    """Agreement signed / declined / terminated (with a reason): operator admins only."""

    admin_required = True
    http_method_names = ["post"]

    def post(self, request, operator_slug, tenant_slug):
        assignment = (
            OperatorAssignment.objects.for_operator(self.operator)
            .current()
            .select_related("tenant")
            .filter(tenant__slug=tenant_slug)
            .first()
        )
        if assignment is None:
            raise Http404("No such organization.")
        form = self.form = RelationshipForm(request.POST, assignment=assignment)
        if not form.is_valid():
            return self.form_refused(form)
        set_relationship_status(
            assignment,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            ip=client_ip(request),
        )
        messages.success(
            request,
            gettext("Relationship with %(name)s updated.") % {"name": assignment.tenant.name},
        )
        if request.POST.get("back") == "tenant":
            return redirect(
                "operator:tenant", operator_slug=self.operator.slug, tenant_slug=tenant_slug
            )
        return redirect("operator:home", operator_slug=self.operator.slug)

    def form_refused(self, form, exc=None):
        """The page the form came from again, its form showing the errors (docs/ui.md "Forms")."""
        page = TenantView if self.request.POST.get("back") == "tenant" else HomeView
        view = page()
        view.setup(
            self.request, operator_slug=self.operator.slug, tenant_slug=self.kwargs["tenant_slug"]
        )
        view.operator, view.operator_role = self.operator, self.operator_role
        context = view.get_context_data(relationship_refused=form)
        return render(self.request, page.template_name, context, status=400)


class ExportListView(ExportListBase, OperatorSide, OperatorPage):
    template_name = "exports/operator/export_list.html"

    def can_request(self) -> bool:
        return Tenant.objects.sharing_with(self.operator).exists()


class ExportRequestView(OperatorSide, OperatorPage, ExportRequestBase):
    party_label = _("Organization")

    def parties(self):
        return [(t.slug, t.name) for t in Tenant.objects.sharing_with(self.operator)]

    def request_kwargs(self, party: str) -> dict:
        tenant = Tenant.objects.sharing_with(self.operator).get(slug=party)
        return {"tenant": tenant, "operator": self.operator, "via": VIA_OPERATOR}


class ExportDetailView(OperatorSide, OperatorPage, ExportDetailBase):
    pass


class ExportStatusView(OperatorSide, OperatorMixin, ExportStatusBase):
    pass


class CancelView(OperatorSide, OperatorPage, CancelBase):
    pass


class DownloadView(OperatorMixin, DownloadBase):
    def scope(self) -> dict:
        return {"operator": self.operator}
