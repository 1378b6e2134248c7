"""Platform ingestion: the report of one file."""

from rest_framework import serializers

from api.schema import ErrorDetailSerializer


class RejectSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line of the input (the CSV header is line 1).")
    field = serializers.CharField(help_text="The column at fault; empty for the whole row.")
    reason = serializers.CharField(help_text="Why (never quotes the value: it may be personal).")


class IngestReportSerializer(serializers.Serializer):
    kind = serializers.CharField()
    engine = serializers.CharField(help_text="Which engine wrote the rows.")
    rows_total = serializers.IntegerField()
    inserted = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Rows equal to what was stored (idempotent).")


class RejectedDetailSerializer(ErrorDetailSerializer):
    # Present when rows were refused; absent when the input as a whole was unusable.
    rows_total = serializers.IntegerField(required=False)
    rejects_total = serializers.IntegerField(required=False)
    rejects = RejectSerializer(
        many=True, required=False, help_text="The first rejects, in line order."
    )


class RejectedSerializer(serializers.Serializer):
    """400: rows were refused (nothing was written: all or nothing), or the input is unusable."""

    error = RejectedDetailSerializer()
