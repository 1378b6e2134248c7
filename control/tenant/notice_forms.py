"""Forms of the tenant notice pages: they parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from notices.choices import LegalBasis


class PublishForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Note for the history (optional, not shown to end users)"),
    )
    effective_on = forms.DateField(
        required=False,
        label=_("Takes effect on (optional; empty: now)"),
        help_text=_("A future date announces the change: it applies at 00:00 UTC that day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class NoticeSettingsForm(forms.Form):
    introduction = forms.CharField(
        required=False,
        label=_("Introduction"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown above the generated notice. It cannot replace or change required text."),
    )
    contact_name = forms.CharField(required=False, max_length=200, label=_("Contact name"))
    contact_email = forms.EmailField(required=False, label=_("Contact e-mail"))
    contact_phone = forms.CharField(required=False, max_length=32, label=_("Contact phone"))
    contact_url = forms.URLField(
        required=False, max_length=500, label=_("Contact web page"), assume_scheme="https"
    )
    contact_address = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Postal address"),
    )
    legal_basis = forms.ChoiceField(
        required=False,
        choices=[("", _("Default for your country: legitimate interests")), *LegalBasis.choices],
        label=_("Legal basis"),
    )
    numbers_retention_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label=_("Days numbers are kept after release"),
        help_text=_("Empty: 90 days."),
    )
    locations_retention_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label=_("Days emergency locations are kept after use"),
        help_text=_("Empty: 90 days. Call records are kept per your country's retention period."),
    )
    dpo_name = forms.CharField(required=False, max_length=200, label=_("Data protection officer"))
    dpo_email = forms.EmailField(required=False, label=_("Data protection officer's e-mail"))
    authority_name = forms.CharField(
        required=False,
        max_length=200,
        label=_("Data protection authority (name)"),
        help_text=_("Empty: the authority of your organization's country (EEA, UK, Switzerland)."),
    )
    authority_url = forms.URLField(
        required=False, max_length=500, label=_("Data protection authority (web site)"),
        assume_scheme="https",
    )  # fmt: skip


class DiffForm(forms.Form):
    a = forms.IntegerField(min_value=1, label=_("From version"))
    b = forms.IntegerField(min_value=1, label=_("To version"))


class InForceForm(forms.Form):
    on = forms.DateField(
        label=_("Version in force on"), widget=forms.DateInput(attrs={"type": "date"})
    )
