"""The portable engine and the PostgreSQL bulk engine give the same report and the same rows."""

import pytest
import time_machine

from portal.models import CallRecord, EmergencyLocation, PhoneNumber, PhoneNumberPeriod
from tests.ingest.conftest import call_row, csv_bytes, encode, location_row, number_row, run

NOW = "2026-03-01T12:00:00Z"


def _rows(model):
    return [
        {
            k: v
            for k, v in row.items()
            # ingested_at is when each run stored the row: it differs by design
            if (k not in {"id", "number_id"} or model is CallRecord) and k != "ingested_at"
        }
        for row in model.objects.order_by(
            "telephone_number"
            if model is PhoneNumber
            else "location_id"
            if model is EmergencyLocation
            else "id"
        ).values()
    ]


def _mixed_numbers():
    return [
        number_row(),
        number_row(telephone_number="+4420", usage="Nope", iso_country_code="gb"),
        number_row(telephone_number="+442079460002", acquired_at="2024-01-02 03:04:05+0100"),
        number_row(telephone_number="+442079460003", tenant="nobody", operator="nobody"),
        number_row(),
        number_row(telephone_number="+442079460004", released_at="2020-01-01T00:00:00Z"),
    ]


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_both_engines_report_the_same_rejects(world, fmt):
    data = encode(_mixed_numbers(), fmt)

    bulk = run("numbers", data, fmt, "postgresql")
    portable = run("numbers", data, fmt, "portable")

    assert bulk == portable
    assert bulk.rejects_total == 5
    assert PhoneNumber.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "rows"),
    [
        (
            "numbers",
            [
                number_row(),
                number_row(telephone_number="+442079460002", iso_country_code="gb"),
                number_row(telephone_number="+442079460003", allow_tenant_address_update="TRUE"),
            ],
        ),
        (
            "call-records",
            [
                call_row(),
                call_row(
                    id="1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b",
                    call_id="call-2",
                    caller_ip="2001:DB8::1",
                    invite_time="2024-05-01 10:00+01",
                    start_time="",
                    end_time="",
                    leg="+1",
                    mos_avg="4",
                ),
            ],
        ),
        ("emergency-locations", [location_row(), location_row(location_id="2e3d4c5b-6a79-4887-9a6b-5c4d3e2f1a0b", latitude=".5", longitude="-0.25")]),
    ],
)  # fmt: skip
def test_both_engines_write_the_same_rows(world, kind, rows):
    data = csv_bytes(rows)
    model = {"numbers": PhoneNumber, "call-records": CallRecord}.get(kind, EmergencyLocation)
    results = []
    for engine in ("postgresql", "portable"):
        with time_machine.travel(NOW, tick=False):
            report = run(kind, data, "csv", engine)
        results.append((report, _rows(model)))
        PhoneNumberPeriod.objects.all().delete()
        model.objects.all().delete()

    (bulk, bulk_rows), (portable, portable_rows) = results
    assert bulk == portable and bulk.inserted == len(rows)
    assert bulk_rows == portable_rows


def test_the_bulk_path_takes_ordinary_files(world):
    """No silent fallback: a plain valid file is written by the PostgreSQL bulk path."""
    for kind, row in [
        ("numbers", number_row()),
        ("call-records", call_row()),
        ("emergency-locations", location_row()),
    ]:
        for fmt in ("csv", "ndjson"):
            assert run(kind, encode([row], fmt), fmt, "postgresql").engine == "postgresql"


def test_unusual_spellings_fall_back_to_the_row_by_row_check(world):
    report = run("numbers", csv_bytes([number_row(iso_country_code="gb")]), "csv", "postgresql")

    assert (report.ok, report.engine) == (True, "portable")
    assert PhoneNumber.objects.get().iso_country_code == "GB"


def test_auto_uses_the_bulk_path_on_postgresql(world):
    assert run("numbers", csv_bytes([number_row()]), "csv").engine == "postgresql"


def test_a_stray_quote_in_an_unquoted_field_reads_the_same_in_both_engines(world):
    header, line = csv_bytes([number_row()]).split(b"\r\n")[:2]
    data = header + b"\r\n" + line.replace(b"Ann Example", b'Ann "Boss" Example') + b"\r\n"
    results = []
    for engine in ("postgresql", "portable"):
        report = run("numbers", data, "csv", engine)
        results.append((report, PhoneNumber.objects.get().assigned_display_name))
        PhoneNumberPeriod.objects.all().delete()
        PhoneNumber.objects.all().delete()

    assert results[0] == results[1]
    assert results[0][1] == 'Ann "Boss" Example'


def test_a_file_with_quoted_commas_and_formulas_takes_the_bulk_path(world):
    rows = [
        call_row(user_display_name="Example, Ann"),
        call_row(
            id="1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b",
            call_id="call-2",
            user_display_name='=HYPERLINK("http://x.test","y")',
        ),
    ]

    report = run("call-records", csv_bytes(rows), "csv", "postgresql")

    assert (report.ok, report.engine) == (True, "postgresql")
    assert CallRecord.objects.get(call_id="call-2").user_display_name == (
        '=HYPERLINK("http://x.test","y")'
    )


def test_numbers_may_carry_surrounding_spaces_in_both_engines(world):
    rows = [call_row(mos_avg=" 4.5\t", jitter_avg_ms="1e1", packet_loss_avg=".5")]
    for engine in ("postgresql", "portable"):
        report = run("call-records", csv_bytes(rows), "csv", engine)
        call = CallRecord.objects.get()
        assert (report.ok, call.mos_avg, call.jitter_avg_ms, call.packet_loss_avg) == (
            True,
            4.5,
            10.0,
            0.5,
        )
        call.delete()


@pytest.mark.parametrize("value", ["0x1p1", "Infinity", "NaN", "1e999"])
def test_numbers_postgresql_would_take_are_refused_by_both_engines(world, value):
    data = csv_bytes([call_row(jitter_avg_ms=value)])

    bulk = run("call-records", data, "csv", "postgresql")

    assert bulk == run("call-records", data, "csv", "portable")
    assert [(r.field, r.reason) for r in bulk.rejects] in (
        [("jitter_avg_ms", "not a number")],
        [("jitter_avg_ms", "must be between 0 and 1e+06")],
    )


def test_both_engines_report_the_same_tenancy_rejects(world, location):
    """An operator the tenant never chose, a tenant without that operator, a Validated address."""
    location.validation_status = "Validated"
    location.save()
    numbers = [
        number_row(),
        number_row(telephone_number="+442079460002", operator="operator-u"),
        number_row(telephone_number="+442079460003", tenant="fabrikam"),
    ]
    changed = location_row(
        location_id=str(location.location_id), company_name="Contoso Ltd", country="GB",
        city="Leeds", validation_status="NotValidated",
    )  # fmt: skip
    files = [
        ("numbers", encode(numbers, "ndjson"), "ndjson", [(2, "operator"), (3, "operator")]),
        ("emergency-locations", csv_bytes([location_row(), changed]), "csv", [(3, "city")]),
    ]
    for kind, data, fmt, expected in files:
        bulk = run(kind, data, fmt, "postgresql")
        assert bulk == run(kind, data, fmt, "portable")
        assert [(r.line, r.field) for r in bulk.rejects if r.field in ("operator", "city")] == (
            expected
        )
    assert PhoneNumber.objects.count() == 0
    assert EmergencyLocation.objects.get().city == "London"
