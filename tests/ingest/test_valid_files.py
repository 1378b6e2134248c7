"""A valid CSV or NDJSON file of each kind becomes exactly these rows; a second run changes nothing."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from portal.choices import AuditAction
from portal.models import AuditEvent, CallRecord, EmergencyLocation, PhoneNumber
from tests.ingest.conftest import call_row, encode, location_row, number_row, run

FORMATS = ["csv", "ndjson"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_numbers_file_becomes_exact_rows(world, location, engine, fmt, operator_u_assigned):
    rows = [
        number_row(emergency_location_id=str(location.location_id)),
        # tenant by its Microsoft tenant id (upper case), defaults for everything optional
        {
            "telephone_number": "+4930901820",
            "tenant": str(world.tenant_a.microsoft_tenant_id).upper(),
            "operator": "operator-u",
            "iso_country_code": "de",
        },
    ]
    report = run("numbers", encode(rows, fmt), fmt, engine)

    assert (report.ok, report.rows_total, report.inserted, report.updated, report.unchanged) == (
        True,
        2,
        2,
        0,
        0,
    )
    first = PhoneNumber.objects.get(telephone_number="+442079460001")
    assert first.tenant == world.tenant_a
    assert first.operator == world.operator_o
    assert first.sip_uri == "sip:+442079460001@contoso.example"
    assert first.capabilities == ["inbound", "outbound"]
    assert first.pstn_assignment_status == "UserAssigned"
    assert first.assigned_upn == "ann@contoso.example"
    assert first.emergency_location == location
    assert first.allow_tenant_address_update is True
    assert first.acquired_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert first.released_at is None
    second = PhoneNumber.objects.get(telephone_number="+4930901820")
    assert (second.tenant, second.operator) == (world.tenant_a, world.operator_u)
    assert second.iso_country_code == "DE"
    assert (second.usage, second.number_type, second.capabilities) == (
        "CallingUserAssignment",
        "OperatorConnect",
        [],
    )
    assert second.emergency_location is None
    assert second.acquired_at == second.updated_at  # "now" of the ingest


@pytest.mark.parametrize("fmt", FORMATS)
def test_call_records_file_becomes_exact_rows(world, location, engine, fmt):
    emergency = call_row(
        id="6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        call_id="call-0002",
        call_type="emergency_out",
        is_emergency="true",
        callee_number="999",
        emergency_location_id=str(location.location_id),
        start_time="",
        end_time="",
        failure_time="2024-05-01T10:00:09Z",
        success="false",
        final_sip_code="486",
        caller_ip="2001:DB8:0:0::1",
    )
    report = run("call-records", encode([call_row(), emergency], fmt), fmt, engine)

    assert report.ok and report.inserted == 2
    call = CallRecord.objects.get(id=uuid.UUID("0b8e5c2a-1d3f-4e5a-9b7c-6d8e9f0a1b2c"))
    assert (call.tenant, call.operator, call.call_id, call.leg) == (
        world.tenant_a,
        world.operator_o,
        "call-0001",
        0,
    )
    assert call.invite_time == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert call.start_time == datetime(2024, 5, 1, 10, 0, 2, 500000, tzinfo=UTC)
    assert call.end_time == datetime(2024, 5, 1, 10, 1, 2, tzinfo=UTC)
    assert (call.caller_ip, call.callee_ip) == ("192.0.2.10", "2001:db8::7")
    assert (call.packet_loss_avg, call.mos_avg, call.rtt_avg_ms) == (0.01, 4.2, 42.0)
    assert (call.final_sip_code, call.external_country, call.quality) == (200, "DE", "good")
    assert call.success is True and call.is_emergency is False
    assert call.emergency_location_snapshot is None
    urgent = CallRecord.objects.get(call_id="call-0002")
    assert urgent.emergency_location_snapshot == location.snapshot()
    assert urgent.emergency_location_snapshot["street_name"] == "Canary Wharf"
    assert urgent.caller_ip == "2001:db8::1"
    assert urgent.start_time is None and urgent.success is False


@pytest.mark.parametrize("fmt", FORMATS)
def test_emergency_locations_file_becomes_exact_rows(world, engine, fmt):
    us = location_row(
        location_id="7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a",
        company_name="Contoso Inc",
        city="Redmond",
        state_or_province="WA",
        country="US",
        latitude="",
        longitude="",
        elin="4255550100",
    )
    report = run("emergency-locations", encode([location_row(), us], fmt), fmt, engine)

    assert report.ok and report.inserted == 2
    london = EmergencyLocation.objects.get(location_id="3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b0a")
    assert london.tenant == world.tenant_a
    assert london.street_line == "221B Baker Street"
    assert (london.latitude, london.longitude) == (Decimal("51.523767"), Decimal("-0.158555"))
    assert london.validation_status == "Validated"
    redmond = EmergencyLocation.objects.get(company_name="Contoso Inc")
    assert (redmond.state_or_province, redmond.latitude, redmond.elin) == ("WA", None, "4255550100")


@pytest.mark.parametrize(
    ("kind", "rows"),
    [
        ("numbers", [number_row(), number_row(telephone_number="+442079460002")]),
        ("call-records", [call_row()]),
        ("emergency-locations", [location_row()]),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_ingesting_the_same_file_twice_changes_nothing(world, engine, fmt, kind, rows):
    data = encode(rows, fmt)
    first = run(kind, data, fmt, engine)
    model = {"numbers": PhoneNumber, "call-records": CallRecord}.get(kind, EmergencyLocation)
    before = list(model.objects.order_by("pk").values())

    second = run(kind, data, fmt, engine)

    assert first.inserted == len(rows)
    assert (second.ok, second.inserted, second.updated, second.unchanged) == (
        True,
        0,
        0,
        len(rows),
    )
    assert list(model.objects.order_by("pk").values()) == before  # updated_at included


def test_a_changed_row_is_updated_and_only_it(world, engine):
    run("numbers", encode([number_row(), number_row(telephone_number="+442079460002")], "csv"))
    untouched = PhoneNumber.objects.get(telephone_number="+442079460002").updated_at

    report = run(
        "numbers",
        encode([number_row(city="Leeds"), number_row(telephone_number="+442079460002")], "csv"),
        "csv",
        engine,
    )

    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    changed = PhoneNumber.objects.get(telephone_number="+442079460001")
    assert changed.city == "Leeds"
    assert changed.acquired_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert PhoneNumber.objects.get(telephone_number="+442079460002").updated_at == untouched


def test_numbers_without_acquired_at_keep_the_stored_date(world, engine):
    run("numbers", encode([number_row()], "csv"))

    report = run("numbers", encode([number_row(acquired_at="")], "csv"), "csv", engine)

    assert report.unchanged == 1
    stored = PhoneNumber.objects.get(telephone_number="+442079460001")
    assert stored.acquired_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_success_writes_one_platform_audit_event_with_counts_only(world, engine):
    report = run("numbers", encode([number_row()], "csv"), "csv", engine, by=world.sam)

    event = AuditEvent.objects.get(action=AuditAction.INGESTED, tenant=None)
    assert report.ok
    assert event.actor == world.sam
    assert event.details == {
        "summary": "1 phone numbers",
        "kind": "numbers",
        "format": "csv",
        "source": "",
        "tenants": 1,
        "rows_total": 1,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
    }


def test_a_bom_and_lf_line_endings_are_accepted(world, engine):
    data = encode([number_row()], "csv").replace(b"\r\n", b"\n")

    report = run("numbers", b"\xef\xbb\xbf" + data, "csv", engine)

    assert report.ok and report.inserted == 1
