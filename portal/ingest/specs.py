"""What each kind of file may contain. Column names are the model's field names.

``tenant`` is a tenant's slug or its Microsoft tenant id; ``operator`` an operator's slug;
``emergency_location_id`` an EmergencyLocation's ``location_id`` (of the same tenant).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

from portal import choices
from portal.ingest.fields import (
    E164,
    Boolean,
    Capabilities,
    Choice,
    Coordinate,
    Country,
    Field,
    Integer,
    IpAddress,
    Number,
    PartyNumber,
    Text,
    Timestamp,
    Uuid,
)
from portal.models import CallRecord, EmergencyLocation, PhoneNumber

Raw = Callable[[str], str]  # column name → SQL expression of its raw text


@dataclass
class Rule:
    """A check across fields, run only when every field it involves is itself valid."""

    field: str
    reason: str
    involves: tuple[str, ...]
    check: Callable[[dict], bool]  # True when violated
    # SQL "violated" for the fast path; None when a database constraint already enforces it
    sql: Callable[[Raw], str] | None = None


def not_before(later: str, earlier: str) -> Rule:
    return Rule(
        later,
        f"earlier than {earlier}",
        (later, earlier),
        lambda v: v[later] is not None and v[earlier] is not None and v[later] < v[earlier],
    )


def requires(name: str, other: str) -> Rule:
    return Rule(
        name,
        f"needs {other} in the same row",
        (name, other),
        lambda v: v[name] is not None and v[other] is None,
        lambda raw: f"(nullif({raw(name)}, '') IS NOT NULL AND nullif({raw(other)}, '') IS NULL)",
    )


def together(first: str, second: str) -> Rule:
    return Rule(
        second,
        f"{first} and {second} go together: give both or neither",
        (first, second),
        lambda v: (v[first] is None) != (v[second] is None),
        lambda raw: f"((nullif({raw(first)}, '') IS NULL) <> (nullif({raw(second)}, '') IS NULL))",
    )


def required_in(name: str, country_field: str, codes: tuple[str, ...]) -> Rule:
    listed = ", ".join(f"'{c}'" for c in codes)
    return Rule(
        name,
        f"required for addresses in {', '.join(codes)}",
        (name, country_field),
        lambda v: v[country_field] in codes and not v[name],
        lambda raw: (
            f"(upper({raw(country_field)}) IN ({listed}) AND nullif({raw(name)}, '') IS NULL)"
        ),
    )


@dataclass
class KindSpec:
    name: str
    label: str
    model: type[models.Model]
    key: str
    fields: list[Field]
    rules: list[Rule] = field(default_factory=list)
    has_operator: bool = True
    # "fk": numbers point at the location; "snapshot": call records copy it
    location: str = ""
    touches_updated_at: bool = False
    number_history: bool = False
    leg_unique: bool = False
    # a large batch of new rows goes in with the table's indexes dropped and rebuilt (rebuild.py)
    rebuild_indexes: bool = False
    # a stored row never moves to another tenant: Microsoft's ids are the tenant's own, so a
    # file naming another tenant for one is a mistake, not a move (numbers can be ported)
    tenant_fixed: bool = False
    # the row's operator must be one the tenant chose (docs/ingest.md, "Tenancy"): numbers
    needs_assignment: bool = False
    # fields a stored Validated row keeps unless the row itself says Validated (locations)
    validated_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.by_name = {f.name: f for f in self.fields}

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def key_field(self) -> Field:
        return self.by_name[self.key]

    @property
    def table(self) -> str:
        return self.model._meta.db_table


def _tenant() -> Text:
    return Text("tenant", required=True, max_length=255, attname="tenant_id")


def _operator() -> Text:
    return Text("operator", required=True, max_length=60, attname="operator_id")


def _time(name: str, required: bool = False) -> Timestamp:
    return Timestamp(name, required=required)


NUMBERS = KindSpec(
    name="numbers",
    label="phone numbers",
    model=PhoneNumber,
    key="telephone_number",
    fields=[
        E164("telephone_number", required=True),
        _tenant(),
        _operator(),
        Text("sip_uri", max_length=255, prefix="sip:"),
        Text("number_type", max_length=20, default="OperatorConnect"),
        Choice("usage", choices=choices.NumberUsage, default=choices.NumberUsage.USER.value),
        Capabilities("capabilities"),
        Choice(
            "pstn_assignment_status",
            choices=choices.PstnAssignmentStatus,
            default=choices.PstnAssignmentStatus.UNASSIGNED.value,
        ),
        Choice(
            "activation_state",
            choices=choices.ActivationState,
            default=choices.ActivationState.ACTIVATED.value,
        ),
        Text("assigned_upn", max_length=255),
        Text("assigned_display_name", max_length=255),
        Uuid("assigned_object_id"),
        Country("iso_country_code", required=True),
        Text("city", max_length=100),
        Uuid("emergency_location_id", attname="emergency_location_id"),
        Boolean("allow_tenant_address_update"),
        Timestamp("acquired_at", keep_when_empty=True),
        Timestamp("released_at"),
    ],
    rules=[requires("released_at", "acquired_at"), not_before("released_at", "acquired_at")],
    location="fk",
    touches_updated_at=True,
    number_history=True,
    needs_assignment=True,
)

EMERGENCY_LOCATIONS = KindSpec(
    name="emergency-locations",
    label="emergency locations",
    model=EmergencyLocation,
    key="location_id",
    fields=[
        Uuid("location_id", required=True),
        _tenant(),
        Text("company_name", required=True, max_length=200),
        Text("house_number", max_length=20),
        Text("house_number_suffix", max_length=20),
        Text("pre_directional", max_length=10),
        Text("street_name", max_length=200),
        Text("street_suffix", max_length=30),
        Text("post_directional", max_length=10),
        Text("city", max_length=100),
        Text("state_or_province", max_length=100),
        Text("postal_code", max_length=20),
        Country("country", required=True),
        Coordinate("latitude", lo=-90, hi=90),
        Coordinate("longitude", lo=-180, hi=180),
        Text("elin", max_length=32),
        Text("place_name", max_length=200),
        Text("description", max_length=200),
        Choice(
            "validation_status",
            choices=choices.ValidationStatus,
            default=choices.ValidationStatus.NOT_VALIDATED.value,
        ),
    ],
    rules=[
        required_in("state_or_province", "country", ("CA", "IT", "US")),
        together("latitude", "longitude"),
    ],
    has_operator=False,
    touches_updated_at=True,
    tenant_fixed=True,
    # The civic address Microsoft validated and its coordinates: what dispatch relies on. The
    # place (place_name, elin) and the admin's description are not part of the validation.
    validated_fields=(
        "company_name",
        "house_number",
        "house_number_suffix",
        "pre_directional",
        "street_name",
        "street_suffix",
        "post_directional",
        "city",
        "state_or_province",
        "postal_code",
        "country",
        "latitude",
        "longitude",
    ),  # fmt: skip
)

_MS = 1e6  # upper bound of jitter and round trip, in ms

CALL_RECORDS = KindSpec(
    name="call-records",
    label="call records",
    model=CallRecord,
    key="id",
    fields=[
        Uuid("id", required=True),
        _tenant(),
        _operator(),
        Text("call_id", required=True, max_length=64),
        Integer("leg", lo=0, hi=32767, default=0),
        Uuid("correlation_id"),
        Uuid("user_object_id"),
        Text("user_upn", max_length=255),
        Text("user_display_name", max_length=255),
        PartyNumber("caller_number"),
        PartyNumber("callee_number"),
        Choice("call_type", required=True, choices=choices.CallType),
        Choice("direction", required=True, choices=choices.Direction),
        _time("invite_time", required=True),
        _time("start_time"),
        _time("end_time"),
        _time("failure_time"),
        Integer("duration_seconds", lo=0, hi=2_147_483_647, default=0),
        Choice(
            "duration_source",
            choices=choices.DurationSource,
            default=choices.DurationSource.MICROSOFT.value,
        ),
        Boolean("success", default=True),
        Integer("final_sip_code", lo=100, hi=699),
        Text("final_sip_phrase", max_length=100),
        Integer("microsoft_sub_code", lo=-2_147_483_648, hi=2_147_483_647),
        Choice("destination_context", choices=choices.DestinationContext, blank=True),
        Country("external_country", blank=True),
        Country("tenant_country", required=True),
        IpAddress("caller_ip"),
        IpAddress("callee_ip"),
        Text("caller_os", max_length=64),
        Text("callee_os", max_length=64),
        Choice("caller_platform", choices=choices.Platform, blank=True),
        Choice("callee_platform", choices=choices.Platform, blank=True),
        Choice("caller_connection_type", choices=choices.ConnectionType, blank=True),
        Choice("callee_connection_type", choices=choices.ConnectionType, blank=True),
        Number("jitter_avg_ms", lo=0, hi=_MS),
        Number("jitter_max_ms", lo=0, hi=_MS),
        Number("packet_loss_avg", lo=0, hi=1),
        Number("packet_loss_max", lo=0, hi=1),
        Number("rtt_avg_ms", lo=0, hi=_MS),
        Number("rtt_max_ms", lo=0, hi=_MS),
        Number("mos_avg", lo=1, hi=5),
        Choice(
            "quality", choices=choices.CallQuality, default=choices.CallQuality.UNCLASSIFIED.value
        ),
        Boolean("is_emergency"),
        Uuid("emergency_location_id", attname="emergency_location_snapshot"),
    ],
    rules=[
        not_before("start_time", "invite_time"),
        not_before("end_time", "invite_time"),
        not_before("end_time", "start_time"),
        not_before("failure_time", "invite_time"),
    ],
    location="snapshot",
    leg_unique=True,
    rebuild_indexes=True,
    tenant_fixed=True,
)

KINDS: dict[str, KindSpec] = {s.name: s for s in (NUMBERS, CALL_RECORDS, EMERGENCY_LOCATIONS)}
