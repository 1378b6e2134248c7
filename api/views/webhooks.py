"""``/api/v1/operators/{operator_slug}/webhooks/…``: the operator's webhook endpoints.

The operator's admins only (analysts 403, anyone else 404); every write is a service of
``portal.services.webhooks``. The secret appears only in the answers that make one.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import OperatorScopedMixin, PagePagination
from api.serializers.webhooks import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
    WebhookSecretSerializer,
)
from portal.mfa.stepup import require_recent_second_factor
from portal.models import WebhookEndpoint
from portal.services import webhooks


class WebhookScopedMixin(OperatorScopedMixin):
    admin_for_reads = True

    def get_queryset(self):
        if self.generating_schema:
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.filter(operator=self.operator).order_by("created_at")

    def get_endpoint(self, endpoint_id: uuid.UUID) -> WebhookEndpoint:
        endpoint = self.get_queryset().select_related("operator").filter(public_id=endpoint_id)
        endpoint = endpoint.first()
        if endpoint is None:
            raise Http404
        return endpoint

    def render(self, endpoint: WebhookEndpoint, serializer=WebhookEndpointSerializer, **kwargs):
        deliveries = {endpoint.pk: list(webhooks.deliveries_of(endpoint, limit=20))}
        data = serializer(endpoint, context={"deliveries": deliveries}).data
        return Response(data, **kwargs)


class WebhookListView(WebhookScopedMixin, generics.ListAPIView):
    """Your operator's webhook endpoints (admins)."""

    serializer_class = WebhookEndpointSerializer
    pagination_class = PagePagination

    @extend_schema(operation_id="operator_webhooks_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="operator_webhooks_create",
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
    )
    def post(self, request, operator_slug: str):
        require_recent_second_factor(request)  # a new secret: step-up (docs/mfa.md)
        data = WebhookEndpointCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = webhooks.create_endpoint(
            self.operator, by=request.user, ip=self.ip(), **data.validated_data
        )
        endpoint.secret = secret  # for this answer only; the row keeps it encrypted
        return self.render(
            endpoint, WebhookEndpointCreatedSerializer, status=status.HTTP_201_CREATED
        )


class WebhookDetailView(WebhookScopedMixin, APIView):
    """One endpoint with its latest deliveries and their attempts; change it; delete it."""

    @extend_schema(operation_id="operator_webhooks_retrieve", responses=WebhookEndpointSerializer)
    def get(self, request, operator_slug: str, endpoint_id: uuid.UUID):
        return self.render(self.get_endpoint(endpoint_id))

    @extend_schema(
        operation_id="operator_webhooks_update",
        request=WebhookEndpointUpdateSerializer,
        responses=WebhookEndpointSerializer,
    )
    def patch(self, request, operator_slug: str, endpoint_id: uuid.UUID):
        endpoint = self.get_endpoint(endpoint_id)
        data = WebhookEndpointUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        active = values.pop("is_active", None)
        if values:
            endpoint = webhooks.update_endpoint(endpoint, by=request.user, ip=self.ip(), **values)
        if active is not None and active != endpoint.is_active:
            endpoint = webhooks.set_active(endpoint, active=active, by=request.user, ip=self.ip())
        return self.render(endpoint)

    @extend_schema(operation_id="operator_webhooks_destroy", responses={204: None})
    def delete(self, request, operator_slug: str, endpoint_id: uuid.UUID):
        webhooks.delete_endpoint(self.get_endpoint(endpoint_id), by=request.user, ip=self.ip())
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateView(WebhookScopedMixin, APIView):
    """A new signing secret, shown this once; the old one also signs for 24 hours."""

    @extend_schema(
        operation_id="operator_webhooks_rotate_secret",
        request=None,
        responses=WebhookSecretSerializer,
    )
    def post(self, request, operator_slug: str, endpoint_id: uuid.UUID):
        endpoint = self.get_endpoint(endpoint_id)
        require_recent_second_factor(request)  # a new secret: step-up (docs/mfa.md)
        secret = webhooks.rotate_secret(endpoint, by=request.user, ip=self.ip())
        return Response({"secret": secret})


class WebhookTestView(WebhookScopedMixin, APIView):
    """Send a ``webhook.test`` event to this endpoint (202 with the delivery)."""

    @extend_schema(
        operation_id="operator_webhooks_test",
        request=None,
        responses={202: WebhookDeliverySerializer},
    )
    def post(self, request, operator_slug: str, endpoint_id: uuid.UUID):
        delivery = webhooks.send_test_event(self.get_endpoint(endpoint_id), by=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
