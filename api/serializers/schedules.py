"""Scheduled exports in the API (docs/operator.md "Scheduled exports")."""

from rest_framework import serializers

from api.fields import CharField
from exports.choices import Cadence, Dataset, ExportFormat, Weekday
from exports.models import ExportSchedule, ScheduleRun


class ScheduleRunSerializer(serializers.ModelSerializer):
    tenant = serializers.SlugField(source="tenant.slug", read_only=True)
    export = serializers.UUIDField(source="export_id", read_only=True, allow_null=True)
    export_status = serializers.CharField(
        source="export.status", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ScheduleRun
        fields = [
            "id", "tenant", "slot", "window_start", "window_end", "outcome", "message", "export",
            "export_status",
        ]  # fmt: skip
        read_only_fields = fields


class ScheduleSerializer(serializers.ModelSerializer):
    tenant = serializers.SlugField(source="tenant.slug", read_only=True, allow_null=True)
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)
    runs = serializers.SerializerMethodField()

    class Meta:
        model = ExportSchedule
        fields = [
            "id", "name", "tenant", "datasets", "format", "cadence", "hour", "minute", "weekday",
            "starts_at", "next_run_at", "paused", "created_by", "created_at", "runs",
        ]  # fmt: skip
        read_only_fields = fields

    def get_runs(self, obj) -> list[dict]:
        runs = self.context.get("runs", {}).get(obj.pk, [])
        return ScheduleRunSerializer(runs, many=True).data


class ScheduleCreateSerializer(serializers.Serializer):
    name = CharField(max_length=100)
    tenant = serializers.SlugField(
        required=False, allow_null=True, help_text="A tenant's slug; null or absent: every tenant."
    )
    datasets = serializers.ListField(
        child=serializers.ChoiceField(Dataset.choices), allow_empty=False, min_length=1
    )
    format = serializers.ChoiceField(ExportFormat.choices)
    cadence = serializers.ChoiceField(Cadence.choices)
    hour = serializers.IntegerField(min_value=0, max_value=23, default=0)
    minute = serializers.IntegerField(min_value=0, max_value=59, default=0)
    weekday = serializers.ChoiceField(Weekday.choices, default=Weekday.MONDAY)
    starts_at = serializers.DateTimeField(
        required=False, help_text="The first run delivers records stored from then (default now)."
    )


class ScheduleUpdateSerializer(serializers.Serializer):
    """Omitted, ``paused`` stays as it is: ``{}`` changes nothing and answers the schedule."""

    paused = serializers.BooleanField(required=False)
