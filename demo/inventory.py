"""Emergency locations and phone numbers of the demo tenants.

Numbers are what an operator uploads: per assigned operator and country, most assigned to
Teams users, some to voice applications and conference bridges, some unassigned. User-assigned
numbers make the "remove refused while numbers are assigned" guardrail demonstrable. Numbers of
the removed operator, and of the country Contoso dropped, were released before that happened;
numbers of a country added later arrive the day after it was added.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from demo.catalog import ASSIGNMENTS, TENANTS, AssignmentSpec, demo_uuid
from portal.choices import ActivationState, NumberUsage, PstnAssignmentStatus, ValidationStatus
from portal.models import EmergencyLocation, Operator, PhoneNumber, PhoneNumberPeriod, Tenant

# Spreadsheet-formula look-alikes (CSV injection canaries): exports must neutralise them.
FORMULA_NAMES = ['=HYPERLINK("http://evil.example","click")', "+SUM(1,2)", "@cmd", "-2+3"]


@dataclass(frozen=True)
class Site:
    key: str
    tenant: str
    company: str
    house: str
    street: str
    suffix: str
    city: str
    state: str
    postal: str
    country: str
    lat: str
    lon: str
    place: str = ""
    elin: str = ""
    pre_dir: str = ""
    validated: bool = True


SITES: list[Site] = [
    Site("ldn", "contoso", "Contoso Ltd", "1", "Example", "Street", "London", "", "EC1A 1AA", "GB", "51.515400", "-0.092200", "Floor 3"),
    Site("mcr", "contoso", "Contoso Ltd", "22", "Sample", "Road", "Manchester", "", "M1 1AE", "GB", "53.480800", "-2.242600", validated=False),
    Site("ber", "contoso", "Contoso Deutschland GmbH", "9", "Muster", "allee", "Berlin", "", "10115", "DE", "52.531700", "13.384000", "2. OG"),
    Site("dub", "contoso", "Contoso Ireland Ltd", "7", "Demo", "Quay", "Dublin", "", "D02 X285", "IE", "53.347800", "-6.259700", "Reception"),
    Site("ber", "fabrikam", "Fabrikam GmbH", "5", "Beispiel", "straße", "Berlin", "", "10117", "DE", "52.520000", "13.405000", "3. OG"),
    Site("muc", "fabrikam", "Fabrikam GmbH", "12", "Muster", "weg", "München", "Bayern", "80331", "DE", "48.137100", "11.575400", validated=False),
    Site("vie", "fabrikam", "Fabrikam Austria GmbH", "3", "Probe", "gasse", "Wien", "", "1010", "AT", "48.208200", "16.373800"),
    Site("par", "northwind", "Northwind Traders SAS", "8", "rue d'Exemple", "", "Paris", "", "75008", "FR", "48.873800", "2.295000", "Bâtiment A"),
    Site("lyo", "northwind", "Northwind Traders SAS", "14", "quai de Démo", "", "Lyon", "", "69002", "FR", "45.757800", "4.832000", validated=False),
    Site("sea", "tailspin", "Tailspin Toys Inc.", "400", "Example", "Ave", "Seattle", "WA", "98101", "US", "47.610100", "-122.334400", "Floor 12", "+12065550142", "NE"),
    Site("red", "tailspin", "Tailspin Toys Inc.", "15", "Sample", "Way", "Redmond", "WA", "98052", "US", "47.674000", "-122.121500", "Building 2", "+14255550188"),
    Site("zrh", "woodgrove", "Woodgrove Bank AG", "2", "Beispiel", "weg", "Zürich", "ZH", "8001", "CH", "47.376900", "8.541700", validated=False),
]  # fmt: skip

# Number blocks: fictional ranges (Ofcom drama range for GB, 555-01xx style for the US).
PREFIX = {
    "GB": "+4420794",
    "IE": "+35316",
    "DE": "+493090",
    "AT": "+43190",
    "FR": "+33170",
    "US": "+1425555",
    "CH": "+41445",
}
FIRST = {
    "GB": ["Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Noah", "Mia", "Jack", "Grace"],
    "IE": ["Seán", "Aoife", "Conor", "Niamh", "Cian", "Saoirse"],
    "DE": ["Lukas", "Anna", "Jürgen", "Lea", "Max", "Sophie", "Paul", "Hannah", "Jonas", "Emma"],
    "AT": ["Florian", "Katharina", "Tobias", "Lena"],
    "FR": ["Lucas", "Chloé", "Hugo", "Léa", "Louis", "Manon", "Gabriel", "Inès", "Jules", "Zoé"],
    "US": ["James", "Olivia", "Liam", "Emma", "Ethan", "Sophia", "Mason", "Ava", "Logan", "Mia"],
}
LAST = {
    "GB": ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "O'Neill", "Patel"],
    "IE": ["Murphy", "Kelly", "O'Sullivan", "Walsh", "Byrne"],
    "DE": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"],
    "AT": ["Gruber", "Huber", "Bauer", "Wagner"],
    "FR": ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"],
    "US": ["Johnson", "Williams", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Lee"],
}
_DOMAINS = {t.slug: t.domain for t in TENANTS}


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name.replace("ß", "ss")).encode("ascii", "ignore")
    return plain.decode().lower().replace(" ", "").replace("'", "")


def _released_day(spec: AssignmentSpec, country: str) -> int | None:
    """Numbers leave before the operator is removed or their country is dropped."""
    if spec.removed_day is not None:
        return spec.removed_day + 1
    if spec.countries_changed and country not in spec.countries_changed[1]:
        return spec.countries_changed[0] + 1
    return None


def acquired_day(spec: AssignmentSpec, country: str) -> int:
    """The operator uploads a country's numbers the day after the tenant chose it there."""
    return spec.country_since(country) - 1


def number_specs(spec: AssignmentSpec, block: int, anchor: datetime) -> list[dict]:
    """The numbers an operator uploaded for one assignment, as PhoneNumber field values."""
    out = []
    domain = _DOMAINS[spec.tenant]
    formula_left = (
        list(FORMULA_NAMES) if (spec.tenant, spec.operator) == ("contoso", "northwave") else []
    )
    for country in spec.all_countries:
        released = _released_day(spec, country)
        firsts, lasts = FIRST[country], LAST[country]
        for i in range(spec.numbers_per_country):
            number = f"{PREFIX[country]}{block:02d}{i:03d}"
            if country == "US":
                number = f"{PREFIX[country]}{block % 10}{i:03d}"
            kind = i % 10
            row = {
                "telephone_number": number,
                "sip_uri": f"sip:{number}@{domain};user=phone",
                "usage": NumberUsage.USER,
                "pstn_assignment_status": PstnAssignmentStatus.UNASSIGNED,
                "capabilities": ["InboundCalling", "OutboundCalling", "UserAssignment"],
                "iso_country_code": country,
                "acquired_at": anchor - timedelta(days=acquired_day(spec, country)),
                "released_at": anchor - timedelta(days=released) if released else None,
                "allow_tenant_address_update": i % 3 == 0,
                "activation_state": ActivationState.ACTIVATED,
                "site_index": i,
            }
            if released is None and kind <= 5:
                first, last = firsts[i % len(firsts)], lasts[(i // len(firsts) + i) % len(lasts)]
                display = f"{first} {last}"
                upn = f"{_ascii(first)}.{_ascii(last)}{i}@{domain}"
                if formula_left:
                    display = formula_left.pop(0)
                    upn = f"formula{len(FORMULA_NAMES) - len(formula_left)}@{domain}"
                row.update(
                    pstn_assignment_status=PstnAssignmentStatus.USER,
                    assigned_display_name=display,
                    assigned_upn=upn,
                    assigned_object_id=demo_uuid("user", upn),
                )
                if i % 7 == 3:
                    row["capabilities"] = [*row["capabilities"], "Mobile"]
            elif released is None and kind == 6:
                name = "Main line (auto attendant)" if i % 20 == 6 else "Support (call queue)"
                upn = f"{'aa-main' if i % 20 == 6 else 'cq-support'}{i}@{domain}"
                row.update(
                    usage=NumberUsage.VOICE_APP,
                    pstn_assignment_status=PstnAssignmentStatus.VOICE_APP,
                    capabilities=[
                        "InboundCalling",
                        "OutboundCalling",
                        "VoiceApplicationAssignment",
                    ],
                    assigned_display_name=name,
                    assigned_upn=upn,
                    assigned_object_id=demo_uuid("app", upn),
                )
            elif released is None and kind == 7:
                row.update(
                    usage=NumberUsage.CONFERENCE,
                    pstn_assignment_status=PstnAssignmentStatus.CONFERENCE,
                    capabilities=["InboundCalling", "ConferenceAssignment"],
                    assigned_display_name="Audio conferencing",
                )
            if i == 9:
                row["activation_state"] = ActivationState.ASSIGNMENT_PENDING
            elif i == 19:
                row["activation_state"] = ActivationState.UPDATE_FAILED
            out.append(row)
    return out


@transaction.atomic
def build_inventory(anchor: datetime) -> None:
    """Create missing emergency locations and numbers (existing ones are left as they are)."""
    tenants = {t.slug: t for t in Tenant.objects.filter(slug__in=_DOMAINS)}
    operators = {o.slug: o for o in Operator.objects.all()}
    sites: dict[tuple[str, str], list[EmergencyLocation]] = {}
    for site in SITES:
        location, _ = EmergencyLocation.objects.get_or_create(
            location_id=demo_uuid("site", site.tenant, site.key),
            defaults={
                "tenant": tenants[site.tenant],
                "company_name": site.company,
                "house_number": site.house,
                "pre_directional": site.pre_dir,
                "street_name": site.street,
                "street_suffix": site.suffix,
                "city": site.city,
                "state_or_province": site.state,
                "postal_code": site.postal,
                "country": site.country,
                "latitude": Decimal(site.lat),
                "longitude": Decimal(site.lon),
                "elin": site.elin,
                "place_name": site.place,
                "description": f"{site.city} office" + (f", {site.place}" if site.place else ""),
                "validation_status": ValidationStatus.VALIDATED
                if site.validated
                else ValidationStatus.NOT_VALIDATED,
                "updated_at": anchor - timedelta(days=150),
            },
        )
        sites.setdefault((site.tenant, site.country), []).append(location)

    rows = []
    for block, spec in enumerate(ASSIGNMENTS, start=10):
        for row in number_specs(spec, block, anchor):
            row.update(tenant=tenants[spec.tenant], operator=operators[spec.operator])
            rows.append(row)
    existing = set(
        PhoneNumber.objects.filter(
            telephone_number__in=[r["telephone_number"] for r in rows]
        ).values_list("telephone_number", flat=True)
    )
    new = []
    for row in rows:
        i = row.pop("site_index")
        if row["telephone_number"] in existing:
            continue
        here = sites.get((row["tenant"].slug, row["iso_country_code"]), [])
        if here and row["usage"] != NumberUsage.CONFERENCE:
            row["emergency_location"] = here[i % len(here)]
        row["updated_at"] = row["acquired_at"]
        new.append(PhoneNumber(**row))
    PhoneNumber.objects.bulk_create(new, batch_size=500)
    created = PhoneNumber.objects.filter(telephone_number__in=[n.telephone_number for n in new])
    PhoneNumberPeriod.objects.bulk_create(
        [
            PhoneNumberPeriod(
                number=n,
                operator_id=n.operator_id,
                assigned_upn=n.assigned_upn,
                started_at=n.acquired_at,
                ended_at=n.released_at,
            )
            for n in created
        ],
        batch_size=500,
    )
