"""Reusable database-level checks, so bad rows are refused by PostgreSQL itself."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.db.models.lookups import Regex

E164_REGEX = r"^\+[1-9][0-9]{0,14}$"
COUNTRY_REGEX = r"^[A-Z]{2}$"


def e164(field: str, name: str, *, nullable: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{field}__regex": E164_REGEX})
    if nullable:
        condition |= Q(**{field: ""}) | Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


def country(field: str, name: str, *, blank: bool = False) -> models.CheckConstraint:
    # Cast first: django-countries' CountryField would "prepare" the pattern as a country name.
    condition = Q(Regex(Cast(field, models.CharField(max_length=2)), COUNTRY_REGEX))
    if blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


def one_of(field: str, choices, name: str, *, blank: bool = False) -> models.CheckConstraint:
    values = list(choices.values) + ([""] if blank else [])
    return models.CheckConstraint(condition=Q(**{f"{field}__in": values}), name=name)


def ordered(start: str, end: str, name: str) -> models.CheckConstraint:
    """``end`` is empty or not before ``start``."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": models.F(start)}),
        name=name,
    )
