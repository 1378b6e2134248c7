"""``/me``, the operator directory, and tenants (list, onboarding, settings, Operator Connect)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import (
    ApiViewMixin,
    IsStaffOrReadOnly,
    PagePagination,
    TenantScopedMixin,
)
from api.filters import OperatorFilter
from api.serializers.directory import (
    MeSerializer,
    OperatorSerializer,
    OperatorWriteSerializer,
    TenantSerializer,
    TenantWriteSerializer,
)
from api.serializers.tenancy import AcknowledgeSerializer
from portal.choices import TenantRole
from portal.mfa.stepup import require_recent_second_factor
from portal.models import ApiToken, Membership, Operator, OperatorMembership, Tenant
from portal.services.directory import (
    create_operator,
    create_tenant,
    update_operator,
    update_tenant,
)
from portal.services.operator_connect import disable_operator_connect, enable_operator_connect


class MeView(ApiViewMixin, APIView):
    """Who you are, and where you belong."""

    @extend_schema(responses=MeSerializer, operation_id="me")
    def get(self, request):
        user = request.user
        data = {
            "email": user.email,
            "full_name": user.full_name,
            "is_staff": user.is_staff,
            "time_zone": user.time_zone,
            "memberships": Membership.objects.filter(user=user)
            .select_related("tenant")
            .order_by("tenant__name"),
            "operator_memberships": OperatorMembership.objects.filter(user=user)
            .select_related("operator")
            .order_by("operator__name"),
            "authenticated_by": "token" if isinstance(request.auth, ApiToken) else "session",
        }
        return Response(MeSerializer(data).data)


def _tenant_roles(user, tenants) -> dict[int, str]:
    if user.is_staff:
        return {t.pk: TenantRole.ADMIN for t in tenants}
    return dict(
        Membership.objects.filter(user=user, tenant__in=[t.pk for t in tenants]).values_list(
            "tenant_id", "role"
        )
    )


# --- operators ---------------------------------------------------------------------------------


class OperatorQuerysetMixin:
    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Operator.objects.none()
        qs = Operator.objects.prefetch_related("countries")
        user = self.request.user
        return qs if user.is_authenticated and user.is_staff else qs.active()


class OperatorListView(ApiViewMixin, OperatorQuerysetMixin, generics.ListCreateAPIView):
    """The operator directory. Staff add operators."""

    permission_classes = [IsStaffOrReadOnly]
    pagination_class = PagePagination
    serializer_class = OperatorSerializer
    filterset_class = OperatorFilter

    @extend_schema(operation_id="operators_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="operators_create",
        request=OperatorWriteSerializer,
        responses={201: OperatorSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = OperatorWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        operator = create_operator(by=request.user, ip=self.ip(), **data.validated_data)
        return Response(
            OperatorSerializer(operator).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:operator-detail", args=[operator.slug])},
        )


class OperatorDetailView(ApiViewMixin, OperatorQuerysetMixin, generics.RetrieveAPIView):
    permission_classes = [IsStaffOrReadOnly]
    serializer_class = OperatorSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "operator_slug"

    @extend_schema(operation_id="operators_retrieve")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="operators_update",
        request=OperatorWriteSerializer,
        responses=OperatorSerializer,
    )
    def patch(self, request, *args, **kwargs):
        operator = self.get_object()
        data = OperatorWriteSerializer(operator, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        operator = update_operator(operator, by=request.user, ip=self.ip(), **data.validated_data)
        return Response(OperatorSerializer(operator).data)


# --- tenants -----------------------------------------------------------------------------------


class TenantListView(ApiViewMixin, generics.ListCreateAPIView):
    """The organizations you belong to (all of them for staff). Staff onboard new ones."""

    permission_classes = [IsStaffOrReadOnly]
    pagination_class = PagePagination
    serializer_class = TenantSerializer

    def get_queryset(self):
        if self.generating_schema:
            return Tenant.objects.none()
        return Tenant.objects.visible_to(self.request.user).order_by("name", "pk")

    @extend_schema(operation_id="tenants_list")
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        roles = _tenant_roles(request.user, page)
        data = TenantSerializer(page, many=True, context={"roles": roles}).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="tenants_create",
        request=TenantWriteSerializer,
        responses={201: TenantSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = TenantWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = create_tenant(by=request.user, ip=self.ip(), **data.validated_data)
        return Response(
            TenantSerializer(tenant, context={"roles": {tenant.pk: TenantRole.ADMIN}}).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:tenant-detail", args=[tenant.slug])},
        )


class TenantDetailView(TenantScopedMixin, APIView):
    """One organization. Admins change its privacy contact; staff can change anything."""

    def _render(self, tenant: Tenant) -> Response:
        roles = {tenant.pk: self.request.tenant_role}
        return Response(TenantSerializer(tenant, context={"roles": roles}).data)

    @extend_schema(operation_id="tenants_retrieve", responses=TenantSerializer)
    def get(self, request, tenant_slug: str):
        return self._render(self.tenant)

    @extend_schema(
        operation_id="tenants_update",
        request=TenantWriteSerializer(partial=True),
        responses=TenantSerializer,
    )
    def patch(self, request, tenant_slug: str):
        data = TenantWriteSerializer(self.tenant, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        masking = data.validated_data.get("mask_external_digits")
        if masking is not None and masking != self.tenant.mask_external_digits:
            require_recent_second_factor(request)  # docs/mfa.md: step-up
        staff_only = sorted(set(data.validated_data) - set(TenantWriteSerializer.ADMIN_FIELDS))
        if staff_only and not request.user.is_staff:
            raise PermissionDenied(
                f"Only platform staff can change {', '.join(staff_only)}.",
            )
        tenant = update_tenant(self.tenant, by=request.user, ip=self.ip(), **data.validated_data)
        return self._render(tenant)


class EnableOperatorConnectView(TenantScopedMixin, APIView):
    """Turn Operator Connect on, accepting the data transfer (recorded: who, when, which text)."""

    @extend_schema(
        operation_id="tenants_operator_connect_enable",
        request=AcknowledgeSerializer,
        responses=TenantSerializer,
    )
    def post(self, request, tenant_slug: str):
        data = AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = enable_operator_connect(
            self.tenant, by=request.user, acknowledged=data.validated_data["acknowledged"],
            ip=self.ip(),
        )  # fmt: skip
        roles = {tenant.pk: request.tenant_role}
        return Response(TenantSerializer(tenant, context={"roles": roles}).data)


class DisableOperatorConnectView(TenantScopedMixin, APIView):
    """Stop sharing with every operator at once."""

    @extend_schema(
        operation_id="tenants_operator_connect_disable", request=None, responses=TenantSerializer
    )
    def post(self, request, tenant_slug: str):
        tenant = disable_operator_connect(self.tenant, by=request.user, ip=self.ip())
        roles = {tenant.pk: request.tenant_role}
        return Response(TenantSerializer(tenant, context={"roles": roles}).data)
