"""``/api/v1/operators/{operator_slug}/schedules/…``: scheduled incremental exports.

The operator's admins only (analysts 403, anyone else 404), as in the operator portal; every
write is a service of ``exports.schedules``.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import OperatorScopedMixin, PagePagination
from api.errors import UnknownReference
from api.serializers.schedules import (
    ScheduleCreateSerializer,
    ScheduleRunSerializer,
    ScheduleSerializer,
    ScheduleUpdateSerializer,
)
from exports import schedules
from exports.models import ExportSchedule
from portal.models import OperatorAssignment, Tenant


class ScheduleScopedMixin(OperatorScopedMixin):
    admin_for_reads = True

    def get_queryset(self):
        if self.generating_schema:
            return ExportSchedule.objects.none()
        return (
            ExportSchedule.objects.for_operator(self.operator)
            .select_related("tenant", "created_by")
            .order_by("name", "created_at")
        )

    def get_schedule(self, schedule_id: uuid.UUID) -> ExportSchedule:
        schedule = self.get_queryset().filter(pk=schedule_id).first()
        if schedule is None:
            raise Http404
        return schedule

    def render(self, schedule: ExportSchedule, **kwargs) -> Response:
        runs = {schedule.pk: list(schedules.runs_of(schedule, limit=20))}
        return Response(ScheduleSerializer(schedule, context={"runs": runs}).data, **kwargs)


class ScheduleListView(ScheduleScopedMixin, generics.ListAPIView):
    """Your operator's scheduled exports (admins)."""

    serializer_class = ScheduleSerializer
    pagination_class = PagePagination
    extra_error_statuses = ("404",)  # POST naming a tenant that did not choose the operator

    @extend_schema(operation_id="operator_schedules_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="operator_schedules_create",
        request=ScheduleCreateSerializer,
        responses={201: ScheduleSerializer},
    )
    def post(self, request, operator_slug: str):
        data = ScheduleCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        slug = values.pop("tenant", None)
        tenant = None
        if slug:
            ids = (
                OperatorAssignment.objects.for_operator(self.operator).current().values("tenant_id")
            )
            tenant = Tenant.objects.filter(pk__in=ids, slug=slug).first()
            if tenant is None:  # unknown, or out of this operator's sight: the same 404
                raise UnknownReference({"tenant": "That tenant has not chosen this operator."})
        schedule = schedules.create_schedule(
            self.operator, by=request.user, tenant=tenant, ip=self.ip(), **values
        )
        return self.render(schedule, status=status.HTTP_201_CREATED)


class ScheduleDetailView(ScheduleScopedMixin, APIView):
    """One schedule with its latest runs; pause or resume it; delete it."""

    @extend_schema(operation_id="operator_schedules_retrieve", responses=ScheduleSerializer)
    def get(self, request, operator_slug: str, schedule_id: uuid.UUID):
        return self.render(self.get_schedule(schedule_id))

    @extend_schema(
        operation_id="operator_schedules_update",
        request=ScheduleUpdateSerializer,
        responses=ScheduleSerializer,
    )
    def patch(self, request, operator_slug: str, schedule_id: uuid.UUID):
        schedule = self.get_schedule(schedule_id)
        data = ScheduleUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "paused" in data.validated_data:
            schedule = schedules.set_paused(
                schedule, paused=data.validated_data["paused"], by=request.user, ip=self.ip()
            )
        return self.render(schedule)

    @extend_schema(operation_id="operator_schedules_destroy", responses={204: None})
    def delete(self, request, operator_slug: str, schedule_id: uuid.UUID):
        schedules.delete_schedule(self.get_schedule(schedule_id), by=request.user, ip=self.ip())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduleRunView(ScheduleScopedMixin, APIView):
    """Run the schedule now: one run per tenant, from the watermark (201 with the runs)."""

    @extend_schema(
        operation_id="operator_schedules_run",
        request=None,
        responses={201: ScheduleRunSerializer(many=True)},
    )
    def post(self, request, operator_slug: str, schedule_id: uuid.UUID):
        schedule = self.get_schedule(schedule_id)
        runs = schedules.run_schedule(schedule.pk, manual=True, by=request.user)
        return Response(ScheduleRunSerializer(runs, many=True).data, status=status.HTTP_201_CREATED)
