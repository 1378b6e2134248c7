"""Scheduled incremental exports in the operator portal, for the operator's admins.

Analysts get 403, anyone outside the operator 404 (``OperatorMixin``). Schedules are addressed
by UUID; every write is a service of ``exports.schedules``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from control.base import FormPage, OperatorPage
from control.export_forms import ScheduleForm
from exports import schedules
from exports.models import ExportSchedule
from portal.models import OperatorAssignment, Tenant
from portal.permissions import client_ip


class ScheduleAdminPage(OperatorPage):
    admin_required = True
    nav_section = "operator_schedules"

    def list_url(self) -> str:
        return reverse("operator:schedules", kwargs={"operator_slug": self.operator.slug})

    def parent_crumbs(self):
        return [(_("Scheduled exports"), self.list_url())]

    def detail_url(self, schedule: ExportSchedule) -> str:
        return reverse(
            "operator:schedule",
            kwargs={"operator_slug": self.operator.slug, "schedule_id": schedule.pk},
        )

    def get_schedule(self) -> ExportSchedule:
        schedule = (
            ExportSchedule.objects.for_operator(self.operator)
            .select_related("operator", "tenant", "created_by")
            .filter(pk=self.kwargs["schedule_id"])
            .first()
        )
        if schedule is None:
            raise Http404("No such schedule.")
        return schedule

    def tenants(self) -> list[Tenant]:
        ids = OperatorAssignment.objects.for_operator(self.operator).current().values("tenant_id")
        return list(Tenant.objects.filter(pk__in=ids).order_by("name"))


class ScheduleListView(ScheduleAdminPage):
    template_name = "exports/operator/schedules.html"
    title = _("Scheduled exports")

    def parent_crumbs(self):
        return []

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["schedules"] = (
            ExportSchedule.objects.for_operator(self.operator)
            .select_related("tenant", "created_by")
            .order_by("name", "created_at")
        )
        return ctx


class ScheduleCreateView(ScheduleAdminPage, FormPage):
    template_name = "exports/operator/schedule_form.html"
    form_class = ScheduleForm
    title = _("New scheduled export")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["lag_minutes"] = max(1, schedules.safety_lag().seconds // 60)
        return ctx

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["tenants"] = [(t.slug, t.name) for t in self.tenants()]
        return kwargs

    def form_valid(self, form) -> HttpResponse:
        data = form.cleaned_data
        tenant = next((t for t in self.tenants() if t.slug == data["tenant"]), None)
        schedule = schedules.create_schedule(
            self.operator, by=self.request.user, name=data["name"],
            datasets=data["datasets"], format=data["format"], cadence=data["cadence"],
            minute=data["at"].minute, hour=data["at"].hour, weekday=data["weekday"],
            tenant=tenant, starts_at=form.starts_at, ip=client_ip(self.request),
        )  # fmt: skip
        messages.success(
            self.request,
            gettext("Schedule “%(name)s” created. Its first run is at %(when)s UTC.")
            % {"name": schedule.name, "when": f"{schedule.next_run_at:%Y-%m-%d %H:%M}"},
        )
        return redirect(self.detail_url(schedule))


class ScheduleDetailView(ScheduleAdminPage):
    template_name = "exports/operator/schedule_detail.html"

    def get_title(self) -> str:
        return self.get_schedule().name

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        schedule = self.get_schedule()
        ctx["schedule"] = schedule
        runs = list(schedules.runs_of(schedule))
        for run in runs:
            run.export_url = (
                reverse(
                    "operator:export",
                    kwargs={"operator_slug": self.operator.slug, "job_id": run.export_id},
                )
                if run.export_id
                else ""
            )
        ctx["runs"] = runs
        ctx["watermarks"] = [
            (tenant, schedules.watermark(schedule, tenant))
            for tenant in schedules.tenants_of(schedule)
        ]
        return ctx


class SchedulePauseView(ScheduleAdminPage):
    """POST ``paused=true`` pauses, ``paused=false`` resumes."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        schedule = self.get_schedule()
        paused = request.POST.get("paused") == "true"
        schedule = schedules.set_paused(
            schedule, paused=paused, by=request.user, ip=client_ip(request)
        )
        done = (
            gettext("Schedule “%(name)s” paused.")
            if paused
            else gettext("Schedule “%(name)s” resumed.")
        )
        messages.success(request, done % {"name": schedule.name})
        return redirect(self.detail_url(schedule))


class ScheduleRunNowView(ScheduleAdminPage):
    """Run the schedule now, outside its cadence: the window still starts at the watermark."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        schedule = self.get_schedule()
        runs = schedules.run_schedule(schedule.pk, manual=True, by=request.user)
        requested = sum(1 for r in runs if r.export_id)
        skipped = [f"{r.tenant.name}: {r.message}" for r in runs if not r.export_id]
        if requested:
            messages.success(
                request, gettext("%(count)s export(s) requested.") % {"count": requested}
            )
        for line in skipped:
            messages.warning(request, line)
        if not runs:
            messages.warning(request, gettext("No organization to run this schedule for."))
        return redirect(self.detail_url(schedule))


class ScheduleDeleteView(ScheduleAdminPage):
    """POST without ``confirm`` shows the confirmation page; with it, deletes the schedule."""

    http_method_names = ["post"]
    template_name = "exports/operator/schedule_delete.html"
    title = _("Delete a schedule")

    def post(self, request, *args, **kwargs) -> HttpResponse:
        schedule = self.get_schedule()
        if request.POST.get("confirm") != "yes":
            return render(request, self.template_name, self.get_context_data(schedule=schedule))
        schedules.delete_schedule(schedule, by=request.user, ip=client_ip(request))
        messages.success(
            request,
            gettext("Schedule “%(name)s” deleted. Its exports remain.") % {"name": schedule.name},
        )
        return redirect(self.list_url())
