"""Read-only data of a tenant: numbers, call records, emergency locations, audit events.

These serializers only ever render. Their model fields are deliberately not listed in
``read_only_fields``: DRF would drop ``allow_blank`` from them, and the schema would then
forbid the "" that optional choice fields hold.
"""

from rest_framework import serializers

from portal.choices import CallType, Direction
from portal.models import AuditEvent, CallRecord, EmergencyLocation, Operator, PhoneNumber


class OperatorSlugField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(slug_field="slug", **kwargs)


class EmergencyLocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmergencyLocation
        exclude = ["id", "tenant"]


class PhoneNumberSerializer(serializers.ModelSerializer):
    operator = OperatorSlugField()
    emergency_location = serializers.SlugRelatedField(
        slug_field="location_id", read_only=True, allow_null=True
    )
    capabilities = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = PhoneNumber
        exclude = ["id", "tenant"]


class CallRecordSerializer(serializers.ModelSerializer):
    operator = OperatorSlugField()
    emergency_location_snapshot = serializers.DictField(allow_null=True, read_only=True)

    class Meta:
        model = CallRecord
        exclude = ["tenant"]


class AuditEventSerializer(serializers.ModelSerializer):
    operator = serializers.SerializerMethodField()
    sentence = serializers.CharField(read_only=True)
    details = serializers.DictField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id", "occurred_at", "actor_label", "action", "operator", "target_type",
            "target_id", "target_label", "ip_address", "details", "sentence",
        ]  # fmt: skip
        read_only_fields = fields

    def get_operator(self, event: AuditEvent) -> str | None:
        names = self.context.get("operator_slugs", {})
        return names.get(event.operator_id) if event.operator_id else None


class NumberFilterSerializer(serializers.Serializer):
    operator = serializers.SlugField(required=False, help_text="Operator slug.")
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, help_text="ISO country code of the number."
    )


class CallRecordFilterSerializer(serializers.Serializer):
    """Query filters. ``from`` and ``to`` are Python keywords, so they are added in get_fields."""

    operator = serializers.SlugField(required=False, help_text="Operator slug.")
    direction = serializers.ChoiceField(Direction.choices, required=False)
    call_type = serializers.ChoiceField(CallType.choices, required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateTimeField(
            source="start",
            required=False,
            help_text="Invite time at or after this instant (ISO 8601, e.g. 2026-11-01T00:00:00Z).",
        )
        fields["to"] = serializers.DateTimeField(
            source="end", required=False, help_text="Invite time before this instant (ISO 8601)."
        )
        return fields

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end <= start:
            raise serializers.ValidationError({"to": ["Must be after from."]})
        return attrs


def operator_slugs(ids) -> dict[int, str]:
    """Slugs of the operators named by a page of rows, in one query."""
    return dict(Operator.objects.filter(pk__in=set(ids)).values_list("pk", "slug"))
