"""The access report says exactly what each export file held: build exports through the real
engine, open the ZIPs, count each person's rows, and compare."""

import csv
import io
import json
from collections import Counter, defaultdict

import pytest
from django.urls import reverse

from exports.models import ExportSubject
from portal.choices import AuditAction, Direction
from portal.models import AuditEvent
from privacy.access import find_exports
from privacy.subjects import NUMBER, UPN, Subject, parse_subject
from tests.exports.conftest import make_job, read_zip, run, utc
from tests.factories import CallRecordFactory, PhoneNumberFactory

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = "+442079460010"
BEN = "+442079460020"
EXTERNAL = "+442079460099"


@pytest.fixture
def calls(world, published):
    tenant, o = world.tenant_a, world.operator_o
    PhoneNumberFactory(tenant=tenant, operator=o, telephone_number=ANNA,
                       assigned_upn="Anna@Contoso.test", sip_uri="sip:anna@contoso.test")  # fmt: skip
    PhoneNumberFactory(tenant=tenant, operator=o, telephone_number=BEN,
                       assigned_upn="ben@contoso.test")  # fmt: skip
    rows = []
    for i in range(12):
        outbound = i % 3 != 0
        me, upn = (ANNA, "anna@contoso.test") if i % 2 else (BEN, "Ben@Contoso.test")
        rows.append(
            CallRecordFactory(
                tenant=tenant,
                operator=o,
                call_id=f"c{i}",
                invite_time=utc(2030, 1, 1 + i),
                direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
                caller_number=me if outbound else EXTERNAL,
                callee_number=EXTERNAL if outbound else me,
                user_upn=upn,
                caller_ip="192.0.2.10",
                callee_ip="198.51.100.20",
            )  # fmt: skip
        )
    # A call from Anna to herself is one row of Anna's, not two.
    CallRecordFactory(tenant=tenant, operator=o, call_id="self", invite_time=utc(2030, 2, 1),
                      caller_number=ANNA, callee_number=ANNA, user_upn="anna@contoso.test")  # fmt: skip
    return rows


def _subjects_in_zip(files: dict[str, bytes], fmt: str) -> dict[tuple[str, str], Counter]:
    """Per user of the tenant: rows per dataset, read from the file itself — the UPN and the
    user's own number (caller of an outbound leg, callee of an inbound one), in full."""
    found: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for dataset, upn_col in (("call_records", "user_upn"), ("numbers", "assigned_upn")):
        name = f"{dataset}.{fmt}"
        if name not in files:
            continue
        text = files[name].decode()
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(text)))
        else:
            rows = [json.loads(line) for line in text.splitlines() if line]
        for row in rows:
            if dataset == "numbers":
                own = row["telephone_number"]
            else:
                own = row["caller_number" if row["direction"] == "outbound" else "callee_number"]
            people = set()
            if own and own.startswith("+") and own[1:].isdigit():
                people.add((NUMBER, own))
            if row[upn_col]:
                people.add((UPN, row[upn_col].lower()))
            for person in people:
                found[person][dataset] += 1
    return found


@pytest.mark.parametrize(("fmt", "mask"), [("csv", False), ("ndjson", True)])
def test_access_report_equals_what_the_files_hold(world, calls, fmt, mask):
    tenant, o = world.tenant_a, world.operator_o
    jobs = [
        make_job(
            tenant,
            o,
            world.oscar,
            datasets=("call_records", "numbers"),
            fmt=fmt,
            start=utc(2029, 1, 1),
            end=utc(2031, 1, 1),
            mask=mask,
        ),  # fmt: skip
        make_job(
            tenant,
            o,
            world.alice,
            datasets=("call_records",),
            fmt=fmt,
            via="tenant",
            start=utc(2030, 1, 5),
            end=utc(2030, 1, 9),
            mask=mask,
        ),  # fmt: skip
    ]
    expected: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for job in jobs:
        job = run(job)
        assert job.status == "succeeded", job.error_message
        for person, counts in _subjects_in_zip(read_zip(job), fmt).items():
            expected[person][str(job.pk)] = dict(counts)
    assert (NUMBER, ANNA) in expected and (UPN, "ben@contoso.test") in expected
    # The external party is not one of the tenant's users: not indexed (docs/privacy.md).
    assert (NUMBER, EXTERNAL) not in expected
    for (kind, value), per_job in expected.items():
        got = {str(e.job.pk): e.rows for e in find_exports(tenant, Subject(kind, value))}
        assert got == per_job, (kind, value)
    # Nobody else: every recorded subject is one the files hold.
    assert ExportSubject.objects.count() == sum(len(v) for v in expected.values())
    assert find_exports(tenant, parse_subject(number="+442079469999")) == []


def test_a_later_ingest_does_not_change_what_a_file_held(world, calls):
    job = run(make_job(world.tenant_a, world.operator_o, world.oscar,
                       start=utc(2029, 1, 1), end=utc(2031, 1, 1)))  # fmt: skip
    before = {e.job.pk: e.rows for e in find_exports(world.tenant_a, Subject(NUMBER, ANNA))}
    CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, call_id="late",
                      invite_time=utc(2030, 3, 1), caller_number=ANNA)  # fmt: skip
    after = {e.job.pk: e.rows for e in find_exports(world.tenant_a, Subject(NUMBER, ANNA))}
    assert before == after == {job.pk: {"call_records": 7}}


def test_failed_export_records_no_subjects(world, calls):
    job = make_job(world.tenant_a, world.operator_o, world.oscar,
                   start=utc(2029, 1, 1), end=utc(2031, 1, 1))  # fmt: skip
    world.assignment.status = "removed"
    from portal import services

    services.remove_assignment(world.assignment, by=world.alice)
    job = run(job)
    assert job.status == "failed"
    assert not ExportSubject.objects.exists()


def test_page_lists_operator_rows_notice_and_downloads_and_is_audited(world, calls, login):
    job = run(make_job(world.tenant_a, world.operator_o, world.oscar,
                       start=utc(2029, 1, 1), end=utc(2031, 1, 1)))  # fmt: skip
    download = reverse("operator:export_download",
                       kwargs={"operator_slug": "operator-o", "job_id": job.id})  # fmt: skip
    assert login(world.oscar).get(download, REMOTE_ADDR="203.0.113.9").status_code == 200
    client = login(world.alice)
    url = reverse("privacy:access", kwargs={"tenant_slug": "contoso"})
    response = client.get(url, {"number": "+44 20 7946 0010"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Operator O" in html and job.short_id in html
    assert "Call details, quality and connection data: 7" in html
    assert "Numbers and SIP URIs" not in html  # the job held no numbers file
    assert "203.0.113.9" in html and "Oscar Operator" in html
    assert f"version {job.notice_version}" in html
    event = AuditEvent.objects.get(action=AuditAction.PRIVACY_ACCESS_REPORT)
    assert event.actor == world.alice and ANNA not in event.target_label
    assert event.target_label == "+44207946••••"
    printable = client.get(reverse("privacy:access_print", kwargs={"tenant_slug": "contoso"}),
                           {"upn": "ANNA@contoso.test"})  # fmt: skip
    assert printable.status_code == 200 and "Operator O" in printable.content.decode()


def test_page_explains_bad_input(world, login):
    url = reverse("privacy:access", kwargs={"tenant_slug": "contoso"})
    response = login(world.alice).get(url, {"number": "12"})
    assert response.status_code == 200
    assert "international format" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.PRIVACY_ACCESS_REPORT).exists()


def test_api_returns_the_report_as_json(world, calls, login):
    job = run(make_job(world.tenant_a, world.operator_o, world.oscar,
                       datasets=("call_records", "numbers"),
                       start=utc(2029, 1, 1), end=utc(2031, 1, 1)))  # fmt: skip
    url = reverse("api:privacy-access-report", kwargs={"tenant_slug": "contoso"})
    client = login(world.alice)
    body = client.get(url, {"upn": "anna@contoso.test"}).json()
    assert body["subject"] == {"kind": "upn", "value": "anna@contoso.test"}
    assert [e["export"] for e in body["exports"]] == [str(job.pk)]
    assert body["exports"][0]["rows"] == {"call_records": 7, "numbers": 1}
    assert body["operators"] == [{"name": "Operator O", "slug": "operator-o"}]
    both = client.get(url, {"upn": "anna@contoso.test", "number": ANNA})
    assert both.status_code == 400 and both.json()["error"]["code"] == "subject_required"
    assert client.get(url, {"phone": ANNA}).status_code == 400
    assert login(world.victor).get(url, {"number": ANNA}).status_code == 403
    assert login(world.bob).get(url, {"number": ANNA}).status_code == 404


@pytest.mark.parametrize("mask", [False, True])
def test_postgres_and_portable_paths_record_the_same_subjects(world, calls, mask):
    from exports.engine import EXPORTERS
    from exports.engine.sources import PortableSource, PostgresSource

    job = make_job(world.tenant_a, world.operator_o, world.oscar, mask=mask,
                   datasets=("call_records", "numbers"),
                   start=utc(2029, 1, 1), end=utc(2031, 1, 1))  # fmt: skip
    exporters = [EXPORTERS[d] for d in job.datasets]
    out = {}
    for source_cls in (PostgresSource, PortableSource):
        sink = io.BytesIO()
        with source_cls(job) as source:
            source.write_subjects(exporters, sink)
        out[source_cls] = sorted(sink.getvalue().decode().splitlines())
    assert out[PostgresSource] == out[PortableSource]
    assert len(out[PostgresSource]) == 4  # 2 numbers, 2 UPNs (never the external party)
