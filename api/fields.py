"""Serializer fields whose checks match what the OpenAPI schema promises clients."""

from __future__ import annotations

from django.db import models
from rest_framework import serializers
from rest_framework.fields import empty


class CharField(serializers.CharField):
    """``max_length`` counts the text as sent, as the schema's ``maxLength`` does.

    DRF trims surrounding whitespace before it checks the length, so a value over the limit by
    its spaces was accepted although the schema (and a client checking against it) says it is
    too long. Found by Schemathesis (ST201, "schema-violating request accepted").
    """

    def run_validation(self, data=empty):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)


class ModelSerializer(serializers.ModelSerializer):
    """A model serializer whose text fields are the ``CharField`` above."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: CharField,
        models.TextField: CharField,
    }
