"""Call records: details, service connection and quality of each call leg in the time range."""

from exports.choices import Dataset
from exports.engine import columns as k
from exports.engine.base import Exporter
from exports.engine.columns import Column
from portal.choices import Direction
from portal.models import CallRecord


class CallRecordsExporter(Exporter):
    dataset = Dataset.CALL_RECORDS.value
    # The order of the scope index (tenant, operator, invite_time, id): the scan needs no sort.
    order_by = ("invite_time", "id")
    direction_source = "direction"
    # The tenant's user: the caller of an outbound leg, the callee of an inbound one.
    subject_columns = (
        ("number", "caller_number", Direction.OUTBOUND.value),
        ("number", "callee_number", Direction.INBOUND.value),
        ("upn", "user_upn", None),
    )
    columns = (
        Column("id", "id", k.UUID),
        Column("call_id", "call_id", k.TEXT),
        Column("leg", "leg", k.INT),
        Column("correlation_id", "correlation_id", k.UUID),
        Column("user_object_id", "user_object_id", k.UUID),
        Column("user_upn", "user_upn", k.TEXT),
        Column("user_display_name", "user_display_name", k.TEXT),
        # The external party: the caller of an inbound call, the callee of an outbound one.
        Column("caller_number", "caller_number", k.NUMBER, masked_when=Direction.INBOUND.value),
        Column("callee_number", "callee_number", k.NUMBER, masked_when=Direction.OUTBOUND.value),
        Column("call_type", "call_type", k.CODE),
        Column("direction", "direction", k.CODE),
        Column("invite_time", "invite_time", k.TIME),
        Column("start_time", "start_time", k.TIME),
        Column("end_time", "end_time", k.TIME),
        Column("failure_time", "failure_time", k.TIME),
        Column("duration_seconds", "duration_seconds", k.INT),
        Column("duration_source", "duration_source", k.CODE),
        Column("success", "success", k.BOOL),
        Column("final_sip_code", "final_sip_code", k.INT),
        Column("final_sip_phrase", "final_sip_phrase", k.TEXT),
        Column("microsoft_sub_code", "microsoft_sub_code", k.INT),
        Column("destination_context", "destination_context", k.CODE),
        Column("external_country", "external_country", k.CODE),
        Column("tenant_country", "tenant_country", k.CODE),
        Column("caller_ip", "caller_ip", k.IP),
        Column("callee_ip", "callee_ip", k.IP),
        Column("caller_os", "caller_os", k.TEXT),
        Column("callee_os", "callee_os", k.TEXT),
        Column("caller_platform", "caller_platform", k.TEXT),
        Column("callee_platform", "callee_platform", k.TEXT),
        Column("caller_connection_type", "caller_connection_type", k.CODE),
        Column("callee_connection_type", "callee_connection_type", k.CODE),
        Column("jitter_avg_ms", "jitter_avg_ms", k.FLOAT),
        Column("jitter_max_ms", "jitter_max_ms", k.FLOAT),
        Column("packet_loss_avg", "packet_loss_avg", k.FLOAT),
        Column("packet_loss_max", "packet_loss_max", k.FLOAT),
        Column("rtt_avg_ms", "rtt_avg_ms", k.FLOAT),
        Column("rtt_max_ms", "rtt_max_ms", k.FLOAT),
        Column("mos_avg", "mos_avg", k.FLOAT),
        Column("quality", "quality", k.CODE),
        Column("is_emergency", "is_emergency", k.BOOL),
        Column("emergency_location", "emergency_location_snapshot", k.JSON),
    )

    def queryset(self, job):
        if job.ingested_until is not None:
            # A scheduled run: what was stored in its window, at any call time, inside the
            # share windows (the gate decides by call time; the watermark by ingestion).
            return CallRecord.objects.shareable_with(job.operator_id, job.tenant_id).filter(
                ingested_at__gte=job.ingested_from, ingested_at__lt=job.ingested_until
            )
        return CallRecord.objects.shareable_with(
            job.operator_id, job.tenant_id, start=job.start, end=job.end
        )
