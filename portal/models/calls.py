import uuid

from django.db import models
from django.db.models import NOT_PROVIDED
from django.db.models.functions import Now

from portal import partitions
from portal.choices import (
    CallQuality,
    CallType,
    ConnectionType,
    DestinationContext,
    Direction,
    DurationSource,
)
from portal.models.constraints import country, one_of, ordered
from portal.querysets import WINDOWED_CALL_FILTERS, CallRecordQuerySet


class CallRecord(models.Model):
    """One call leg: details, service connection and quality, as Microsoft shares them.

    Millions of rows per tenant. Every read is "one tenant, (one operator), a time range", so
    the two composite indexes lead with tenant and end with (invite_time, id) — the order of
    keyset pagination and of export scans. On PostgreSQL the table is partitioned by UTC month
    of ``invite_time`` (``portal.partitions``, migration 0018, docs/scaling.md): its database
    keys hold ``invite_time`` — (id, invite_time), (tenant, call_id, leg, invite_time) — while
    ``id`` stays the model's primary key.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    # No single-column indexes on the two foreign keys: every composite index below leads with
    # the tenant, and each extra index is write cost on ingest of millions of rows.
    tenant = models.ForeignKey(
        "portal.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    operator = models.ForeignKey(
        "portal.Operator", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    call_id = models.CharField(max_length=64)
    leg = models.PositiveSmallIntegerField(default=0)
    correlation_id = models.UUIDField(null=True, blank=True)
    # "certain caller identifiers"
    user_object_id = models.UUIDField(null=True, blank=True)
    user_upn = models.CharField(max_length=255, blank=True)
    user_display_name = models.CharField(max_length=255, blank=True)
    caller_number = models.CharField(max_length=64, blank=True)
    callee_number = models.CharField(max_length=64, blank=True)
    call_type = models.CharField(max_length=24, choices=CallType.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    invite_time = models.DateTimeField()
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    failure_time = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(default=0)
    duration_source = models.CharField(
        max_length=10, choices=DurationSource.choices, default=DurationSource.MICROSOFT
    )
    success = models.BooleanField(default=True)
    final_sip_code = models.PositiveSmallIntegerField(null=True, blank=True)
    final_sip_phrase = models.CharField(max_length=100, blank=True)
    microsoft_sub_code = models.IntegerField(null=True, blank=True)
    destination_context = models.CharField(
        max_length=16, choices=DestinationContext.choices, blank=True
    )
    external_country = models.CharField(max_length=2, blank=True)
    tenant_country = models.CharField(max_length=2)
    # service connection, per side
    caller_ip = models.GenericIPAddressField(null=True, blank=True)
    callee_ip = models.GenericIPAddressField(null=True, blank=True)
    caller_os = models.CharField(max_length=64, blank=True)
    callee_os = models.CharField(max_length=64, blank=True)
    caller_platform = models.CharField(max_length=16, blank=True)
    callee_platform = models.CharField(max_length=16, blank=True)
    caller_connection_type = models.CharField(
        max_length=8, choices=ConnectionType.choices, blank=True
    )
    callee_connection_type = models.CharField(
        max_length=8, choices=ConnectionType.choices, blank=True
    )
    # quality
    jitter_avg_ms = models.FloatField(null=True, blank=True)
    jitter_max_ms = models.FloatField(null=True, blank=True)
    packet_loss_avg = models.FloatField(null=True, blank=True)
    packet_loss_max = models.FloatField(null=True, blank=True)
    rtt_avg_ms = models.FloatField(null=True, blank=True)
    rtt_max_ms = models.FloatField(null=True, blank=True)
    mos_avg = models.FloatField(null=True, blank=True)
    quality = models.CharField(
        max_length=12, choices=CallQuality.choices, default=CallQuality.UNCLASSIFIED
    )
    # emergency
    is_emergency = models.BooleanField(default=False)
    emergency_location_snapshot = models.JSONField(null=True, blank=True)
    # When the row was stored (the database's statement time: every ingest path gets it without
    # naming it). Scheduled exports take their watermark on it, not on the call's time, so a
    # record that arrives late is delivered by the next run instead of being missed.
    ingested_at = models.DateTimeField(db_default=Now(), editable=False)

    objects = CallRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-invite_time", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "call_id", "leg", "invite_time"], name="call_record_leg_unique"
            ),
            one_of("call_type", CallType, "call_record_type_valid"),
            one_of("direction", Direction, "call_record_direction_valid"),
            one_of("duration_source", DurationSource, "call_record_duration_source_valid"),
            one_of("destination_context", DestinationContext, "call_record_dest_valid", blank=True),
            one_of("caller_connection_type", ConnectionType, "call_record_caller_conn", blank=True),
            one_of("callee_connection_type", ConnectionType, "call_record_callee_conn", blank=True),
            one_of("quality", CallQuality, "call_record_quality_valid"),
            country("tenant_country", "call_record_tenant_country_iso"),
            country("external_country", "call_record_external_country_iso", blank=True),
            ordered("invite_time", "start_time", "call_record_start_after_invite"),
            ordered("invite_time", "end_time", "call_record_end_after_invite"),
            ordered("start_time", "end_time", "call_record_end_after_start"),
            ordered("invite_time", "failure_time", "call_record_failure_after_invite"),
            models.CheckConstraint(
                condition=models.Q(packet_loss_avg__isnull=True)
                | models.Q(packet_loss_avg__gte=0, packet_loss_avg__lte=1),
                name="call_record_packet_loss_avg_range",
            ),
            models.CheckConstraint(
                condition=models.Q(packet_loss_max__isnull=True)
                | models.Q(packet_loss_max__gte=0, packet_loss_max__lte=1),
                name="call_record_packet_loss_max_range",
            ),
            models.CheckConstraint(
                condition=models.Q(mos_avg__isnull=True) | models.Q(mos_avg__gte=1, mos_avg__lte=5),
                name="call_record_mos_range",
            ),
            models.CheckConstraint(
                condition=models.Q(final_sip_code__isnull=True)
                | models.Q(final_sip_code__gte=100, final_sip_code__lte=699),
                name="call_record_sip_code_range",
            ),
        ]
        indexes = [
            # A window of the tenant's days (the operator's, in the second). Every other filter
            # the lists offer is a column of both, so it is an Index Cond whichever the planner
            # picks per partition: checked in the index, no row fetched that the page will not
            # show. A filter matching nothing costs an index range scan (docs/scaling.md).
            models.Index(
                fields=["tenant", "invite_time", "id", "operator", *WINDOWED_CALL_FILTERS],
                name="call_window_idx",
            ),
            models.Index(
                fields=["tenant", "operator", "invite_time", "id", *WINDOWED_CALL_FILTERS],
                name="call_operator_window_idx",
            ),
            models.Index(fields=["tenant", "operator", "ingested_at"], name="call_ingest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id}/{self.leg}"

    def save(self, *args, **kwargs):
        # The row's month needs its partition (no DEFAULT partition takes stray rows).
        partitions.ensure_for_times([self.invite_time])
        super().save(*args, **kwargs)


# The table's columns in model order: the one list every bulk writer (COPY) of call records uses.
# Columns the database fills itself (``db_default``: ``ingested_at``) are left to it. (A concrete
# field is one with a column; the test says so to the type checker too.)
CALL_RECORD_COLUMNS: tuple[str, ...] = tuple(
    f.column
    for f in CallRecord._meta.concrete_fields
    if f.column is not None and f.db_default is NOT_PROVIDED
)


class CallDayCount(models.Model):
    """Call legs per tenant × operator × tenant-side country × UTC day: the dashboard's rollup.

    On PostgreSQL, statement-level triggers on the call-record table (migration 0013) keep it
    exact in the same transaction as every write — ingest (COPY and upsert), demo seeding,
    retention deletes — so no writer has to remember it. ``portal.rollups.rebuild_days``
    recomputes days from the base table (SQLite, or after writing with triggers disabled).
    Rows may hold 0 after deletes. No foreign-key constraints: a tenant's deletion removes its
    call records first, and the triggers' updates must not race the cascade.
    """

    tenant = models.ForeignKey(
        "portal.Tenant",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    operator = models.ForeignKey(
        "portal.Operator",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    country = models.CharField(max_length=2)
    day = models.DateField()
    calls = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "operator", "day", "country"], name="call_day_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}/{self.operator_id}/{self.country}/{self.day}: {self.calls}"
