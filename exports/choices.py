"""Enumerations of export jobs. Values are stored; labels are shown."""

from django.db import models


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Ready"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


# A job in one of these may still produce a file; it blocks an identical request (dedupe).
IN_FLIGHT = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class Dataset(models.TextChoices):
    NUMBERS = "numbers", "Numbers and SIP URIs"
    CALL_RECORDS = "call_records", "Call details, quality and connection data"
    EMERGENCY_LOCATIONS = "emergency_locations", "Emergency calling locations"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV (RFC 4180, UTF-8)"
    NDJSON = "ndjson", "NDJSON (one JSON object per line)"


class Cadence(models.TextChoices):
    HOURLY = "hourly", "Hourly"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class RunOutcome(models.TextChoices):
    """What a schedule's slot did for one tenant: asked for an export, or skipped and why."""

    REQUESTED = "requested", "Export requested"
    SKIPPED = "skipped", "Skipped"
