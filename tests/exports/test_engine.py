"""The engine: both paths give the same bytes; formulas are neutralised; digits are masked;
the manifest's checksums verify."""

import csv
import hashlib
import io
import json
import uuid

import pytest

from exports.engine import EXPORTERS
from exports.engine.sources import PortableSource, PostgresSource
from exports.storage import open_file
from portal.choices import Direction
from tests.exports.conftest import make_job, manifest_of, read_zip, run, utc
from tests.factories import CallRecordFactory, EmergencyLocationFactory, PhoneNumberFactory

# The PostgreSQL path reads through its own connection: rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

NASTY = [
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(A1:A2)",
    "-2+3",
    "@cmd",
    "\tindented",
    "\rcarriage",
    'comma, "quote"\nand newline',
    "Zoë Ångström ✓",
    "",
]


@pytest.fixture
def rows(world, published):
    tenant, o = world.tenant_a, world.operator_o
    location = EmergencyLocationFactory(tenant=tenant, company_name="=Contoso", city="-London")
    PhoneNumberFactory(tenant=tenant, operator=o, telephone_number="+442071234567",
                       emergency_location=location, assigned_display_name="@Alice",
                       capabilities=["inbound", "outbound"])  # fmt: skip
    calls = []
    for i, text in enumerate(NASTY):
        calls.append(
            CallRecordFactory(
                tenant=tenant,
                operator=o,
                call_id=f"call-{i}",
                user_display_name=text,
                user_upn=f"user{i}@contoso.test",
                invite_time=utc(2030, 1, 1, 10, i),
                start_time=utc(2030, 1, 1, 10, i, 5),
                end_time=utc(2030, 1, 1, 10, i, 59),
                failure_time=None,
                correlation_id=uuid.UUID(int=i),
                caller_number=["+442079460000", "=1+1", "+1+1", "0800 FORMULA"][i % 4],
                callee_number="+442079460001",
                direction=[Direction.OUTBOUND, Direction.INBOUND][i % 2],
                caller_ip=["192.0.2.10", "2001:db8::1", None][i % 3],
                jitter_avg_ms=[12.5, 1 / 3, 100.0, None, 0.0000004, 1e-7, 3.9999995][i % 7],
                packet_loss_avg=0.013,
                mos_avg=4.2,
                is_emergency=bool(i % 2),
                emergency_location_snapshot=location.snapshot() if i % 2 else None,
            )  # fmt: skip
        )
    return calls


def _bytes(source_cls, job, exporter):
    sink = io.BytesIO()
    with source_cls(job) as source:
        source.stream(exporter, sink, lambda n: None)
    return sink.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
@pytest.mark.parametrize("mask", [False, True])
@pytest.mark.parametrize("dataset", ["call_records", "numbers", "emergency_locations"])
def test_postgres_copy_and_portable_path_give_identical_bytes(world, rows, fmt, mask, dataset):
    job = make_job(world.tenant_a, world.operator_o, world.oscar, fmt=fmt, mask=mask,
                   datasets=[dataset], start=utc(2029, 1, 1), end=utc(2031, 1, 1))  # fmt: skip
    exporter = EXPORTERS[dataset]
    copied = _bytes(PostgresSource, job, exporter)
    portable = _bytes(PortableSource, job, exporter)
    assert copied.count(b"\n") >= 1
    assert copied == portable


def _csv_rows(job, name="call_records.csv"):
    return list(csv.DictReader(io.StringIO(read_zip(job)[name].decode())))


def test_csv_cells_that_would_start_a_formula_are_neutralised(world, rows):
    job = run(make_job(world.tenant_a, world.operator_o, world.oscar, mask=False,
                       start=utc(2029, 1, 1), end=utc(2031, 1, 1)))  # fmt: skip
    names = [r["user_display_name"] for r in _csv_rows(job)]
    assert names == [
        '\'=HYPERLINK("http://evil.example","click")',
        "'+SUM(A1:A2)",
        "'-2+3",
        "'@cmd",
        "'\tindented",
        "'\rcarriage",
        'comma, "quote"\nand newline',
        "Zoë Ångström ✓",
        "",
    ]
    callers = [r["caller_number"] for r in _csv_rows(job)][:4]
    # E.164 keeps its '+'; anything else that could start a formula is neutralised.
    assert callers == ["+442079460000", "'=1+1", "'+1+1", "0800 FORMULA"]
    numbers = list(csv.DictReader(io.StringIO(read_zip(
        run(make_job(world.tenant_a, world.operator_o, world.oscar, datasets=["numbers",
            "emergency_locations"]))
    )["numbers.csv"].decode())))  # fmt: skip
    assert numbers[0]["telephone_number"] == "+442071234567"
    assert numbers[0]["assigned_display_name"] == "'@Alice"


def test_ndjson_keeps_values_as_they_are(world, rows):
    job = run(make_job(world.tenant_a, world.operator_o, world.oscar, fmt="ndjson", mask=False,
                       start=utc(2029, 1, 1), end=utc(2031, 1, 1)))  # fmt: skip
    lines = [json.loads(x) for x in read_zip(job)["call_records.ndjson"].decode().splitlines()]
    assert [x["user_display_name"] for x in lines] == NASTY
    assert lines[0]["jitter_avg_ms"] == 12.5
    assert lines[0]["invite_time"] == "2030-01-01T10:00:00Z"
    assert lines[1]["emergency_location"]["company_name"] == "=Contoso"


def test_external_party_digits_are_masked_when_the_tenant_asks(world, rows):
    job = run(make_job(world.tenant_a, world.operator_o, world.oscar, mask=True,
                       start=utc(2029, 1, 1), end=utc(2031, 1, 1)))  # fmt: skip
    out = _csv_rows(job)
    outbound, inbound = out[0], out[1]
    assert outbound["direction"] == "outbound"
    assert (outbound["caller_number"], outbound["callee_number"]) == (
        "+442079460000", "'+44207946XXXX",
    )  # fmt: skip
    assert inbound["direction"] == "inbound"
    # Neutralised first ("'=1+1"), then masked: the formula never survives either way.
    assert (inbound["caller_number"], inbound["callee_number"]) == ("'XXXX", "+442079460001")
    assert out[3]["caller_number"] == "0800 FORXXXX"  # inbound: its last 4 characters masked
    assert job.manifest["masked_external_digits"] is True


def test_masking_is_on_by_default_for_new_tenants_in_de_fr_ch(world):
    from portal.services.directory import create_tenant

    def new(slug, country, **choice):
        return create_tenant(by=world.sam, name=slug, slug=slug, country=country, **choice)

    assert new("paris", "FR").mask_external_digits is True
    assert new("zurich", "CH").mask_external_digits is True
    assert new("munich", "DE").mask_external_digits is True
    assert new("leeds", "GB").mask_external_digits is False


def test_an_explicit_masking_choice_at_creation_is_kept(world):
    from portal.services.directory import create_tenant

    tenant = create_tenant(
        by=world.sam, name="Hamburg", slug="hamburg", country="DE", mask_external_digits=False
    )
    tenant.refresh_from_db()
    assert tenant.mask_external_digits is False


def test_manifest_describes_the_files_and_its_checksums_verify(world, rows, published):
    job = run(make_job(world.tenant_a, world.operator_o, world.oscar,
                       datasets=["call_records", "numbers", "emergency_locations"],
                       start=utc(2029, 1, 1), end=utc(2031, 1, 1)))  # fmt: skip
    files = read_zip(job)
    manifest = manifest_of(job)
    with open_file(job.file_name) as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == job.file_sha256
    assert manifest["format_version"] == 1
    assert manifest["job_id"] == str(job.id)
    assert manifest["tenant"]["name"] == "Contoso"
    assert manifest["operator"]["slug"] == "operator-o"
    assert manifest["requested_by"]["email"] == "oscar@operator-o.test"
    assert manifest["datasets"] == ["call_records", "emergency_locations", "numbers"]
    assert manifest["time_range"] == {
        "start": "2029-01-01T00:00:00Z",
        "end": "2031-01-01T00:00:00Z",
    }
    assert manifest["notice_version"]["number"] == published.number
    assert manifest["notice_version"]["sha256"] == published.sha256
    assert {f["name"]: f["rows"] for f in manifest["files"]} == {
        "call_records.csv": len(NASTY), "numbers.csv": 1, "emergency_locations.csv": 1,
    }  # fmt: skip
    for f in manifest["files"]:
        assert hashlib.sha256(files[f["name"]]).hexdigest() == f["sha256"]
        assert len(files[f["name"]]) == f["bytes"]
    assert job.row_counts == {"call_records": 9, "numbers": 1, "emergency_locations": 1}
    assert job.notice_version == published.number


def test_portable_pages_continue_exactly_after_the_last_row_even_on_equal_times(world, published):
    from exports.engine.sources import keyset_pages

    same = utc(2030, 1, 1, 12)
    for i in range(11):
        CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, call_id=f"tie-{i}",
                          invite_time=same if i < 7 else utc(2030, 1, 1, 13, i))  # fmt: skip
    job = make_job(world.tenant_a, world.operator_o, world.oscar, start=utc(2029, 1, 1),
                   end=utc(2031, 1, 1))  # fmt: skip
    exporter = EXPORTERS["call_records"]
    paged = [row for page in keyset_pages(exporter.ordered(job), exporter, size=3) for row in page]
    whole = list(exporter.ordered(job).values_list(*exporter.value_fields()))
    assert len(whole) == 11 and paged == whole


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_a_range_outside_every_share_window_exports_empty_files_not_an_error(world, rows, fmt):
    # Before the assignment started, nothing is shareable: the scoped queryset is `.none()`.
    job = make_job(world.tenant_a, world.operator_o, world.oscar, fmt=fmt,
                   start=utc(2020, 1, 1), end=utc(2021, 1, 1))  # fmt: skip
    exporter = EXPORTERS["call_records"]
    copied = _bytes(PostgresSource, job, exporter)
    assert copied == _bytes(PortableSource, job, exporter)
    job = run(job)
    assert job.status == "succeeded", job.error_message
    assert manifest_of(job)["files"][0]["rows"] == 0
