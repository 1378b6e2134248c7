"""The operator directory and tenant onboarding, maintained by platform staff.

Audit details name the fields that changed, never their values: a privacy contact's postal
address is personal data and must not be copied into the audit log (invariant I8).
"""

import uuid
from typing import Any

from django.db import IntegrityError, transaction

from portal.choices import AuditAction, OperatorService
from portal.errors import Conflict, DomainError
from portal.models import AssignmentCountry, Operator, OperatorCountry, Tenant, User
from portal.models.tenants import masks_by_default
from portal.services.audit import record_event
from portal.validation import country_codes, country_list, secure_link

OPERATOR_FIELDS = (
    "name",
    "slug",
    "privacy_policy_url",
    "terms_url",
    "website",
    "support_email",
    "support_phone",
    "description",
    "services",
    "is_active",
    "processing_countries",
    "transfer_mechanism",
)
TENANT_FIELDS = (
    "name",
    "slug",
    "microsoft_tenant_id",
    "country",
    "privacy_contact_name",
    "privacy_contact_email",
    "privacy_contact_address",
    "mask_external_digits",
)


LINK_FIELDS = ("privacy_policy_url", "terms_url", "website")


def _check_links(fields: dict) -> None:
    for name in LINK_FIELDS:
        if name in fields:
            secure_link(fields[name], field=name)


def _checked_services(services) -> list[str]:
    values = sorted({str(s) for s in services or []})
    unknown = [s for s in values if s not in OperatorService.values]
    if unknown:
        raise DomainError(f"Unknown service: {', '.join(unknown)}.", field="services")
    return values


def _refuse_duplicate(model, field: str, value, exclude_pk=None, label: str = "") -> None:
    lookup = field if field == "microsoft_tenant_id" else f"{field}__iexact"
    qs = model.objects.filter(**{lookup: value})
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        what = field.replace("_", " ")
        raise Conflict(f"Another {label} already uses this {what}.", code="duplicate", field=field)


def countries_in_use(operator: Operator, dropped) -> dict[str, list[str]]:
    """Of the ``dropped`` countries, those a tenant's assignment still uses, with the tenants.

    The one rule behind "a country still used by a tenant can't leave the directory" (the
    composite foreign key enforces it in PostgreSQL; this names who is in the way).
    """
    used: dict[str, set[str]] = {}
    rows = AssignmentCountry.objects.filter(operator=operator, country__in=list(dropped))
    for country, tenant in rows.values_list("country", "assignment__tenant__name"):
        used.setdefault(country, set()).add(tenant)
    return {country: sorted(tenants) for country, tenants in sorted(used.items())}


def _set_operator_countries(operator: Operator, codes: list[str]) -> None:
    dropped = set(operator.countries.values_list("country", flat=True)) - set(codes)
    in_use = countries_in_use(operator, dropped)
    if in_use:
        raise Conflict(
            f"Tenants still use {operator.name} in {country_list(sorted(in_use))}; "
            "they must drop those countries first.",
            code="countries_in_use",
            field="countries",
        )
    operator.countries.exclude(country__in=codes).delete()
    existing = set(operator.countries.values_list("country", flat=True))
    OperatorCountry.objects.bulk_create(
        OperatorCountry(operator=operator, country=c) for c in codes if c not in existing
    )


@transaction.atomic
def create_operator(*, countries, by: User, ip: str | None = None, **fields: Any) -> Operator:
    """Add a carrier to the directory, with the countries it serves."""
    unknown = set(fields) - set(OPERATOR_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected operator fields: {sorted(unknown)}")
    codes = country_codes(countries or [])
    if not codes:
        raise DomainError("Choose at least one country.", field="countries")
    _check_links(fields)
    if "services" in fields:
        fields["services"] = _checked_services(fields["services"])
    _refuse_duplicate(Operator, "slug", fields.get("slug", ""), label="operator")
    _refuse_duplicate(Operator, "name", fields.get("name", ""), label="operator")
    operator = Operator.objects.create(**fields)
    _set_operator_countries(operator, codes)
    record_event(
        AuditAction.OPERATOR_CREATED,
        actor=by,
        operator=operator,
        target=operator,
        target_label=operator.name,
        ip=ip,
        countries=codes,
    )
    return operator


@transaction.atomic
def update_operator(
    operator: Operator, *, by: User, ip: str | None = None, countries=None, **fields: Any
) -> Operator:
    """Change a directory entry. Countries still used by a tenant can't be dropped."""
    unknown = set(fields) - set(OPERATOR_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected operator fields: {sorted(unknown)}")
    _check_links(fields)
    operator = Operator.objects.select_for_update().get(pk=operator.pk)
    if "services" in fields:
        fields["services"] = _checked_services(fields["services"])
    for unique in ("slug", "name"):
        if unique in fields:
            _refuse_duplicate(Operator, unique, fields[unique], operator.pk, "operator")
    changed = [f for f, v in fields.items() if getattr(operator, f) != v]
    for field in changed:
        setattr(operator, field, fields[field])
    if changed:
        operator.save(update_fields=changed)
    if countries is not None:
        codes = country_codes(countries)
        if not codes:
            raise DomainError("Choose at least one country.", field="countries")
        if codes != operator.country_codes:
            _set_operator_countries(operator, codes)
            changed.append("countries")
    if not changed:
        return operator
    record_event(
        AuditAction.OPERATOR_UPDATED,
        actor=by,
        operator=operator,
        target=operator,
        target_label=operator.name,
        ip=ip,
        summary=", ".join(changed),
        fields=changed,
    )
    return operator


@transaction.atomic
def create_tenant(*, by: User, ip: str | None = None, **fields: Any) -> Tenant:
    """Onboard an organization. Its admins are added as members afterwards."""
    unknown = set(fields) - set(TENANT_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected tenant fields: {sorted(unknown)}")
    fields.setdefault("microsoft_tenant_id", uuid.uuid4())
    # Only a default: a caller's explicit choice (even "off" in Germany) is kept.
    fields.setdefault("mask_external_digits", masks_by_default(fields.get("country", "")))
    _refuse_duplicate(Tenant, "slug", fields.get("slug", ""), label="organization")
    _refuse_duplicate(
        Tenant, "microsoft_tenant_id", fields["microsoft_tenant_id"], label="organization"
    )
    try:
        with transaction.atomic():
            tenant = Tenant.objects.create(**fields)
    except IntegrityError:  # a concurrent create won the race for the slug
        raise Conflict(
            "Another organization already uses this slug.", code="duplicate", field="slug"
        ) from None
    record_event(
        AuditAction.TENANT_CREATED,
        actor=by,
        tenant=tenant,
        target=tenant,
        target_label=tenant.name,
        ip=ip,
    )
    return tenant


@transaction.atomic
def update_tenant(tenant: Tenant, *, by: User, ip: str | None = None, **fields: Any) -> Tenant:
    """Change an organization's details, e.g. the privacy contact shown on its notice."""
    unknown = set(fields) - set(TENANT_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected tenant fields: {sorted(unknown)}")
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if "slug" in fields:
        _refuse_duplicate(Tenant, "slug", fields["slug"], tenant.pk, "organization")
    if "microsoft_tenant_id" in fields:
        _refuse_duplicate(
            Tenant, "microsoft_tenant_id", fields["microsoft_tenant_id"], tenant.pk, "organization"
        )
    changed = [f for f, v in fields.items() if getattr(tenant, f) != v]
    if not changed:
        return tenant
    for field in changed:
        setattr(tenant, field, fields[field])
    tenant.save(update_fields=changed)
    record_event(
        AuditAction.TENANT_UPDATED,
        actor=by,
        tenant=tenant,
        target=tenant,
        target_label=tenant.name,
        ip=ip,
        summary=", ".join(f.replace("_", " ") for f in changed),
        fields=changed,
    )
    return tenant
