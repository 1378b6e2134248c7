from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.choices import AssignmentStatus, CompanySize, PeriodEndReason, RelationshipStatus
from portal.models.constraints import country, e164, one_of, ordered
from portal.querysets import AssignmentPeriodQuerySet, OperatorAssignmentQuerySet


class OperatorAssignment(models.Model):
    """A tenant's choice of an operator: countries, contact shared, status, relationship."""

    tenant = models.ForeignKey(
        "portal.Tenant", on_delete=models.CASCADE, related_name="assignments"
    )
    operator = models.ForeignKey(
        "portal.Operator", on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField(
        max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    contact_full_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=16, blank=True)
    company_size = models.CharField(max_length=16, choices=CompanySize.choices)
    acknowledgement = models.ForeignKey(
        "portal.Acknowledgement", on_delete=models.PROTECT, related_name="+"
    )
    relationship_status = models.CharField(
        max_length=20, choices=RelationshipStatus.choices, default=RelationshipStatus.PENDING
    )
    relationship_reason = models.TextField(blank=True)
    relationship_changed_at = models.DateTimeField(null=True, blank=True)
    relationship_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OperatorAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["operator__name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "operator"], name="assignment_unique"),
            # Target of the composite foreign key from AssignmentCountry (see migration 0002).
            models.UniqueConstraint(fields=["id", "operator"], name="assignment_id_operator"),
            one_of("status", AssignmentStatus, "assignment_status_valid"),
            one_of("relationship_status", RelationshipStatus, "assignment_relationship_valid"),
            one_of("company_size", CompanySize, "assignment_company_size_valid"),
            e164("contact_phone", "assignment_contact_phone_e164", nullable=True),
            models.CheckConstraint(
                condition=~models.Q(
                    relationship_status__in=[
                        RelationshipStatus.DECLINED,
                        RelationshipStatus.TERMINATED,
                    ]
                )
                | ~models.Q(relationship_reason=""),
                name="assignment_relationship_reason_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant} → {self.operator}"

    @property
    def country_codes(self) -> list[str]:
        return sorted(c.country for c in self.countries.all())


class AssignmentCountry(models.Model):
    """A country in which a tenant uses an operator.

    On PostgreSQL two composite foreign keys make "countries of an assignment ⊆ countries the
    operator serves" a database rule: (operator, country) → OperatorCountry and
    (assignment, operator) → OperatorAssignment(id, operator).
    """

    assignment = models.ForeignKey(
        OperatorAssignment, on_delete=models.CASCADE, related_name="countries"
    )
    operator = models.ForeignKey("portal.Operator", on_delete=models.PROTECT, related_name="+")
    country = models.CharField(max_length=2)

    class Meta:
        ordering = ["country"]
        verbose_name_plural = "assignment countries"
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "country"], name="assignment_country_unique"
            ),
            country("country", "assignment_country_iso"),
        ]

    def __str__(self) -> str:
        return self.country


class AssignmentPeriod(models.Model):
    """A span during which an assignment was active, with the countries it covered.

    Kept forever: these periods decide what the operator may receive (invariant I2). Changing
    countries closes the open period and opens a new one, so history stays exact.
    """

    assignment = models.ForeignKey(
        OperatorAssignment, on_delete=models.CASCADE, related_name="periods"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    countries = models.JSONField(default=list)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(max_length=20, choices=PeriodEndReason.choices, blank=True)

    objects = AssignmentPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["started_at"]
        constraints = [
            ordered("started_at", "ended_at", "assignment_period_ordered"),
            models.UniqueConstraint(
                fields=["assignment"],
                condition=models.Q(ended_at__isnull=True),
                name="assignment_one_open_period",
            ),
            one_of("end_reason", PeriodEndReason, "assignment_period_reason_valid", blank=True),
        ]

    def __str__(self) -> str:
        end = f"{self.ended_at:%Y-%m-%d}" if self.ended_at else "now"
        return f"{self.started_at:%Y-%m-%d} – {end} ({', '.join(self.countries)})"
