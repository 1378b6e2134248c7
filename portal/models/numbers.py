import uuid

from django.db import models
from django.utils import timezone

from portal.choices import ActivationState, NumberUsage, PstnAssignmentStatus, ValidationStatus
from portal.models.constraints import country, e164, one_of, ordered
from portal.querysets import EmergencyLocationQuerySet, PhoneNumberQuerySet


class EmergencyLocation(models.Model):
    """A civic address (and optional place inside it) used for emergency calls."""

    location_id = models.UUIDField(unique=True, default=uuid.uuid4)
    tenant = models.ForeignKey(
        "portal.Tenant", on_delete=models.CASCADE, related_name="emergency_locations"
    )
    company_name = models.CharField(max_length=200)
    house_number = models.CharField(max_length=20, blank=True)
    house_number_suffix = models.CharField(max_length=20, blank=True)
    pre_directional = models.CharField(max_length=10, blank=True)
    street_name = models.CharField(max_length=200, blank=True)
    street_suffix = models.CharField(max_length=30, blank=True)
    post_directional = models.CharField(max_length=10, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_or_province = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    elin = models.CharField(max_length=32, blank=True)
    place_name = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=200, blank=True)
    validation_status = models.CharField(
        max_length=16, choices=ValidationStatus.choices, default=ValidationStatus.NOT_VALIDATED
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EmergencyLocationQuerySet.as_manager()

    class Meta:
        ordering = ["company_name", "city", "street_name"]
        constraints = [
            country("country", "emergency_location_country_iso"),
            one_of("validation_status", ValidationStatus, "emergency_location_status_valid"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="emergency_location_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="emergency_location_longitude_range",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "country"])]

    def __str__(self) -> str:
        return f"{self.company_name}, {self.city} ({self.country})"

    @property
    def street_line(self) -> str:
        parts = [
            self.house_number + self.house_number_suffix,
            self.pre_directional,
            self.street_name,
            self.street_suffix,
            self.post_directional,
        ]
        return " ".join(p for p in parts if p)

    def snapshot(self) -> dict:
        """The dispatchable location as it is now, for a call record to keep."""
        fields = [
            "company_name", "house_number", "house_number_suffix", "pre_directional",
            "street_name", "street_suffix", "post_directional", "city", "state_or_province",
            "postal_code", "country", "elin", "place_name",
        ]  # fmt: skip
        data = {f: getattr(self, f) for f in fields}
        data["location_id"] = str(self.location_id)
        data["latitude"] = str(self.latitude) if self.latitude is not None else None
        data["longitude"] = str(self.longitude) if self.longitude is not None else None
        return data


class PhoneNumber(models.Model):
    """A telephone number an operator uploaded to a tenant."""

    telephone_number = models.CharField(max_length=16, unique=True)
    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="numbers")
    operator = models.ForeignKey(
        "portal.Operator", on_delete=models.PROTECT, related_name="numbers"
    )
    sip_uri = models.CharField(max_length=255, blank=True)
    number_type = models.CharField(max_length=20, default="OperatorConnect")
    usage = models.CharField(max_length=32, choices=NumberUsage.choices, default=NumberUsage.USER)
    capabilities = models.JSONField(default=list, blank=True)
    pstn_assignment_status = models.CharField(
        max_length=32, choices=PstnAssignmentStatus.choices, default=PstnAssignmentStatus.UNASSIGNED
    )
    activation_state = models.CharField(
        max_length=24, choices=ActivationState.choices, default=ActivationState.ACTIVATED
    )
    assigned_upn = models.CharField("assigned user (UPN)", max_length=255, blank=True)
    assigned_display_name = models.CharField(max_length=255, blank=True)
    assigned_object_id = models.UUIDField(null=True, blank=True)
    iso_country_code = models.CharField(max_length=2)
    city = models.CharField(max_length=100, blank=True)
    emergency_location = models.ForeignKey(
        EmergencyLocation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="phone_numbers",
    )
    allow_tenant_address_update = models.BooleanField(default=False)
    acquired_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PhoneNumberQuerySet.as_manager()

    class Meta:
        ordering = ["telephone_number"]
        constraints = [
            e164("telephone_number", "phone_number_e164"),
            country("iso_country_code", "phone_number_country_iso"),
            one_of("usage", NumberUsage, "phone_number_usage_valid"),
            one_of("pstn_assignment_status", PstnAssignmentStatus, "phone_number_pstn_valid"),
            one_of("activation_state", ActivationState, "phone_number_activation_valid"),
            ordered("acquired_at", "released_at", "phone_number_acquired_before_released"),
        ]
        indexes = [models.Index(fields=["tenant", "operator", "iso_country_code"])]

    def __str__(self) -> str:
        return self.telephone_number


class PhoneNumberPeriod(models.Model):
    """History of a number: which operator carried it and which user held it, when."""

    number = models.ForeignKey(PhoneNumber, on_delete=models.CASCADE, related_name="periods")
    operator = models.ForeignKey("portal.Operator", on_delete=models.PROTECT, related_name="+")
    assigned_upn = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        constraints = [
            ordered("started_at", "ended_at", "phone_number_period_ordered"),
            models.UniqueConstraint(
                fields=["number"],
                condition=models.Q(ended_at__isnull=True),
                name="phone_number_one_open_period",
            ),
        ]

    def __str__(self) -> str:
        end = f"{self.ended_at:%Y-%m-%d}" if self.ended_at else "now"
        return f"{self.started_at:%Y-%m-%d} – {end}"
