"""Seed one tenant with a published notice for ``scripts/bench_notice.sh`` (idempotent)."""

from django.db import transaction

from notices.models import NoticeVersion
from notices.services import notice_status, publish_notice
from portal import services
from portal.choices import CompanySize, TenantRole
from portal.models import Membership, Operator, OperatorCountry, Tenant, User

SLUG = "bench-notice"
OPERATORS = [
    ("Bench Telecom", "bench-telecom", ["DE", "FR", "GB"]),
    ("Bench Voice", "bench-voice", ["ES", "IT"]),
    ("Bench Calls", "bench-calls", ["NL", "BE", "LU"]),
]


@transaction.atomic
def seed_bench_tenant() -> str:
    """Create (once) a tenant using three operators and publish its notice. Returns its slug."""
    admin, _ = User.objects.get_or_create(
        email="bench-admin@bench.example", defaults={"full_name": "Bench Admin"}
    )
    tenant, _ = Tenant.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "Bench Organization",
            "country": "DE",
            "privacy_contact_name": "Data Protection Officer",
            "privacy_contact_email": "privacy@bench.example",
        },
    )
    Membership.objects.get_or_create(user=admin, tenant=tenant, defaults={"role": TenantRole.ADMIN})
    if not tenant.operator_connect_enabled:
        services.enable_operator_connect(tenant, by=admin, acknowledged=True)
    for name, slug, countries in OPERATORS:
        operator, _ = Operator.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "privacy_policy_url": f"https://{slug}.example/privacy",
                "terms_url": f"https://{slug}.example/terms",
            },
        )
        for code in countries:
            OperatorCountry.objects.get_or_create(operator=operator, country=code)
        if not operator.assignments.filter(tenant=tenant).exists():
            services.assign_operator(
                tenant,
                operator,
                countries=countries,
                contact_full_name="Bench Admin",
                contact_email="bench-admin@bench.example",
                company_size=CompanySize.S1001_5000,
                acknowledged=True,
                by=admin,
            )
    if notice_status(tenant).can_publish:
        publish_notice(tenant, by=admin, note="Benchmark")
    assert NoticeVersion.objects.for_tenant(tenant).exists()
    return tenant.slug
