"""Query filters of the API's lists: the browser's filters, with the same names and meaning.

Each search calls the queryset method the browser's page calls (``search``, ``serving``,
``offering``, ``between``), so a filter means the same in both. django-filter documents them in
the schema; a bad value answers 400 in the error shape. A query parameter that no filter and no
paginator knows is refused too (``ApiViewMixin.check_query_params``), instead of being ignored.
"""

from __future__ import annotations

from datetime import UTC

import django_filters as filters
from django import forms
from django.utils import timezone
from drf_spectacular.contrib.django_filters import DjangoFilterExtension

from exports.choices import ExportStatus
from exports.models import ExportJob
from portal.choices import (
    AuditAction,
    CallQuality,
    CallType,
    Direction,
    OperatorService,
    PstnAssignmentStatus,
)
from portal.models import AuditEvent, CallRecord, EmergencyLocation, Operator, PhoneNumber
from portal.querysets import WindowTooLong, call_window, uses_windowed_filter


class ValidatedFilterExtension(DjangoFilterExtension):
    """The schema of each filter states what its form field accepts, so a request the schema
    allows is never refused: the text lengths (at least 1: ``?q=`` is refused, see
    ``ApiViewMixin.check_query_params``), a pattern, and a whole number's type and range."""

    priority = 1  # over drf-spectacular's own extension for DjangoFilterBackend

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        field = filter_field.field
        for parameter in parameters:
            schema = parameter["schema"]
            if isinstance(field, forms.IntegerField):
                schema.pop("format", None)
                schema["type"] = "integer"
                bounds = {"minimum": field.min_value, "maximum": field.max_value}
                schema.update({k: v for k, v in bounds.items() if v is not None})
            elif isinstance(field, forms.RegexField):
                schema["pattern"] = field.regex.pattern
            elif schema.get("type") == "string" and not {"enum", "format"} & set(schema):
                schema["minLength"] = max(1, getattr(field, "min_length", None) or 1)
                if getattr(field, "max_length", None) is not None:
                    schema["maxLength"] = field.max_length
        return parameters


class CountryFilter(filters.CharFilter):
    """Two letters, as sent (a RegexField does not strip spaces: the schema's pattern holds)."""

    field_class = forms.RegexField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("regex", r"^[A-Za-z]{2}$")
        kwargs.setdefault("help_text", "ISO 3166 country code, e.g. DE.")
        super().__init__(*args, **kwargs)


def _search(queryset, _name, value):
    return queryset.search(value) if value.strip() else queryset


def _country(field_name: str):
    def apply(queryset, _name, value):
        return queryset.filter(**{field_name: value.upper()})

    return apply


class IdFilter(filters.NumberFilter):
    """A row id: a whole number in the range of the database's ids (a bigger one is a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class TimeRangeForm(forms.Form):
    """``from`` before ``to``, like the browser's date range."""

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and end <= start:
            self.add_error("to", "Must be after from.")
        return data


class TimeRangeFilterSet(filters.FilterSet):
    """Adds ``from``/``to`` (Python keywords, so they can't be class attributes)."""

    time_help = ("at or after this instant", "before this instant")

    @classmethod
    def with_time_range(cls, what: str) -> None:
        start_help, end_help = cls.time_help
        cls.base_filters["from"] = filters.IsoDateTimeFilter(
            method="noop", help_text=f"{what} {start_help} (ISO 8601, e.g. 2026-11-01T00:00:00Z)."
        )
        cls.base_filters["to"] = filters.IsoDateTimeFilter(
            method="noop", help_text=f"{what} {end_help} (ISO 8601)."
        )

    def noop(self, queryset, _name, _value):
        return queryset  # applied together in filter_queryset, through ``between``

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # In UTC: PostgreSQL refuses some offsets ISO 8601 allows (e.g. -23:11 in year 13).
        start, end = (self.form.cleaned_data.get(k) for k in ("from", "to"))
        if start or end:
            queryset = queryset.between(*(t and t.astimezone(UTC) for t in (start, end)))
        return queryset


class OperatorFilter(filters.FilterSet):
    q = filters.CharFilter(method=_search, max_length=100, help_text="Name or description.")
    country = CountryFilter(method="filter_country")
    service = filters.ChoiceFilter(choices=OperatorService.choices, method="filter_service")

    class Meta:
        model = Operator
        fields: list[str] = []

    def filter_country(self, queryset, _name, value):
        return queryset.serving(value)

    def filter_service(self, queryset, _name, value):
        return queryset.offering(value)


class NumberFilter(filters.FilterSet):
    q = filters.CharFilter(
        method=_search, max_length=100, help_text="Number, assigned user or city."
    )
    operator = filters.CharFilter(field_name="operator__slug", help_text="Operator slug.")
    country = CountryFilter(method=_country("iso_country_code"))
    status = filters.ChoiceFilter(
        field_name="pstn_assignment_status",
        choices=PstnAssignmentStatus.choices,
        help_text="What the number is assigned to.",
    )

    class Meta:
        model = PhoneNumber
        fields: list[str] = []


class EmergencyLocationFilter(filters.FilterSet):
    q = filters.CharFilter(
        method=_search, max_length=100, help_text="Company, address, place or description."
    )
    country = CountryFilter(method=_country("country"))

    class Meta:
        model = EmergencyLocation
        fields: list[str] = []


class CallRecordFilterForm(TimeRangeForm):
    """Direction, call type and quality have no index: with any of them the list reads a window
    of time (``portal.querysets.call_window``): ``from``/``to`` at most 93 days apart."""

    def clean(self):
        data = super().clean()
        if self.errors or not uses_windowed_filter(data):
            return data
        try:
            data["from"], data["to"] = call_window(
                data.get("from"), data.get("to"), now=timezone.now()
            )
        except WindowTooLong as too_long:
            self.add_error("from", str(too_long))
        return data


WINDOWED = " With this filter the list reads at most 93 days: from/to (default: the last 30 days)."


def _operator_by_slug(queryset, _name, value):
    """``operator_id = (SELECT id … WHERE slug = …)``, not a join on the slug: the planner then
    reads the (tenant, operator, invite_time, id) index in order and stops at the page's end."""
    return queryset.filter(operator_id=Operator.objects.filter(slug=value).values("pk")[:1])


class CallRecordFilter(TimeRangeFilterSet):
    operator = filters.CharFilter(method=_operator_by_slug, help_text="Operator slug.")
    direction = filters.ChoiceFilter(choices=Direction.choices, help_text="Direction." + WINDOWED)
    call_type = filters.ChoiceFilter(choices=CallType.choices, help_text="Call type." + WINDOWED)
    quality = filters.ChoiceFilter(choices=CallQuality.choices, help_text="Quality." + WINDOWED)

    class Meta:
        model = CallRecord
        fields: list[str] = []
        form = CallRecordFilterForm


CallRecordFilter.with_time_range("Invite time")


class AuditEventFilter(TimeRangeFilterSet):
    action = filters.ChoiceFilter(choices=AuditAction.choices)
    actor = IdFilter(field_name="actor_id", help_text="The acting user's id.")
    operator = filters.CharFilter(field_name="operator__slug", help_text="Operator slug.")

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = TimeRangeForm


AuditEventFilter.with_time_range("Occurred")


class ExportJobFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ExportStatus.choices)
    tenant = filters.CharFilter(field_name="tenant__slug", help_text="Tenant slug.")
    operator = filters.CharFilter(field_name="operator__slug", help_text="Operator slug.")

    class Meta:
        model = ExportJob
        fields: list[str] = []
