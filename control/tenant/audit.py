"""The tenant's audit log, one human sentence per event."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

from control.base import TenantPage
from control.forms import AuditFilterForm
from portal.models import AuditEvent, Operator, OperatorAssignment

PAGE_SIZE = 50


class AuditLogView(TenantPage):
    nav_section = "audit"
    template_name = "portal/tenant/audit.html"
    title = _("Audit log")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        events = AuditEvent.objects.for_tenant(self.tenant)
        actors = (
            events.exclude(actor_id=None)
            .order_by("actor_label")
            .values_list("actor_id", "actor_label")
            .distinct()
        )
        operators = Operator.objects.filter(
            pk__in=OperatorAssignment.objects.for_tenant(self.tenant).values("operator_id")
        ).order_by("name")
        form = AuditFilterForm(
            self.request.GET or None, actors=list(dict(actors).items()), operators=operators
        )
        qs = events.order_by("-occurred_at", "-id")
        if form.is_valid():
            data = form.cleaned_data
            if data["action"]:
                qs = qs.filter(action=data["action"])
            if data["actor"]:
                qs = qs.filter(actor_id=int(data["actor"]))
            if data["operator"]:
                qs = qs.filter(operator__slug=data["operator"])
            qs = qs.between(*form.time_range())
        elif form.is_bound:
            qs = qs.none()  # a bad filter shows its error, not everything
        page = Paginator(qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        ctx.update(form=form, page=page)
        return ctx
