"""Forms of the export pages. They parse input; the services decide (STYLE §2)."""

from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from exports.choices import Cadence, Dataset, ExportFormat, Weekday
from portal.choices import RelationshipStatus, TokenScope, WebhookEvent
from portal.models import Operator, Tenant


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class ExportRequestForm(forms.Form):
    """Datasets, a UTC date range (both days included) and a format. ``party`` is the other side:
    the tenant (operator portal) or the operator (tenant side)."""

    party = forms.ChoiceField(label=_("Organization"))
    datasets = forms.MultipleChoiceField(
        choices=Dataset.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(Dataset.values),
        label=_("Data to export"),
    )
    start_date = forms.DateField(
        label=_("Call records from (UTC)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("Call records to (UTC, included)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    format = forms.ChoiceField(
        choices=ExportFormat.choices,
        widget=forms.RadioSelect,
        initial=ExportFormat.CSV,
        label=_("Format"),
    )

    def __init__(self, *args, parties: list[tuple[str, str]], party_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = parties
        self.fields["party"].label = party_label
        today = datetime.now(UTC).date()
        self.fields["start_date"].initial = today - timedelta(days=30)
        self.fields["end_date"].initial = today

    @property
    def start(self) -> datetime | None:
        day = self.cleaned_data.get("start_date")
        return _utc_midnight(day) if day else None

    @property
    def end(self) -> datetime | None:
        day = self.cleaned_data.get("end_date")
        return _utc_midnight(day + timedelta(days=1)) if day else None


class RelationshipForm(forms.Form):
    """The relationship of one assignment. A pending one preselects nothing: the admin must
    choose. Several of these share a page (one per tenant), so ids end with the assignment's."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (RelationshipStatus.AGREEMENT_SIGNED, RelationshipStatus.AGREEMENT_SIGNED.label),
            (RelationshipStatus.DECLINED, RelationshipStatus.DECLINED.label),
            (RelationshipStatus.TERMINATED, RelationshipStatus.TERMINATED.label),
        ],
        error_messages={"required": _("Choose a relationship status.")},
    )
    reason = forms.CharField(
        label=_("Reason (required to decline or terminate)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, assignment=None, **kwargs):
        if assignment is not None:
            kwargs.setdefault("auto_id", f"%s-{assignment.pk}")
        super().__init__(*args, **kwargs)
        self.assignment_id = assignment.pk if assignment is not None else None
        if assignment is None:
            return
        if assignment.relationship_status == RelationshipStatus.PENDING:
            self.fields["status"].choices = [("", _("Choose…")), *self.fields["status"].choices]
        else:
            self.fields["status"].initial = assignment.relationship_status


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label=_("Name"), help_text=_("e.g. the script that uses it")
    )
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        label=_("May"),
        help_text=_("Give a script no more than it needs."),
    )
    limit = forms.ChoiceField(
        required=False,
        label=_("Only for"),
        help_text=_("Limit the token to one organization or operator."),
    )
    expires_in_days = forms.TypedChoiceField(
        coerce=int,
        choices=[("30", _("30 days")), ("90", _("90 days")), ("365", _("1 year"))],
        initial="90",
        label=_("Expires after"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", gettext("Everything you can reach"))]
        if user is not None:
            choices += [
                (f"tenant:{t.slug}", gettext("Organization %(name)s") % {"name": t.name})
                for t in Tenant.objects.visible_to(user).order_by("name")
            ]
            choices += [
                (f"operator:{o.slug}", gettext("Operator %(name)s") % {"name": o.name})
                for o in Operator.objects.staffed_by(user).order_by("name")
            ]
        self.fields["limit"].choices = choices
        self.user = user

    def clean_limit(self) -> dict:
        kind, _, slug = (self.cleaned_data.get("limit") or "").partition(":")
        if kind == "tenant":
            return {"tenant": Tenant.objects.visible_to(self.user).get(slug=slug)}
        if kind == "operator":
            return {"operator": Operator.objects.staffed_by(self.user).get(slug=slug)}
        return {}


class ScheduleForm(forms.Form):
    """A scheduled incremental export: what, for whom, how often (``exports.schedules``)."""

    name = forms.CharField(label=_("Name"), max_length=100, initial=_("Nightly feed"))
    tenant = forms.ChoiceField(label=_("Organization"), required=False)
    datasets = forms.MultipleChoiceField(
        choices=Dataset.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Dataset.CALL_RECORDS],
        label=_("Data to export"),
        help_text=_(
            "Call records: those stored since the previous delivered run. Numbers and "
            "emergency locations: as they are at each run."
        ),
    )
    format = forms.ChoiceField(
        choices=ExportFormat.choices,
        widget=forms.RadioSelect,
        initial=ExportFormat.CSV,
        label=_("Format"),
    )
    cadence = forms.ChoiceField(
        choices=Cadence.choices,
        widget=forms.RadioSelect,
        initial=Cadence.DAILY,
        label=_("How often"),
    )
    at = forms.TimeField(
        label=_("Time (UTC)"),
        initial=time(2, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Hourly runs use its minutes only."),
    )
    weekday = forms.TypedChoiceField(
        choices=Weekday.choices, coerce=int, initial=Weekday.MONDAY, label=_("Day (weekly only)")
    )

    since = forms.ChoiceField(
        label=_("The first run delivers records stored"),
        choices=[
            ("now", _("from now on")),
            ("1", _("in the last 24 hours, and on")),
            ("7", _("in the last 7 days, and on")),
            ("30", _("in the last 30 days, and on")),
            ("all", _("at any time (everything shared so far), and on")),
        ],
        initial="now",
        help_text=_("Only what the organization shares with us is ever delivered."),
    )

    def __init__(self, *args, tenants: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].choices = [
            ("", gettext("Every organization that chose us")),
            *tenants,
        ]

    @property
    def starts_at(self) -> datetime | None:
        """None: now (the service's default)."""
        since = self.cleaned_data.get("since")
        if since == "all":
            return EVERYTHING
        if since and since.isdigit():
            return datetime.now(UTC) - timedelta(days=int(since))
        return None


# "Everything shared so far": before any record this portal can hold.
EVERYTHING = datetime(2000, 1, 1, tzinfo=UTC)


class WebhookForm(forms.Form):
    """A webhook endpoint: where, and which events (``portal.services.webhooks``)."""

    url = forms.CharField(
        label=_("Endpoint URL"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://feeds.example.net/operator-connect"}),
        help_text=_("https:// only. We POST signed JSON (Standard Webhooks) and expect a 2xx."),
    )
    description = forms.CharField(label=_("Description (optional)"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(WebhookEvent.values),
        label=_("Events"),
    )
