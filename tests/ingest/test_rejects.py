"""Each kind of malformed row gets its own reject (line, field, reason), and nothing is written."""

import pytest

from portal.ingest import Reject
from portal.models import AuditEvent, CallRecord, EmergencyLocation, PhoneNumber
from tests.factories import CallRecordFactory, EmergencyLocationFactory
from tests.ingest.conftest import (
    call_row,
    csv_bytes,
    encode,
    location_row,
    ndjson_bytes,
    number_row,
    run,
)

MODELS = {"numbers": PhoneNumber, "call-records": CallRecord}
ROWS = {"numbers": number_row, "call-records": call_row, "emergency-locations": location_row}
OTHER_KEY = {
    "numbers": {"telephone_number": "+442079460999"},
    "call-records": {"id": "1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b", "call_id": "call-0999"},
    "emergency-locations": {"location_id": "2e3d4c5b-6a79-4887-9a6b-5c4d3e2f1a0b"},
}

CASES = [
    # kind, bad values, field, reason
    ("numbers", {"telephone_number": "+0442079460001"}, "telephone_number", "not a valid E.164 number"),
    ("numbers", {"telephone_number": "442079460001"}, "telephone_number", "not a valid E.164 number"),
    (
        "numbers",
        {"telephone_number": "+4420794600011234"},
        "telephone_number",
        "not a valid E.164 number: more than 15 digits",
    ),
    ("numbers", {"assigned_display_name": "x" * 256}, "assigned_display_name", "longer than 255 characters"),
    ("numbers", {"sip_uri": "+442079460001@contoso.example"}, "sip_uri", "must start with sip:"),
    ("numbers", {"iso_country_code": "XX"}, "iso_country_code", "not an ISO 3166-1 alpha-2 country code"),
    ("numbers", {"iso_country_code": ""}, "iso_country_code", "this field is required"),
    (
        "numbers",
        {"acquired_at": "2024-01-02T03:04:05"},
        "acquired_at",
        "no time zone: add Z or an offset such as +01:00",
    ),
    ("numbers", {"acquired_at": "02/01/2024 03:04"}, "acquired_at", "not an ISO 8601 date and time"),
    ("numbers", {"acquired_at": "2024-02-30T03:04:05Z"}, "acquired_at", "not a valid date"),
    (
        "numbers",
        {"usage": "Phone"},
        "usage",
        "not one of: CallingUserAssignment, FirstPartyAppAssignment, ConferenceAssignment",
    ),
    ("numbers", {"tenant": "nobody"}, "tenant", "unknown tenant"),
    ("numbers", {"tenant": "4c1e2d3f-0000-4000-8000-000000000000"}, "tenant", "unknown tenant"),
    ("numbers", {"operator": "nobody"}, "operator", "unknown operator"),
    ("numbers", {"released_at": "2023-01-01T00:00:00Z"}, "released_at", "earlier than acquired_at"),
    (
        "numbers",
        {"released_at": "2025-01-01T00:00:00Z", "acquired_at": ""},
        "released_at",
        "needs acquired_at in the same row",
    ),
    (
        "numbers",
        {"emergency_location_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"},
        "emergency_location_id",
        "unknown emergency location for this tenant",
    ),
    ("numbers", {"allow_tenant_address_update": "maybe"}, "allow_tenant_address_update", "not true or false"),
    (
        "numbers",
        {"capabilities": "inbound;outbound"},
        "capabilities",
        "a comma-separated list of: inbound, outbound, mobile",
    ),
    ("call-records", {"id": "not-a-uuid"}, "id", "not a UUID"),
    ("call-records", {"caller_ip": "300.1.2.3"}, "caller_ip", "not a valid IPv4 or IPv6 address"),
    ("call-records", {"caller_ip": "010.1.2.3"}, "caller_ip", "not a valid IPv4 or IPv6 address"),
    ("call-records", {"callee_ip": "2001:db8::1::2"}, "callee_ip", "not a valid IPv4 or IPv6 address"),
    ("call-records", {"callee_number": "+49 30 901820"}, "callee_number", "not a valid E.164 number"),
    (
        "call-records",
        {"invite_time": "2024-05-01 10:00:00"},
        "invite_time",
        "no time zone: add Z or an offset such as +01:00",
    ),
    ("call-records", {"invite_time": "2024-05-01T24:00:00Z"}, "invite_time", "not an ISO 8601 date and time"),
    ("call-records", {"end_time": "2024-05-01T10:00:01Z"}, "end_time", "earlier than start_time"),
    ("call-records", {"start_time": "2024-05-01T09:59:59Z"}, "start_time", "earlier than invite_time"),
    ("call-records", {"call_type": "user_sideways"}, "call_type", "not one of: " + ", ".join(
        ["user_in", "user_out", "user_out_transfer", "user_out_forwarding", "conf_in", "conf_out",
         "emergency_out", "unassigned_in", "ucap_in", "ucap_out"])),  # fmt: skip
    ("call-records", {"direction": ""}, "direction", "this field is required"),
    ("call-records", {"packet_loss_avg": "1.5"}, "packet_loss_avg", "must be between 0 and 1"),
    ("call-records", {"mos_avg": "0.5"}, "mos_avg", "must be between 1 and 5"),
    ("call-records", {"jitter_avg_ms": "NaN"}, "jitter_avg_ms", "not a number"),
    ("call-records", {"leg": "one"}, "leg", "not a whole number"),
    ("call-records", {"duration_seconds": "-1"}, "duration_seconds", "must be between 0 and 2147483647"),
    ("call-records", {"final_sip_code": "999"}, "final_sip_code", "must be between 100 and 699"),
    ("call-records", {"tenant_country": "UK"}, "tenant_country", "not an ISO 3166-1 alpha-2 country code"),
    ("call-records", {"operator": "operator-x"}, "operator", "unknown operator"),
    ("emergency-locations", {"latitude": "91"}, "latitude", "must be between -90 and 90"),
    ("emergency-locations", {"longitude": "-0.1585551"}, "longitude", "more than 6 decimal places"),
    ("emergency-locations", {"longitude": ""}, "longitude", "latitude and longitude go together: give both or neither"),
    (
        "emergency-locations",
        {"country": "US"},
        "state_or_province",
        "required for addresses in CA, IT, US",
    ),
    ("emergency-locations", {"company_name": ""}, "company_name", "this field is required"),
    ("emergency-locations", {"validation_status": "ok"}, "validation_status", "not one of: NotValidated, Validated, Failed"),
]  # fmt: skip


def _count(kind: str) -> int:
    return MODELS.get(kind, EmergencyLocation).objects.count()


@pytest.mark.parametrize(("kind", "bad", "field", "reason"), CASES)
@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_malformed_row_is_rejected_precisely_and_nothing_is_written(
    world, location, engine, fmt, kind, bad, field, reason
):
    rows = [ROWS[kind](**OTHER_KEY[kind]), ROWS[kind](**bad)]
    before = _count(kind)

    report = run(kind, encode(rows, fmt), fmt, engine)

    line = 3 if fmt == "csv" else 2  # the header is line 1 of a CSV file
    assert report.rejects == [Reject(line, field, reason)]
    assert (report.ok, report.rows_total, report.rejects_total) == (False, 2, 1)
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 0)
    assert _count(kind) == before
    assert not AuditEvent.objects.filter(action="data.ingested").exists()


def test_another_tenants_location_is_unknown(world, engine):
    theirs = EmergencyLocationFactory(tenant=world.tenant_b)

    report = run(
        "numbers",
        csv_bytes([number_row(emergency_location_id=str(theirs.location_id))]),
        "csv",
        engine,
    )

    assert report.rejects == [
        Reject(2, "emergency_location_id", "unknown emergency location for this tenant")
    ]


@pytest.mark.parametrize("kind", ["numbers", "call-records", "emergency-locations"])
def test_a_key_repeated_in_the_file_is_rejected(world, engine, kind):
    row = ROWS[kind]()
    key = {"numbers": "telephone_number", "call-records": "id"}.get(kind, "location_id")

    report = run(kind, csv_bytes([row, ROWS[kind](**OTHER_KEY[kind]), row]), "csv", engine)

    assert report.rejects == [Reject(4, key, "duplicate of line 2")]
    assert _count(kind) == 0


def test_a_call_leg_repeated_in_the_file_is_rejected(world, engine):
    rows = [call_row(), call_row(id="1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b")]

    report = run("call-records", csv_bytes(rows), "csv", engine)

    assert report.rejects == [Reject(3, "call_id", "same tenant, call_id and leg as line 2")]


def test_a_call_leg_already_stored_under_another_id_is_rejected(world, engine):
    CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, call_id="call-0001", leg=0)

    report = run("call-records", csv_bytes([call_row()]), "csv", engine)

    assert report.rejects == [
        Reject(2, "call_id", "another call record already has this tenant, call_id and leg")
    ]
    assert CallRecord.objects.count() == 1


def test_a_call_record_stored_for_another_tenant_is_refused_not_moved(world, engine):
    stored = CallRecordFactory(tenant=world.tenant_b, id=call_row()["id"], call_id="theirs")
    ok = call_row(id="1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b", call_id="call-0002")

    report = run("call-records", csv_bytes([ok, call_row()]), "csv", engine)

    assert report.rejects == [Reject(3, "id", "already stored for another tenant")]
    stored.refresh_from_db()
    assert (stored.tenant_id, stored.call_id) == (world.tenant_b.pk, "theirs")
    assert CallRecord.objects.count() == 1


def test_an_emergency_location_stored_for_another_tenant_is_refused_not_moved(world, engine):
    row = location_row()
    stored = EmergencyLocationFactory(
        tenant=world.tenant_b, location_id=row["location_id"], company_name="Fabrikam"
    )

    report = run("emergency-locations", csv_bytes([row]), "csv", engine)

    assert report.rejects == [Reject(2, "location_id", "already stored for another tenant")]
    stored.refresh_from_db()
    assert (stored.tenant_id, stored.company_name) == (world.tenant_b.pk, "Fabrikam")


def test_stored_rows_are_not_partially_overwritten(world, engine):
    run("numbers", csv_bytes([number_row(), number_row(telephone_number="+442079460002")]))
    before = list(PhoneNumber.objects.order_by("pk").values())

    report = run(
        "numbers",
        csv_bytes(
            [
                number_row(city="Leeds", assigned_upn="bob@contoso.example"),  # valid change
                number_row(telephone_number="+442079460003"),  # valid new row
                number_row(telephone_number="+442079460002", iso_country_code="ZZ"),
            ]
        ),
        "csv",
        engine,
    )

    assert report.rejects == [
        Reject(4, "iso_country_code", "not an ISO 3166-1 alpha-2 country code")
    ]
    assert list(PhoneNumber.objects.order_by("pk").values()) == before
    assert PhoneNumber.objects.get(telephone_number="+442079460001").periods.count() == 1


def test_every_bad_value_of_a_row_is_reported_in_column_order(world, engine):
    row = call_row(caller_ip="1.2.3", leg="x", tenant="nobody", mos_avg="9")

    report = run("call-records", csv_bytes([row]), "csv", engine)

    assert report.rejects == [
        Reject(2, "tenant", "unknown tenant"),
        Reject(2, "leg", "not a whole number"),
        Reject(2, "caller_ip", "not a valid IPv4 or IPv6 address"),
        Reject(2, "mos_avg", "must be between 1 and 5"),
    ]


def test_rejects_are_capped_but_counted(world, engine, settings):
    settings.INGEST_MAX_REJECTS = 5
    rows = [number_row(telephone_number=f"+44207946{n:04d}", usage="x") for n in range(12)]

    report = run("numbers", csv_bytes(rows), "csv", engine)

    assert report.rejects_total == 12
    assert [r.line for r in report.rejects] == [2, 3, 4, 5, 6]


# --- the file's structure ------------------------------------------------------------------


def test_a_missing_required_column_rejects_the_header(world, engine):
    row = number_row()
    del row["tenant"]

    report = run("numbers", csv_bytes([row]), "csv", engine)

    assert report.rejects == [Reject(1, "tenant", "required column is missing")]
    assert PhoneNumber.objects.count() == 0


def test_unknown_and_repeated_columns_reject_the_header(world, engine):
    data = b"telephone_number,tenant,operator,iso_country_code,colour,tenant\r\n+442079460001,contoso,operator-o,GB,red,contoso\r\n"

    report = run("numbers", data, "csv", engine)

    assert report.rejects == [
        Reject(1, "colour", "unknown column"),
        Reject(1, "tenant", "repeated column"),
    ]


def test_a_csv_row_with_the_wrong_number_of_fields_is_rejected(world, engine):
    data = csv_bytes([number_row()]) + b"+442079460002,contoso\r\n"

    report = run("numbers", data, "csv", engine)

    assert report.rejects == [Reject(3, "", f"expected {len(number_row())} fields, found 2")]
    assert PhoneNumber.objects.count() == 0


def test_line_numbers_count_line_breaks_inside_quoted_fields(world, engine):
    rows = [
        number_row(assigned_display_name="Ann\nExample"),
        number_row(telephone_number="+442079460002", usage="bad"),
    ]

    report = run("numbers", csv_bytes(rows), "csv", engine)

    assert [(r.line, r.field) for r in report.rejects] == [(4, "usage")]


def test_an_empty_csv_line_is_rejected(world, engine):
    data = csv_bytes([number_row()]) + b"\r\n"

    report = run("numbers", data, "csv", engine)

    assert report.rejects == [Reject(3, "", "empty line")]


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ('{"telephone_number": "+442079460002", ', "", "not valid JSON"),
        ('["+442079460002"]', "", "not a JSON object"),
        ('{"colour": "red"}', "colour", "unknown field"),
    ],
)
def test_ndjson_lines_that_are_not_records_are_rejected(world, engine, line, field, reason):
    data = ndjson_bytes([number_row()]) + line.encode() + b"\n"

    report = run("numbers", data, "ndjson", engine)

    assert report.rejects[0] == Reject(2, field, reason)
    assert PhoneNumber.objects.count() == 0


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"leg": True}, "leg", "wrong type: expected number or string"),
        ({"call_id": 17}, "call_id", "wrong type: expected string"),
        ({"is_emergency": {"yes": 1}}, "is_emergency", "wrong type: expected boolean or string"),
        ({"mos_avg": [4]}, "mos_avg", "wrong type: expected number or string"),
    ],
)
def test_ndjson_values_of_the_wrong_type_are_rejected(world, engine, values, field, reason):
    report = run("call-records", ndjson_bytes([call_row(**values)]), "ndjson", engine)

    assert report.rejects == [Reject(1, field, reason)]


def test_ndjson_takes_json_numbers_and_booleans(world, engine):
    row = call_row(leg=1, duration_seconds=60, mos_avg=4.25, success=False, is_emergency=False)

    report = run("call-records", ndjson_bytes([row]), "ndjson", engine)

    assert report.ok
    call = CallRecord.objects.get()
    assert (call.leg, call.mos_avg, call.success) == (1, 4.25, False)


@pytest.mark.parametrize("kind", ["numbers", "call-records", "emergency-locations"])
def test_a_stored_row_repeated_in_the_file_is_rejected(world, engine, kind):
    row = ROWS[kind]()
    run(kind, csv_bytes([row]), "csv")
    key = {"numbers": "telephone_number", "call-records": "id"}.get(kind, "location_id")

    report = run(kind, csv_bytes([row, row]), "csv", engine)

    assert report.rejects == [Reject(3, key, "duplicate of line 2")]


def test_an_escaped_nul_character_in_ndjson_is_rejected(world, engine):
    report = run("numbers", ndjson_bytes([number_row(city="Lon\u0000don")]), "ndjson", engine)

    assert report.rejects == [Reject(1, "city", "contains a NUL character")]


def test_an_unknown_column_that_looks_like_data_is_not_echoed(world, engine):
    data = ndjson_bytes([{**number_row(), "+442079460001": "x"}])

    report = run("numbers", data, "ndjson", engine)

    assert report.rejects == [Reject(1, "?", "unknown field")]
