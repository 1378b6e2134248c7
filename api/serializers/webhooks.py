"""Webhook endpoints in the API (docs/operator.md "Webhooks"). Secrets are write-once: only the
answers that make one (create, rotate) carry it."""

from rest_framework import serializers

from api.fields import CharField, HttpsURLTextField
from portal.choices import WebhookEvent
from portal.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "latency_ms", "error"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="message_id", read_only=True)
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "webhook_id", "event_type", "status", "attempts", "next_attempt_at",
            "last_status_code", "last_latency_ms", "last_error", "created_at", "delivered_at",
            "attempt_log",
        ]  # fmt: skip
        read_only_fields = fields


class WebhookEndpointSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    deliveries = serializers.SerializerMethodField()

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "url", "description", "event_types", "is_active", "disabled_at",
            "disabled_reason", "consecutive_failures", "previous_secret_expires_at", "created_at",
            "deliveries",
        ]  # fmt: skip
        read_only_fields = fields

    def get_deliveries(self, obj) -> list[dict]:
        deliveries = self.context.get("deliveries", {}).get(obj.pk, [])
        return WebhookDeliverySerializer(deliveries, many=True).data


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown this once: keep it.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointCreateSerializer(serializers.Serializer):
    url = HttpsURLTextField(max_length=500)
    description = CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(WebhookEvent.choices), allow_empty=False, min_length=1
    )


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = HttpsURLTextField(max_length=500, required=False)
    description = CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(WebhookEvent.choices),
        allow_empty=False,
        min_length=1,
        required=False,
    )
    is_active = serializers.BooleanField(required=False)


class WebhookSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(read_only=True)
