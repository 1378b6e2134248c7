"""Read-only data of a tenant, for its members: numbers, call records, locations, audit log."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from api.base import NewestFirstCursorPagination, PagePagination, TenantScopedMixin
from api.filters import (
    AuditEventFilter,
    CallRecordFilter,
    EmergencyLocationFilter,
    NumberFilter,
)
from api.serializers.records import (
    AuditEventSerializer,
    CallRecordSerializer,
    EmergencyLocationSerializer,
    PhoneNumberSerializer,
    operator_slugs,
)
from portal.models import AuditEvent, CallRecord, EmergencyLocation, PhoneNumber


class NumberListView(TenantScopedMixin, generics.ListAPIView):
    """The tenant's phone numbers, with SIP URIs, usage, assignment and emergency location."""

    serializer_class = PhoneNumberSerializer
    pagination_class = PagePagination
    filterset_class = NumberFilter

    def get_queryset(self):
        if self.generating_schema:
            return PhoneNumber.objects.none()
        return (
            PhoneNumber.objects.for_tenant(self.tenant)
            .select_related("operator", "emergency_location")
            .order_by("telephone_number")
        )

    @extend_schema(operation_id="numbers_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CallRecordPagination(NewestFirstCursorPagination):
    ordering = ("-invite_time", "-id")


class CallRecordListView(TenantScopedMixin, generics.ListAPIView):
    """The tenant's call legs, newest first, keyset-paginated (follow ``next``)."""

    serializer_class = CallRecordSerializer
    pagination_class = CallRecordPagination
    filterset_class = CallRecordFilter

    def get_queryset(self):
        if self.generating_schema:
            return CallRecord.objects.none()
        return CallRecord.objects.for_tenant(self.tenant).select_related("operator")

    @extend_schema(operation_id="call_records_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EmergencyLocationListView(TenantScopedMixin, generics.ListAPIView):
    """The tenant's emergency calling locations (civic address and place)."""

    serializer_class = EmergencyLocationSerializer
    pagination_class = PagePagination
    filterset_class = EmergencyLocationFilter

    def get_queryset(self):
        if self.generating_schema:
            return EmergencyLocation.objects.none()
        return EmergencyLocation.objects.for_tenant(self.tenant).order_by(
            "company_name", "city", "street_name", "pk"
        )

    @extend_schema(operation_id="emergency_locations_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AuditEventPagination(NewestFirstCursorPagination):
    ordering = ("-occurred_at", "-id")


class AuditEventListView(TenantScopedMixin, generics.ListAPIView):
    """Everything that happened in the tenant, newest first: changes and downloads."""

    serializer_class = AuditEventSerializer
    pagination_class = AuditEventPagination
    filterset_class = AuditEventFilter

    def get_queryset(self):
        if self.generating_schema:
            return AuditEvent.objects.none()
        return AuditEvent.objects.for_tenant(self.tenant)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {"operator_slugs": operator_slugs(e.operator_id for e in page if e.operator_id)}
        data = AuditEventSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(operation_id="audit_events_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
