"""Forms of tenant single sign-on (docs/sso.md). Rules live in ``portal.services.sso``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SSOSettingsForm(forms.Form):
    issuer = forms.CharField(
        label=_("Issuer URL"),
        max_length=400,
        help_text=_("For Microsoft Entra ID: https://login.microsoftonline.com/<tenant-id>/v2.0"),
        widget=forms.TextInput(attrs={"spellcheck": "false", "inputmode": "url"}),
    )
    client_id = forms.CharField(
        label=_("Client (application) ID"), max_length=255, widget=forms.TextInput()
    )
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=1000,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted and never shown again. Leave blank to keep the saved one."),
    )
    enabled = forms.BooleanField(
        label=_("Members can sign in with this identity provider"), required=False
    )
    require_sso = forms.BooleanField(
        label=_("Require single sign-on: members can no longer sign in with a password"),
        required=False,
    )


class DomainForm(forms.Form):
    domain = forms.CharField(
        label=_("E-mail domain"),
        max_length=253,
        help_text=_(
            "People with an address in a verified domain are sent to your identity provider "
            "and join as viewers on their first sign-in. Platform staff verify each domain."
        ),
    )


class DiscoveryForm(forms.Form):
    email = forms.EmailField(
        label=_("Work e-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
