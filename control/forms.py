"""Forms of the tenant-admin portal.

Forms only parse and check the shape of input; the rules (which countries an operator serves, the
last-admin guard, the removal guardrail) live in the services, whose ``DomainError`` the views
attach to the field it names.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries as all_countries

from portal.acknowledgements import ASSIGN_TEXT, ENABLE_TEXT
from portal.choices import (
    AuditAction,
    CallQuality,
    CallType,
    CompanySize,
    Direction,
    OperatorRole,
    OperatorService,
    PstnAssignmentStatus,
    TenantRole,
)
from portal.errors import DomainError
from portal.querysets import (
    CALL_WINDOW_DEFAULT_DAYS,
    CALL_WINDOW_MAX_DAYS,
    CALL_WINDOW_MESSAGE,
    uses_windowed_filter,
)
from portal.validation import normalize_phone

ACK_REQUIRED = _("Please tick the box to confirm you have read and accept the data transfer.")


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in with an e-mail address; the field keeps the name ``username`` (axes reads it)."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    # Django's own message names the model field ("email"), lower case and unhyphenated.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct e-mail address and password. The password is case-sensitive."
        ),
    }

    def get_invalid_login_error(self):
        # Set by control.account.backends.SSORequiredBackend when it refused the password.
        tenant = getattr(self.request, "sso_required_tenant", None)
        if tenant is not None:
            return forms.ValidationError(
                _(
                    "%(tenant)s requires single sign-on: use “Sign in with your organization "
                    "(SSO)” below instead of a password."
                )
                % {"tenant": tenant.name},
                code="sso_required",
            )
        return super().get_invalid_login_error()


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Dates and times in the portal are shown in this time zone."),
    )
    optional_emails = forms.BooleanField(
        label=_("E-mail me optional notifications"),
        required=False,
        help_text=_(
            "A tenant chose or resumed your operator, a notice names it, an export is "
            "ready, a relationship was signed. E-mails about data that stops flowing, and "
            "invitations, are always sent."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
        self.fields["time_zone"].choices = [(z, z.replace("_", " ")) for z in zones]


# --- Operator Connect -------------------------------------------------------------------------


class EnableForm(forms.Form):
    # The label is the first line of the recorded (English) text: shown with lang="en".
    acknowledged = forms.BooleanField(
        label=ENABLE_TEXT.text.split("\n", 1)[0],
        error_messages={"required": ACK_REQUIRED},
    )
    text_version = forms.CharField(widget=forms.HiddenInput, initial=ENABLE_TEXT.version)

    def clean_text_version(self) -> str:
        # The page a person read must be the text we record: refuse a stale form.
        if self.cleaned_data["text_version"] != ENABLE_TEXT.version:
            raise forms.ValidationError(_("The notice text changed. Please read it again."))
        return ENABLE_TEXT.version


class ConfirmForm(forms.Form):
    """An explicit confirmation for actions that take effect at once."""

    confirm = forms.BooleanField(
        label=_("Yes, I understand the consequences."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


# --- directory and assignments ---------------------------------------------------------------


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    service = forms.ChoiceField(
        label=_("Service"),
        required=False,
        choices=[("", _("Any service")), *OperatorService.choices],
    )

    def __init__(self, *args, country_codes: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country"))] + sorted(
            ((c, all_countries.name(c)) for c in country_codes), key=lambda c: c[1]
        )


class CountriesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Countries/regions"))
        kwargs.setdefault("error_messages", {"required": _("Choose at least one country.")})
        super().__init__(**kwargs)


class ContactForm(forms.Form):
    """The contact details shared with an operator."""

    contact_full_name = forms.CharField(label=_("Contact full name"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    company_size = forms.ChoiceField(
        label=_("Company size"), choices=[("", _("Choose…")), *CompanySize.choices]
    )
    contact_phone = forms.CharField(
        label=_("Contact phone (optional)"),
        required=False,
        max_length=32,
        help_text=_("International format, e.g. +44 20 7946 0000."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_contact_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["contact_phone"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None


class AssignForm(ContactForm):
    """Add an operator: countries it serves, contact shared, acknowledgement."""

    countries = CountriesField(help_text=_("Only the countries this operator serves are offered."))
    acknowledged = forms.BooleanField(
        label=ASSIGN_TEXT.text.split("\n", 1)[0], error_messages={"required": ACK_REQUIRED}
    )
    field_order = ["countries"]

    def __init__(self, *args, operator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = sorted(operator.country_choices(), key=lambda c: c[1])


class CountriesForm(forms.Form):
    countries = CountriesField(help_text=_("Removing a country stops sharing its data at once."))

    def __init__(self, *args, operator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = sorted(operator.country_choices(), key=lambda c: c[1])


# --- members ----------------------------------------------------------------------------------


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(
        label=_("Full name (optional)"),
        required=False,
        max_length=150,
        help_text=_(
            "Used if this person has no account yet. They get an e-mail with a link to "
            "choose a password; it works once and expires."
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=TenantRole.choices,
        initial=TenantRole.VIEWER,
        widget=forms.RadioSelect,
        help_text=_("Viewers can see everything; only admins can change anything."),
    )


class OperatorMemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(
        label=_("Full name (optional)"),
        required=False,
        max_length=150,
        help_text=_(
            "Used if this person has no account yet. They get an e-mail with a link to "
            "choose a password; it works once and expires."
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=OperatorRole.choices,
        initial=OperatorRole.ANALYST,
        widget=forms.RadioSelect,
        help_text=_(
            "Analysts see tenants and request and download exports; admins also set "
            "relationships and manage members."
        ),
    )


class OperatorMemberRoleForm(forms.Form):
    email = forms.EmailField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=OperatorRole.choices)


class MemberRoleForm(forms.Form):
    email = forms.EmailField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=TenantRole.choices)


class MemberRemoveForm(forms.Form):
    email = forms.EmailField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


# --- data lists -------------------------------------------------------------------------------


def _aware_day(day, *, end: bool = False) -> datetime:
    """Midnight of ``day`` in the current (the user's) time zone; the next midnight if ``end``."""
    if end:
        day = day + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))


class NumberFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    operator = forms.ChoiceField(label=_("Operator"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    status = forms.ChoiceField(
        label=_("Assignment"),
        required=False,
        choices=[
            ("", _("Any")),
            (PstnAssignmentStatus.UNASSIGNED, _("Unassigned")),
            (PstnAssignmentStatus.USER, _("User")),
            (PstnAssignmentStatus.VOICE_APP, _("Voice application")),
            (PstnAssignmentStatus.CONFERENCE, _("Conference")),
        ],
    )

    def __init__(self, *args, operators=(), country_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [("", _("Any operator"))] + [
            (o.slug, o.name) for o in operators
        ]
        self.fields["country"].choices = [("", _("Any country"))] + [
            (c, all_countries.name(c)) for c in country_codes
        ]


class DateRangeMixin(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data

    def time_range(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) as aware datetimes, with both dates inclusive, in the user's zone."""
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        return (
            _aware_day(start) if start else None,
            _aware_day(end, end=True) if end else None,
        )


class CallFilterForm(DateRangeMixin):
    operator = forms.ChoiceField(label=_("Operator"), required=False)
    direction = forms.ChoiceField(
        label=_("Direction"), required=False, choices=[("", _("Any")), *Direction.choices]
    )
    call_type = forms.ChoiceField(
        label=_("Call type"), required=False, choices=[("", _("Any")), *CallType.choices]
    )
    quality = forms.ChoiceField(
        label=_("Quality"), required=False, choices=[("", _("Any")), *CallQuality.choices]
    )

    def __init__(self, *args, operators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = [("", _("Any operator"))] + [
            (o.slug, o.name) for o in operators
        ]
        self.window_note = ""

    def clean(self):
        """Direction, call type and quality have no index: with any of them the list reads a
        window of days (``portal.querysets.call_window``), never the whole history."""
        data = super().clean()
        if self.errors or not uses_windowed_filter(data):
            return data
        start, end = data.get("date_from"), data.get("date_to")
        today = timezone.localdate()
        most, default = CALL_WINDOW_MAX_DAYS, CALL_WINDOW_DEFAULT_DAYS
        if end is None:
            end = today if start is None else max(start, min(today, start + timedelta(most - 1)))
        if start is None:
            start = end - timedelta(days=default - 1)
        if (end - start).days + 1 > most:
            self.add_error("date_from", CALL_WINDOW_MESSAGE)
            return data
        data["date_from"], data["date_to"] = start, end
        self.window_note = (
            f"Showing {start:%-d %b %Y} to {end:%-d %b %Y}: with direction, call type or "
            f"quality filters the list reads at most {most} days at a time (choose From and To)."
        )
        return data


class LocationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, country_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country"))] + [
            (c, all_countries.name(c)) for c in country_codes
        ]


class AuditFilterForm(DateRangeMixin):
    action = forms.ChoiceField(label="Action", required=False)
    actor = forms.ChoiceField(label="Who", required=False)
    operator = forms.ChoiceField(label="Operator", required=False)

    def __init__(self, *args, actors=(), operators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action")] + [
            (value, label[:1].upper() + label[1:]) for value, label in AuditAction.choices
        ]
        self.fields["actor"].choices = [("", "Anyone")] + [(str(pk), n) for pk, n in actors]
        self.fields["operator"].choices = [("", "Any operator")] + [
            (o.slug, o.name) for o in operators
        ]
