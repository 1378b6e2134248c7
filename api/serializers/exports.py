"""Export jobs: request one, watch it, download its file (STYLE §11)."""

from django.urls import reverse
from rest_framework import serializers

from api.schema import ErrorDetailSerializer
from api.serializers.directory import OperatorRefSerializer, TenantRefSerializer
from exports.choices import Dataset, ExportFormat, ExportStatus
from exports.models import ExportJob
from exports.services import operator_download_closed


class ExportJobSerializer(serializers.ModelSerializer):
    tenant = TenantRefSerializer(read_only=True)
    operator = OperatorRefSerializer(read_only=True)
    datasets = serializers.ListField(child=serializers.ChoiceField(Dataset.choices))
    status = serializers.ChoiceField(ExportStatus.choices)
    row_counts = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    manifest = serializers.DictField(
        read_only=True, help_text="The manifest.json of the file, once it succeeded."
    )
    schedule = serializers.UUIDField(
        source="schedule_id", read_only=True, allow_null=True,
        help_text="The schedule whose run this is, or null for an export someone asked for.",
    )  # fmt: skip
    ingested_from = serializers.DateTimeField(
        read_only=True, allow_null=True,
        help_text="A scheduled run: call records stored from (inclusive), at any call time.",
    )  # fmt: skip
    ingested_until = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="A scheduled run: … until (exclusive)."
    )
    url = serializers.SerializerMethodField(help_text="This job.")
    download_url = serializers.SerializerMethodField(
        help_text="Where to fetch the ZIP (null until it succeeded)."
    )
    operator_download_closed = serializers.SerializerMethodField(
        help_text="Why the operator may no longer download this file (sharing stopped after "
        "it was made; it never reopens), or null while it may, and before it succeeded."
    )

    class Meta:
        model = ExportJob
        fields = [
            "id", "url", "tenant", "operator", "requested_via", "datasets", "start", "end",
            "format", "status", "progress", "rows_total", "row_counts", "file_size",
            "file_sha256", "notice_version", "created_at", "started_at", "finished_at",
            "expires_at", "error_message", "download_url", "operator_download_closed", "manifest",
            "schedule", "ingested_from", "ingested_until",
        ]  # fmt: skip
        read_only_fields = fields

    def get_url(self, job: ExportJob) -> str:
        return reverse("api:export-detail", args=[job.pk])

    def get_operator_download_closed(self, job: ExportJob) -> str | None:
        closed = self.context.get("operator_download_closed")
        if closed is None:
            closed = operator_download_closed([job])
        return closed.get(job.pk) or None

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportStatus.SUCCEEDED:
            return None
        return reverse("api:export-download", args=[job.pk])


class ExportRequestSerializer(serializers.Serializer):
    tenant = serializers.SlugField(help_text="The tenant whose data is exported (its slug).")
    operator = serializers.SlugField(help_text="The operator that receives it (its slug).")
    datasets = serializers.ListField(
        child=serializers.ChoiceField(Dataset.choices), min_length=1, max_length=3
    )
    start = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Call records from (inclusive), ISO 8601 UTC. Required with call_records; "
        "ignored without (numbers and locations are exported as they are).",
    )
    end = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Call records until (exclusive), ISO 8601 UTC. Required with call_records.",
    )
    format = serializers.ChoiceField(ExportFormat.choices, default=ExportFormat.CSV)


class NotReadyDetailSerializer(ErrorDetailSerializer):
    status = serializers.ChoiceField([ExportStatus.QUEUED, ExportStatus.RUNNING])
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent done.")


class NotReadySerializer(serializers.Serializer):
    """409 from a download while the job is queued or running: poll again later."""

    error = NotReadyDetailSerializer()
