"""Serializer fields whose checks match what the OpenAPI schema promises clients."""

from __future__ import annotations

from django.db import models
from django_countries import countries
from rest_framework import serializers
from rest_framework.fields import empty

# A character that is neither a space (as Python's ``str.strip`` sees it) nor a control character.
# Spelled out: ``\s`` differs between Python and the ECMA-262 regexes of JSON Schema.
NOT_SPACE = r"[^\x00-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


class CharField(serializers.CharField):
    """``max_length`` counts the text as sent, as the schema's ``maxLength`` does.

    DRF trims surrounding whitespace before it checks the length, so a value over the limit by
    its spaces was accepted although the schema (and a client checking against it) says it is
    too long. Found by Schemathesis (ST201, "schema-violating request accepted").
    """

    def run_validation(self, data=empty):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        # DRF turns a number into text; the schema says string, so a number is refused.
        if data is not empty and data is not None and not isinstance(data, str):
            self.fail("invalid")
        return super().run_validation(data)

    def openapi_schema(self) -> dict:
        # No NUL character (DRF refuses them); trimmed, spaces alone are blank: a required text
        # needs one character that is not a space.
        if self.trim_whitespace and not self.allow_blank:
            return {"pattern": f"^[^\\x00]*{NOT_SPACE}[^\\x00]*$"}
        # Blank allowed: drf-spectacular adds "or empty" (oneOf); this branch is the non-empty one.
        return {"pattern": r"^[^\x00]+$"}


# A telephone number as the portal reads it (``portal.validation.normalize_phone``): valid in its
# country's numbering plan, in international format. JSON Schema has no way to state a numbering
# plan: the schema names the format, "phone", whose rule is this description.
PHONE_FORMAT = {
    "format": "phone",
    "description": "A telephone number valid in its country's numbering plan, in international "
    "format (E.164, e.g. +442079460000; spaces are allowed).",
}


class PhoneNumberField(CharField):
    def openapi_schema(self) -> dict:
        return {**super().openapi_schema(), **PHONE_FORMAT}


# A public https URL as Django's URLValidator accepts it: a host name with a dot and a top-level
# domain (at most 253 characters), an optional port, then anything but spaces. Written out so
# clients (and Schemathesis) can check a link before sending it.
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"{_LABEL}(?:\.{_LABEL}){{0,2}}\.[A-Za-z]{{2,24}}"
HTTPS_URL = rf"https://{_HOST}(?::[0-9]{{1,4}})?(?:[/?#]{NOT_SPACE}*)?"


class HttpsLinkSchema:
    """The schema of a link that must be https (the service checks the scheme)."""

    def openapi_schema(self) -> dict:
        # Blank allowed: drf-spectacular adds "or empty" (oneOf) beside this.
        return {"format": "uri", "pattern": f"^{HTTPS_URL}$"}


class HttpsURLField(HttpsLinkSchema, serializers.URLField):
    """An operator's link on the notice: a URL (Django's check), https (the service's)."""


class HttpsURLTextField(HttpsLinkSchema, CharField):
    """A webhook endpoint's URL: the service alone checks it (``check_url``)."""


class MustBeTrueField(serializers.BooleanField):
    """An acknowledgement: only ``true`` is accepted (the service refuses ``false``)."""

    def openapi_schema(self) -> dict:
        return {"enum": [True]}


COUNTRY_CODES = sorted(code for code, _name in countries)


class CountryCodeField(serializers.RegexField):
    """An ISO 3166-1 alpha-2 code the portal knows (``portal.validation.country_codes`` refuses
    the others); the schema lists them."""

    def __init__(self, **kwargs):
        super().__init__(r"^[A-Za-z]{2}$", max_length=2, **kwargs)

    def openapi_schema(self) -> dict:
        return {"enum": COUNTRY_CODES, "pattern": None}


class ModelSerializer(serializers.ModelSerializer):
    """A model serializer whose text fields are the ``CharField`` above."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: CharField,
        models.TextField: CharField,
        models.URLField: HttpsURLField,
    }
