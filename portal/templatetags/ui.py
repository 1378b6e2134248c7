"""The few display rules of docs/ui.md as template filters: one format per kind of date."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

register = template.Library()

# docs/ui.md "Dates and times": a moment shows day, time and zone; a day shows the day only.
MOMENT = "j M Y, H:i T"
DAY = "j M Y"
MONTH = "M Y"


def _time(value, fmt: str):
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        iso = value.isoformat()
    else:
        iso = value.isoformat() if isinstance(value, date) else str(value)
    return format_html('<time datetime="{}">{}</time>', iso, date_format(value, fmt))


@register.filter
def moment(value):
    """A point in time in the viewer's time zone, zone stated: ``5 Dec 2026, 09:14 GMT``."""
    return _time(value, MOMENT)


@register.filter
def day(value):
    """A calendar day: ``5 Dec 2026`` (for dates, and for moments where the hour is noise)."""
    return _time(value, DAY)


@register.filter
def month(value):
    """A month: ``Dec 2026``."""
    return _time(value, MONTH)


@register.filter
def utc_moment(value):
    """A period bound that is defined in UTC (export ranges), shown in UTC whatever the viewer's
    zone: ``5 Dec 2026, 00:00 UTC``."""
    if value in (None, ""):
        return "—"
    from datetime import UTC

    value = value.astimezone(UTC)
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), date_format(value, MOMENT)
    )


@register.filter
def exact_moment(value):
    """A moment to the second, zone stated (the audit log): ``5 Dec 2026, 09:14:07 GMT``."""
    return _time(value, "j M Y, H:i:s T")
