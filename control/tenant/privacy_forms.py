"""Forms of the privacy pages: parse input, nothing else (services decide)."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError
from portal.retention_policy import MAX_DAYS, MIN_DAYS
from privacy.subjects import Subject, parse_subject

NUMBER_HELP = _("In international format, e.g. +442079460000.")
UPN_HELP = _("The user's sign-in name, e.g. anna@contoso.com.")


def _subject(form: forms.Form, number: str, upn: str, field: str) -> Subject | None:
    try:
        return parse_subject(number=number, upn=upn)
    except DomainError as exc:
        form.add_error(field, exc.message)
        return None


class SubjectForm(forms.Form):
    """One person: a phone number or a UPN."""

    number = forms.CharField(label=_("Phone number"), required=False, help_text=NUMBER_HELP)
    upn = forms.CharField(label=_("or UPN"), required=False, help_text=UPN_HELP, max_length=255)

    def clean(self):
        data = super().clean()
        number, upn = data.get("number", ""), data.get("upn", "")
        if number and upn:
            self.add_error("upn", _("Give a phone number or a UPN, not both."))
            return data
        field = "upn" if upn else "number"
        self.subject = _subject(self, number, upn, field)
        return data


class ErasureForm(forms.Form):
    """The person to erase (number and/or UPN), each typed twice: erasure cannot be undone."""

    number = forms.CharField(label=_("Phone number"), required=False, help_text=NUMBER_HELP)
    upn = forms.CharField(label=_("UPN"), required=False, help_text=UPN_HELP, max_length=255)
    confirm_number = forms.CharField(label=_("Type the phone number again"), required=False)
    confirm_upn = forms.CharField(label=_("Type the UPN again"), required=False, max_length=255)

    def __init__(self, *args, confirming: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.confirming = confirming
        if not confirming:
            del self.fields["confirm_number"]
            del self.fields["confirm_upn"]

    def clean(self):
        data = super().clean()
        number, upn = data.get("number", ""), data.get("upn", "")
        if not number and not upn:
            self.add_error("number", _("Give the phone number, the UPN, or both."))
            return data
        self.subjects = []
        for value, kind in ((number, "number"), (upn, "upn")):
            if not value:
                continue
            subject = _subject(self, *((value, "") if kind == "number" else ("", value)), kind)
            if subject is None:
                continue
            self.subjects.append(subject)
            if self.confirming:
                again = data.get(f"confirm_{kind}", "")
                try:
                    same = again and parse_subject(
                        **({"number": again} if kind == "number" else {"upn": again})
                    )
                except DomainError:
                    same = None
                if not same or same != subject:
                    self.add_error(f"confirm_{kind}", _("This does not match. Type it again."))
        return data


class RetentionForm(forms.Form):
    days = forms.IntegerField(
        label=_("Keep call records for (days)"),
        required=False,
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        help_text=format_lazy(
            _("From {low} to {high} days. Leave empty for your country's default."),
            low=MIN_DAYS,
            high=MAX_DAYS,
        ),
    )
