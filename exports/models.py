"""Export jobs: the database row is the truth for status, progress, error and file (STYLE §6)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from exports.choices import (
    IN_FLIGHT,
    Cadence,
    Dataset,
    ExportFormat,
    ExportStatus,
    RunOutcome,
    Weekday,
)
from exports.querysets import ExportJobQuerySet, ExportScheduleQuerySet
from portal.choices import english
from portal.models.constraints import one_of, ordered


class ExportJob(models.Model):
    """One export of a tenant's data for one operator: a ZIP with a file per dataset.

    Exactly once (I6): a worker *claims* the row with a conditional UPDATE and holds a lease it
    renews while it runs; a sweeper re-queues the row when the lease lapses (the worker died).
    The file is published by one conditional UPDATE that sets the status, the file name and its
    checksum together, so a reader either sees a complete, verified file or none.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    operator = models.ForeignKey("portal.Operator", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_via = models.CharField(
        max_length=8, choices=[("tenant", "Tenant"), ("operator", "Operator")]
    )
    datasets = models.JSONField(default=list, help_text="Dataset values, sorted.")
    # The time range applies to call records only: numbers and emergency locations are exported
    # as they are when the file is made, so an export without call records has no range.
    start = models.DateTimeField(
        null=True, blank=True, help_text="Call records from (inclusive, UTC)."
    )
    end = models.DateTimeField(
        null=True, blank=True, help_text="Call records until (exclusive, UTC)."
    )
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    mask_external_digits = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent, 0–100.")
    rows_total = models.BigIntegerField(default=0)
    row_counts = models.JSONField(default=dict, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=255, blank=True, help_text="Name in storage.")
    file_size = models.BigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    notice_version = models.PositiveIntegerField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=64)
    # lease: who runs it and until when the others must leave it alone
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error_message = models.TextField(blank=True)
    # A scheduled run (docs/operator.md "Scheduled exports"): call records are chosen by when
    # they were stored, [ingested_from, ingested_until), inside the share windows — not by
    # their call time. Both null for an export someone asked for.
    schedule = models.ForeignKey(
        "exports.ExportSchedule", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    ingested_from = models.DateTimeField(null=True, blank=True)
    ingested_until = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            one_of("status", ExportStatus, "export_status_valid"),
            one_of("format", ExportFormat, "export_format_valid"),
            ordered("start", "end", "export_range_ordered"),
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False),
                name="export_range_whole_or_none",
            ),
            # Identical in-flight requests collapse into one job, even when they race.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=list(IN_FLIGHT)),
                name="export_one_in_flight_per_key",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_percent"),
            ordered("ingested_from", "ingested_until", "export_ingested_range_ordered"),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="export_tenant_idx"),
            models.Index(fields=["operator", "-created_at"], name="export_operator_idx"),
            models.Index(fields=["status", "lease_expires_at"], name="export_status_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"Export {self.short_id} for {self.operator_id}"

    @property
    def short_id(self) -> str:
        return str(self.id)[:8]

    @property
    def dataset_labels(self) -> list[str]:
        return [str(Dataset(d).label) for d in self.datasets if d in Dataset.values]

    @property
    def is_in_flight(self) -> bool:
        return self.status in IN_FLIGHT

    @property
    def download_name(self) -> str:
        """The file name the browser saves: tenant, operator, date, short id."""
        return (
            f"export-{self.tenant.slug}-{self.operator.slug}-"
            f"{self.created_at:%Y%m%d}-{self.short_id}.zip"
        )


class ExportSchedule(models.Model):
    """An operator's standing order: export what became shareable since the last run, on a
    cadence, for one tenant or every tenant that has the operator.

    The schedule row is locked while a slot is turned into runs, and ``ScheduleRun`` is unique
    per (schedule, tenant, slot): two beat ticks or two workers never make two exports of one
    slot.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operator = models.ForeignKey("portal.Operator", on_delete=models.CASCADE, related_name="+")
    tenant = models.ForeignKey(
        "portal.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Empty: every tenant that has the operator.",
    )  # fmt: skip
    name = models.CharField(max_length=100)
    datasets = models.JSONField(default=list, help_text="Dataset values, sorted.")
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    cadence = models.CharField(max_length=8, choices=Cadence.choices)
    minute = models.PositiveSmallIntegerField(default=0)
    hour = models.PositiveSmallIntegerField(default=0, help_text="UTC; daily and weekly.")
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY, help_text="Weekly only."
    )
    starts_at = models.DateTimeField(
        default=timezone.now, help_text="The first run delivers records stored from then on."
    )
    next_run_at = models.DateTimeField()
    paused = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ExportScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["name", "created_at"]
        constraints = [
            one_of("format", ExportFormat, "schedule_format_valid"),
            one_of("cadence", Cadence, "schedule_cadence_valid"),
            models.CheckConstraint(condition=Q(minute__lte=59), name="schedule_minute_valid"),
            models.CheckConstraint(condition=Q(hour__lte=23), name="schedule_hour_valid"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="schedule_weekday_valid"),
        ]
        indexes = [models.Index(fields=["paused", "next_run_at"], name="schedule_due_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def short_id(self) -> str:
        return str(self.id)[:8]

    @property
    def dataset_labels(self) -> list[str]:
        return [str(Dataset(d).label) for d in self.datasets if d in Dataset.values]

    @property
    def cadence_text(self) -> str:
        at = f"{self.hour:02d}:{self.minute:02d} UTC"
        if self.cadence == Cadence.HOURLY:
            return f"Hourly at minute {self.minute:02d}"
        if self.cadence == Cadence.DAILY:
            return f"Daily at {at}"
        return f"Weekly on {english(Weekday(self.weekday))} at {at}"

    @property
    def cadence_label(self) -> str:
        """``cadence_text`` in the viewer's language (``cadence_text`` stays English: audit)."""
        at = f"{self.hour:02d}:{self.minute:02d}"
        if self.cadence == Cadence.HOURLY:
            return gettext("Hourly at minute %(minute)s") % {"minute": f"{self.minute:02d}"}
        if self.cadence == Cadence.DAILY:
            return gettext("Daily at %(time)s UTC") % {"time": at}
        return gettext("Weekly on %(day)s at %(time)s UTC") % {
            "day": Weekday(self.weekday).label,
            "time": at,
        }


class ScheduleRun(models.Model):
    """One slot of a schedule for one tenant: the ingestion window it covers and its export.

    The window starts where the tenant's last successful run ended (the watermark), so runs
    tile the stream with no gap and no overlap; a skipped or failed run leaves the watermark
    where it was and the next run covers its window too.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(ExportSchedule, on_delete=models.CASCADE, related_name="runs")
    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    slot = models.DateTimeField(help_text="The time the run was due.")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=RunOutcome.choices)
    message = models.CharField(max_length=300, blank=True)
    export = models.ForeignKey(
        ExportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-slot", "tenant_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "tenant", "slot"], name="schedule_run_one_per_slot"
            ),
            one_of("outcome", RunOutcome, "schedule_run_outcome_valid"),
        ]
        indexes = [models.Index(fields=["schedule", "tenant", "-slot"], name="schedule_run_idx")]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.slot:%Y-%m-%d %H:%M}"


class ExportSubject(models.Model):
    """One person whose data was in one export file, and how many rows of each dataset held it.

    Written in the transaction that publishes the file, from aggregates computed in the same
    database snapshot the file's rows were read from (``exports/engine/subjects.py``), so the
    data-subject access report says what each file held, never a later recomputation. The person
    is a keyed hash of their number or UPN (``privacy/subjects.py``), never the value itself.
    """

    # No database foreign keys and one index only: a large export adds one row per user of the
    # tenant inside the publishing transaction, and per-row FK checks and a second index would
    # make that the slowest part of the export. Rows are unique per (export, kind, hash) by
    # construction (one GROUP BY, loaded once, in the transaction that publishes the job).
    export = models.ForeignKey(
        ExportJob,
        on_delete=models.CASCADE,
        related_name="subjects",
        db_index=False,
        db_constraint=False,
    )
    # Denormalised so a lookup is one index range: (tenant, kind, value_hash).
    tenant = models.ForeignKey(
        "portal.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(max_length=8, choices=[("number", "Number"), ("upn", "UPN")])
    value_hash = models.CharField(max_length=64)
    call_records = models.IntegerField(default=0)
    numbers = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "kind", "value_hash"], name="export_subject_lookup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} in {self.export_id}"

    @property
    def rows(self) -> dict[str, int]:
        return {
            k: v for k, v in (("call_records", self.call_records), ("numbers", self.numbers)) if v
        }
