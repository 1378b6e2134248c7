"""Demo-like data for the browser test and for looking at the pages by hand.

Used by ``tests/browser`` and, against a development database, by
``manage.py shell -c "from tests.browser.demo import build; build()"``. Operators, numbers and
call records are platform data (ingested in real life), so they are made with factories; the
tenant's own decisions are left to the person driving the browser.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.utils import timezone

from portal.choices import (
    CallQuality,
    CallType,
    Direction,
    NumberUsage,
    PstnAssignmentStatus,
    TenantRole,
)
from portal.models import PhoneNumberPeriod
from tests.factories import (
    CallRecordFactory,
    EmergencyLocationFactory,
    OperatorFactory,
    PhoneNumberFactory,
    TenantFactory,
    UserFactory,
    membership,
)

ADMIN_EMAIL = "anna@contoso.example"
PASSWORD = "correct-horse-battery-staple"

OPERATORS = [
    (
        "Northwind Telecom",
        "northwind",
        ["GB", "DE", "FR", "IE"],
        ["calling", "mobile", "emergency"],
    ),
    ("Tailspin Voice", "tailspin", ["DE", "AT", "CH", "NL"], ["calling", "conferencing"]),
    ("Litware Connect", "litware", ["US", "CA", "GB"], ["calling", "contact_center"]),
]

FIRST = ["Anna", "Ben", "Chloé", "Dieter", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas"]
LAST = ["Schmidt", "Taylor", "Dubois", "Müller", "Evans", "Rossi", "Byrne", "Novak"]


def build(*, calls: int = 400, seed: int = 7):
    """Create tenant Contoso with admin Anna, three operators, numbers, locations, calls."""
    rng = random.Random(seed)
    anna = UserFactory(
        email=ADMIN_EMAIL, full_name="Anna Admin", time_zone="Europe/London", password=PASSWORD
    )
    tenant = TenantFactory(name="Contoso Ltd", slug="contoso", country="GB")
    membership(anna, tenant, TenantRole.ADMIN)
    operators = {}
    for name, slug, countries, services in OPERATORS:
        operators[slug] = OperatorFactory(
            name=name,
            slug=slug,
            countries=countries,
            services=services,
            description=f"{name} brings Teams calling to the public phone network in "
            f"{', '.join(countries)}, with local numbers and emergency calling.",
            website=f"https://{slug}.example",
            support_email=f"support@{slug}.example",
        )
    locations = [
        EmergencyLocationFactory(
            tenant=tenant, company_name="Contoso Ltd", house_number="1", street_name="Canada",
            street_suffix="Square", city="London", postal_code="E14 5AB", country="GB",
            place_name="Floor 12", description="London HQ",
        ),
        EmergencyLocationFactory(
            tenant=tenant, company_name="Contoso GmbH", house_number="5", street_name="Friedrichstraße",
            city="Berlin", postal_code="10117", country="DE", description="Berlin office",
        ),
        EmergencyLocationFactory(
            tenant=tenant, company_name="Contoso SARL", house_number="20", street_name="Rue de Rivoli",
            city="Paris", postal_code="75004", country="FR", description="Paris office",
        ),
    ]  # fmt: skip
    by_country = {loc.country: loc for loc in locations}
    now = timezone.now()
    numbers = []
    plan = [("northwind", "GB", "+44207946", 24), ("northwind", "DE", "+49301234", 12),
            ("tailspin", "DE", "+49895550", 8), ("northwind", "FR", "+33142685", 6)]  # fmt: skip
    for slug, country, prefix, count in plan:
        for i in range(count):
            assigned = i % 3 != 2 and slug == "northwind"
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            upn = name.lower().replace(" ", ".").replace("é", "e").replace("ü", "u")
            number = PhoneNumberFactory(
                telephone_number=f"{prefix}{i:03d}",
                tenant=tenant,
                operator=operators[slug],
                iso_country_code=country,
                usage=NumberUsage.USER if assigned else NumberUsage.VOICE_APP,
                pstn_assignment_status=PstnAssignmentStatus.USER
                if assigned
                else PstnAssignmentStatus.UNASSIGNED,
                assigned_upn=f"{upn}@contoso.example" if assigned else "",
                assigned_display_name=name if assigned else "",
                emergency_location=by_country.get(country),
                acquired_at=now - timedelta(days=200),
                capabilities=["InboundCalling", "OutboundCalling"],
            )
            PhoneNumberPeriod.objects.create(
                number=number, operator=operators[slug], started_at=now - timedelta(days=200),
                ended_at=now - timedelta(days=90) if assigned else None,
            )  # fmt: skip
            if assigned:
                PhoneNumberPeriod.objects.create(
                    number=number, operator=operators[slug], assigned_upn=number.assigned_upn,
                    started_at=now - timedelta(days=90),
                )  # fmt: skip
            numbers.append(number)
    for _ in range(calls):
        number = rng.choice(numbers)
        inbound = rng.random() < 0.45
        when = now - timedelta(minutes=rng.randint(5, 60 * 24 * 170))
        poor = rng.random() < 0.12
        CallRecordFactory(
            tenant=tenant,
            operator=number.operator,
            call_id=str(uuid.UUID(int=rng.getrandbits(128))),
            correlation_id=uuid.UUID(int=rng.getrandbits(128)),
            call_type=CallType.USER_IN if inbound else CallType.USER_OUT,
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            caller_number="+4477009" + f"{rng.randint(0, 99999):05d}"
            if inbound
            else number.telephone_number,
            callee_number=number.telephone_number
            if inbound
            else "+4420794" + f"{rng.randint(0, 99999):05d}",
            user_upn=number.assigned_upn,
            user_display_name=number.assigned_display_name,
            invite_time=when,
            start_time=when + timedelta(seconds=3),
            end_time=when + timedelta(seconds=3 + (d := rng.randint(10, 1800))),
            duration_seconds=d,
            tenant_country=number.iso_country_code,
            quality=CallQuality.POOR if poor else CallQuality.GOOD,
            jitter_avg_ms=45.0 if poor else 8.0,
            packet_loss_avg=0.12 if poor else 0.004,
            rtt_avg_ms=520.0 if poor else 60.0,
            mos_avg=2.6 if poor else 4.3,
        )
    return anna, tenant, operators
