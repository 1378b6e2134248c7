"""Enumerations of export jobs. Values are stored; labels are shown."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# A job in one of these may still produce a file; it blocks an identical request (dedupe).
IN_FLIGHT = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class Dataset(models.TextChoices):
    NUMBERS = "numbers", _("Numbers and SIP URIs")
    CALL_RECORDS = "call_records", _("Call details, quality and connection data")
    EMERGENCY_LOCATIONS = "emergency_locations", _("Emergency calling locations")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (RFC 4180, UTF-8)")
    NDJSON = "ndjson", _("NDJSON (one JSON object per line)")


class Cadence(models.TextChoices):
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class RunOutcome(models.TextChoices):
    """What a schedule's slot did for one tenant: asked for an export, or skipped and why."""

    REQUESTED = "requested", _("Export requested")
    SKIPPED = "skipped", _("Skipped")
