"""Small files generated in the test, and a way to ingest them with either engine."""

import csv
import io
import json
import uuid

import pytest

from portal import services
from portal.choices import CompanySize
from portal.ingest import ingest
from tests.factories import EmergencyLocationFactory

ENGINES = ["postgresql", "portable"]

LOCATION_ID = uuid.UUID("5f0c3b1e-7a2d-4c61-9e0f-2b8d6a4c1e01")


def csv_bytes(rows: list[dict], columns: list[str] | None = None, *, bom: bool = False) -> bytes:
    columns = columns or list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def ndjson_bytes(rows: list[dict]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def encode(rows: list[dict], fmt: str) -> bytes:
    return csv_bytes(rows) if fmt == "csv" else ndjson_bytes(rows)


def run(kind: str, data: bytes, fmt: str = "csv", engine: str = "auto", **kwargs):
    return ingest(kind, io.BytesIO(data), fmt, engine=engine, **kwargs)


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


def assign(tenant, operator, by):
    """The tenant chooses the operator (for GB), as its admin ``by`` would in the portal."""
    tenant.refresh_from_db()
    if not tenant.operator_connect_enabled:
        services.enable_operator_connect(tenant, by=by, acknowledged=True)
    return services.assign_operator(
        tenant,
        operator,
        countries=["GB"],
        contact_full_name=by.full_name,
        contact_email=by.email,
        company_size=CompanySize.S251_1000,
        acknowledged=True,
        by=by,
    )


@pytest.fixture
def operator_u_assigned(world):
    """Contoso has chosen Operator U too (the world gives it Operator O only)."""
    return assign(world.tenant_a, world.operator_u, world.alice)


@pytest.fixture
def location(world):
    return EmergencyLocationFactory(
        tenant=world.tenant_a,
        location_id=LOCATION_ID,
        company_name="Contoso Ltd",
        house_number="1",
        street_name="Canary Wharf",
        city="London",
        postal_code="E14 5AB",
        country="GB",
        latitude="51.505000",
        longitude="-0.019000",
    )


def number_row(**overrides) -> dict:
    row = {
        "telephone_number": "+442079460001",
        "tenant": "contoso",
        "operator": "operator-o",
        "sip_uri": "sip:+442079460001@contoso.example",
        "usage": "CallingUserAssignment",
        "capabilities": "inbound,outbound",
        "pstn_assignment_status": "UserAssigned",
        "activation_state": "Activated",
        "assigned_upn": "ann@contoso.example",
        "assigned_display_name": "Ann Example",
        "iso_country_code": "GB",
        "city": "London",
        "allow_tenant_address_update": "true",
        "acquired_at": "2024-01-02T03:04:05Z",
    }
    row.update(overrides)
    return row


def call_row(**overrides) -> dict:
    row = {
        "id": "0b8e5c2a-1d3f-4e5a-9b7c-6d8e9f0a1b2c",
        "tenant": "contoso",
        "operator": "operator-o",
        "call_id": "call-0001",
        "leg": "0",
        "correlation_id": "8f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b",
        "user_upn": "ann@contoso.example",
        "user_display_name": "Ann Example",
        "caller_number": "+442079460001",
        "callee_number": "+4930901820",
        "call_type": "user_out",
        "direction": "outbound",
        "invite_time": "2024-05-01T10:00:00Z",
        "start_time": "2024-05-01T10:00:02.5+00:00",
        "end_time": "2024-05-01T11:01:02+01:00",
        "duration_seconds": "60",
        "final_sip_code": "200",
        "final_sip_phrase": "OK",
        "destination_context": "international",
        "external_country": "DE",
        "tenant_country": "GB",
        "caller_ip": "192.0.2.10",
        "callee_ip": "2001:db8::7",
        "caller_os": "Windows 11",
        "caller_platform": "windows",
        "caller_connection_type": "wifi",
        "jitter_avg_ms": "3.5",
        "packet_loss_avg": "0.01",
        "rtt_avg_ms": "42",
        "mos_avg": "4.2",
        "quality": "good",
    }
    row.update(overrides)
    return row


def location_row(**overrides) -> dict:
    row = {
        "location_id": "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b0a",
        "tenant": "contoso",
        "company_name": "Contoso Ltd",
        "house_number": "221",
        "house_number_suffix": "B",
        "street_name": "Baker",
        "street_suffix": "Street",
        "city": "London",
        "postal_code": "NW1 6XE",
        "country": "GB",
        "latitude": "51.523767",
        "longitude": "-0.158555",
        "elin": "",
        "place_name": "2nd floor",
        "description": "HQ",
        "validation_status": "Validated",
    }
    row.update(overrides)
    return row
