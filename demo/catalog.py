"""What the demo world is made of: operators, tenants, people and the assignment timeline.

Pure data, no database access, so ``demo_logins`` and the tests can read it without seeding.
Every domain is an ``.example`` domain (RFC 2606): nothing here points at the real internet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from portal.choices import (
    CompanySize,
    OperatorRole,
    OperatorService,
    RelationshipStatus,
    TenantRole,
)

DEMO_PASSWORD = "operator-connect-demo"  # noqa: S105 (a published demo password, by design)
# Operator users and staff must use a second factor (docs/mfa.md): the demo gives each of them an
# authenticator app with this published key (base32 DEMOOTPDEMOOTPDEMOOTPDEMOOTPDEMOO).
# ``manage.py demo_logins`` prints the current code.
DEMO_TOTP_KEY = "1918e74de3231ce9bc64639d378c8c73a6f1918e"
_NAMESPACE = uuid.UUID("6f1c4d1e-2b7a-4c38-9f7e-0de7c0a5e0c1")


def demo_uuid(*parts: object) -> uuid.UUID:
    """A stable UUID for a demo object, so two runs name the same thing the same way."""
    return uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in parts))


@dataclass(frozen=True)
class OperatorSpec:
    slug: str
    name: str
    countries: tuple[str, ...]
    services: tuple[str, ...]
    description: str
    support_phone: str = ""

    @property
    def domain(self) -> str:
        return f"{self.slug}.example"


@dataclass(frozen=True)
class TenantSpec:
    slug: str
    name: str
    country: str
    domain: str
    contact_address: str
    enabled_day: int | None  # days before the anchor; None: never enabled Operator Connect
    mask_external_digits: bool = False


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str
    who: str
    tenants: tuple[tuple[str, str], ...] = ()  # (tenant slug, role)
    operators: tuple[tuple[str, str], ...] = ()  # (operator slug, role)
    staff: bool = False


@dataclass(frozen=True)
class AssignmentSpec:
    """One tenant ↔ operator relationship and what happened to it, in days before the anchor."""

    tenant: str
    operator: str
    countries: tuple[str, ...]
    assigned_day: int
    by: str  # e-mail of the tenant admin who added it
    company_size: str
    # What the operator's admin answered, oldest first: (day, status, reason).
    relationship: tuple[tuple[int, str, str], ...] = ()
    countries_changed: tuple[int, tuple[str, ...]] | None = None
    # The admin changes the countries but does not publish the notice afterwards, so calls in an
    # added country are held back (the dashboard says so).
    notice_left_out_of_date: bool = False
    suspended_day: int | None = None
    removed_day: int | None = None
    contact_phone: str = ""
    # Numbers per country and the share of call traffic this relationship carries.
    numbers_per_country: int = 24
    traffic: dict[str, float] = field(default_factory=dict)

    @property
    def added_countries(self) -> tuple[str, ...]:
        """Countries the later change added (not in the first assignment)."""
        if not self.countries_changed:
            return ()
        return tuple(c for c in self.countries_changed[1] if c not in self.countries)

    @property
    def all_countries(self) -> tuple[str, ...]:
        """Every country the tenant ever used this operator in (numbers and calls exist there)."""
        return self.countries + self.added_countries

    def country_since(self, country: str) -> int:
        """The day ``country`` joined the assignment."""
        if country in self.added_countries:
            return self.countries_changed[0]  # type: ignore[index]
        return self.assigned_day


S = OperatorService
OPERATORS: list[OperatorSpec] = [
    OperatorSpec(
        "northwave", "Northwave Telecom", ("DE", "FR", "GB", "IE", "NL"),
        (S.CALLING, S.CONFERENCING, S.EMERGENCY, S.CONTACT_CENTER),
        "Pan-European carrier with direct peering into Microsoft Teams.", "+442079460100",
    ),
    OperatorSpec(
        "alpenruf", "Alpenruf Kommunikation", ("AT", "CH", "DE"),
        (S.CALLING, S.EMERGENCY, S.MOBILE),
        "Voice and mobile carrier for the DACH region.", "+4930901820",
    ),
    OperatorSpec(
        "lumiere", "Téléphonie Lumière", ("BE", "CH", "FR", "LU"),
        (S.CALLING, S.CONFERENCING, S.EMERGENCY),
        "Opérateur de téléphonie d'entreprise pour la France et le Benelux.",
    ),
    OperatorSpec(
        "bluebell", "Bluebell Carrier", ("CA", "GB", "US"),
        (S.CALLING, S.EMERGENCY, S.CONTACT_CENTER),
        "North American carrier with E911 and contact-center trunks.",
    ),
    OperatorSpec(
        "meridian", "Meridian Global Voice", ("CH", "DE", "ES", "FR", "GB", "IT", "NL", "US"),
        (S.CALLING, S.CONFERENCING, S.CONTACT_CENTER, S.EMERGENCY, S.MOBILE),
        "Global voice carrier in eight countries.",
    ),
    OperatorSpec(
        "fjord", "Fjord Mobile", ("DK", "FI", "NO", "SE"),
        (S.CALLING, S.MOBILE),
        "Nordic mobile operator. Nobody in the demo has assigned it.",
    ),
]  # fmt: skip

TENANTS: list[TenantSpec] = [
    TenantSpec("contoso", "Contoso Ltd", "GB", "contoso.example",
               "Contoso Ltd, Data Protection Office, 1 Example Street, London", 120),
    TenantSpec("fabrikam", "Fabrikam GmbH", "DE", "fabrikam.example",
               "Fabrikam GmbH, Datenschutz, Beispielstraße 5, Berlin", 100, True),
    TenantSpec("northwind", "Northwind Traders SAS", "FR", "northwind.example",
               "Northwind Traders SAS, DPO, 8 rue d'Exemple, Paris", 95, True),
    TenantSpec("tailspin", "Tailspin Toys Inc.", "US", "tailspin.example",
               "Tailspin Toys Inc., Privacy Office, 400 Example Ave, Seattle, WA", 93),
    TenantSpec("woodgrove", "Woodgrove Bank AG", "CH", "woodgrove.example",
               "Woodgrove Bank AG, Datenschutz, Beispielweg 2, Zürich", None, True),
]  # fmt: skip

T, OR = TenantRole, OperatorRole
PEOPLE: list[Person] = [
    Person("staff@platform.example", "Sam Staff", "platform staff (superuser)", staff=True),
    Person("alice@contoso.example", "Alice Admin", "tenant admin", (("contoso", T.ADMIN),)),
    Person("victor@contoso.example", "Victor Viewer", "tenant viewer", (("contoso", T.VIEWER),)),
    Person("bob@fabrikam.example", "Bob Becker", "tenant admin", (("fabrikam", T.ADMIN),)),
    Person("nadia@northwind.example", "Nadia Nguyen", "tenant admin", (("northwind", T.ADMIN),)),
    Person("tom@tailspin.example", "Tom Tailor", "tenant admin", (("tailspin", T.ADMIN),)),
    Person("wanda@woodgrove.example", "Wanda Weber", "tenant admin (Operator Connect off)",
           (("woodgrove", T.ADMIN),)),
    Person("mia@partner.example", "Mia Morgan", "IT partner: admin of Fabrikam, viewer of Tailspin",
           (("fabrikam", T.ADMIN), ("tailspin", T.VIEWER))),
    Person("olivia@northwave.example", "Olivia Okafor", "operator admin",
           operators=(("northwave", OR.ADMIN),)),
    Person("oscar@northwave.example", "Oscar Olsen", "operator analyst",
           operators=(("northwave", OR.ANALYST),)),
    Person("anton@alpenruf.example", "Anton Auer", "operator admin",
           operators=(("alpenruf", OR.ADMIN),)),
    Person("lea@lumiere.example", "Léa Lambert", "operator admin",
           operators=(("lumiere", OR.ADMIN),)),
    Person("ben@bluebell.example", "Ben Brooks", "operator admin",
           operators=(("bluebell", OR.ADMIN),)),
    Person("maria@meridian.example", "Maria Marino", "operator admin",
           operators=(("meridian", OR.ADMIN),)),
    Person("uma@fjord.example", "Uma Ulriksen", "operator analyst (assigned by nobody)",
           operators=(("fjord", OR.ANALYST),)),
]  # fmt: skip

OPERATOR_ADMINS = {slug: p.email for p in PEOPLE for slug, role in p.operators if role == OR.ADMIN}

RS = RelationshipStatus
ASSIGNMENTS: list[AssignmentSpec] = [
    # 12 days ago Alice added Germany and did not publish the notice: German calls are held back.
    # Traffic weights are per line whatever its span: DE's 11 days get a small one.
    AssignmentSpec(
        "contoso", "northwave", ("GB", "IE"), 118, "alice@contoso.example", CompanySize.S1001_5000,
        relationship=((115, RS.AGREEMENT_SIGNED, ""),), contact_phone="+442079460000",
        countries_changed=(12, ("DE", "GB", "IE")), notice_left_out_of_date=True,
        numbers_per_country=40, traffic={"GB": 26, "IE": 5, "DE": 0.6},
    ),
    # A country subset of the eight Meridian serves, narrowed again 30 days ago.
    AssignmentSpec(
        "contoso", "meridian", ("DE", "GB"), 110, "alice@contoso.example", CompanySize.S1001_5000,
        relationship=((108, RS.AGREEMENT_SIGNED, ""),), countries_changed=(30, ("GB",)),
        traffic={"GB": 9, "DE": 2},
    ),
    AssignmentSpec(
        "fabrikam", "alpenruf", ("AT", "DE"), 99, "bob@fabrikam.example", CompanySize.S251_1000,
        relationship=((97, RS.AGREEMENT_SIGNED, ""),), traffic={"DE": 15, "AT": 4},
    ),
    AssignmentSpec(
        "fabrikam", "meridian", ("DE",), 98, "bob@fabrikam.example", CompanySize.S251_1000,
        relationship=((96, RS.AGREEMENT_SIGNED, ""),), suspended_day=20, traffic={"DE": 6},
    ),
    AssignmentSpec(
        "northwind", "lumiere", ("FR",), 94, "nadia@northwind.example", CompanySize.S51_250,
        relationship=((93, RS.AGREEMENT_SIGNED, ""),), traffic={"FR": 12},
    ),
    AssignmentSpec(
        "northwind", "northwave", ("FR",), 94, "nadia@northwind.example", CompanySize.S51_250,
        relationship=((60, RS.DECLINED,
                       "No contract found for this Microsoft tenant ID. "
                       "Please contact our sales team."),),
        removed_day=40, numbers_per_country=8, traffic={"FR": 3},
    ),
    AssignmentSpec(
        "tailspin", "bluebell", ("US",), 92, "tom@tailspin.example", CompanySize.S5001_PLUS,
        traffic={"US": 8},  # the operator has not answered yet: relationship pending
    ),
    # Meridian's admin ended the contract 15 days ago; Tailspin still routes calls through it.
    AssignmentSpec(
        "tailspin", "meridian", ("US",), 92, "tom@tailspin.example", CompanySize.S5001_PLUS,
        relationship=(
            (91, RS.AGREEMENT_SIGNED, ""),
            (15, RS.TERMINATED,
             "Contract ended at Tailspin's request. We carry calls until the numbers are "
             "ported away; questions to porting@meridian.example."),
        ),
        traffic={"US": 5},
    ),
]  # fmt: skip

# How far back call records reach, in days before the anchor.
CALL_HISTORY_DAYS = 90
# Tenants are "created" this many days before the anchor; the anchor is found again from them.
TENANT_AGE_DAYS = 200
# The directory's operators are older still.
OPERATOR_AGE_DAYS = 400
