from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_countries import countries as all_countries
from django_countries.fields import CountryField

from portal.choices import TransferMechanism
from portal.models.constraints import country
from portal.privacy_law import outside_eea
from portal.querysets import OperatorQuerySet
from portal.validation import validate_secure_link


class Operator(models.Model):
    """A carrier in the Operator Connect directory, maintained by platform staff."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    privacy_policy_url = models.URLField(max_length=500, validators=[validate_secure_link])
    terms_url = models.URLField(max_length=500, validators=[validate_secure_link])
    website = models.URLField(max_length=500, blank=True, validators=[validate_secure_link])
    support_email = models.EmailField(blank=True)
    support_phone = models.CharField(max_length=32, blank=True)
    description = models.TextField(blank=True)
    services = models.JSONField(default=list, blank=True, help_text="OperatorService values.")
    is_active = models.BooleanField(default=True)
    links_checked_at = models.DateTimeField(null=True, blank=True)
    links_broken = models.JSONField(default=dict, blank=True)
    # Where the operator processes the data it receives, and the safeguard for any country
    # outside the EEA. Maintained by platform staff; the notice states both (docs/notice.md).
    processing_countries = CountryField(
        multiple=True,
        blank=True,
        help_text="Countries where the operator processes the data it receives.",
    )
    transfer_mechanism = models.CharField(
        max_length=16,
        choices=TransferMechanism.choices,
        blank=True,
        default="",
        help_text="The safeguard for processing outside the EEA (required if there is any).",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OperatorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if outside_eea(self.processing_codes) and not self.transfer_mechanism:
            raise ValidationError(
                {
                    "transfer_mechanism": "This operator processes data outside the EEA "
                    f"({', '.join(outside_eea(self.processing_codes))}): name the safeguard."
                }
            )

    @property
    def processing_codes(self) -> list[str]:
        """ISO codes of the countries where the operator processes data, sorted."""
        return sorted(str(c.code if hasattr(c, "code") else c) for c in self.processing_countries)

    @property
    def country_codes(self) -> list[str]:
        return sorted(c.country for c in self.countries.all())

    def country_choices(self) -> list[tuple[str, str]]:
        return [(code, all_countries.name(code)) for code in self.country_codes]


class OperatorCountry(models.Model):
    """A country an operator serves. Assignments may only use these."""

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="countries")
    country = models.CharField(max_length=2)

    class Meta:
        ordering = ["country"]
        verbose_name_plural = "operator countries"
        constraints = [
            models.UniqueConstraint(fields=["operator", "country"], name="operator_country_unique"),
            country("country", "operator_country_iso"),
        ]

    def __str__(self) -> str:
        return self.country
