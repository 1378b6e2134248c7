"""Read-only data of a tenant: numbers, call records, emergency locations, audit events.

These serializers only ever render. Their model fields are deliberately not listed in
``read_only_fields``: DRF would drop ``allow_blank`` from them, and the schema would then
forbid the "" that optional choice fields hold.
"""

from rest_framework import serializers

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


def operator_slugs(ids) -> dict[int, str]:
    """Slugs of the operators named by a page of rows, in one query."""
    return dict(Operator.objects.filter(pk__in=set(ids)).values_list("pk", "slug"))
