"""The missing pages of issue 15: one call record, what has been shared (filters, pages, CSV),
export jobs in the Django admin."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from exports.engine.call_records import CallRecordsExporter
from exports.models import ExportJob
from portal import services
from portal.choices import AuditAction, CompanySize
from portal.models import AuditEvent
from tests.factories import CallRecordFactory, tell_users

pytestmark = pytest.mark.django_db


def _job(world, operator, *, created_at=None, start=None, end=None, **extra) -> ExportJob:
    now = timezone.now()
    return ExportJob.objects.create(
        tenant=world.tenant_a,
        operator=operator,
        requested_by=world.alice,
        requested_via="tenant",
        datasets=["call_records"],
        format="csv",
        start=start or now - timedelta(days=2),
        end=end or now + timedelta(minutes=1),
        status="succeeded",
        finished_at=now,
        expires_at=now + timedelta(days=7),
        created_at=created_at or now,
        dedupe_key=uuid.uuid4().hex,
        **extra,
    )


def _download(world, job, *, who="Oscar Operator", when=None) -> AuditEvent:
    return AuditEvent.objects.create(
        tenant=world.tenant_a,
        operator=job.operator,
        action=AuditAction.EXPORT_DOWNLOADED,
        actor_label=who,
        details={"job": str(job.pk)},
        ip_address="203.0.113.9",
        occurred_at=when or timezone.now(),
    )


@pytest.fixture
def shared(world):
    tell_users(world.tenant_a, world.alice)
    return world


# --- call-record detail ------------------------------------------------------------------------


def test_call_detail_shows_every_exported_field_the_snapshot_and_who_received_it(
    shared, alice_client
):
    world = shared
    record = CallRecordFactory(
        tenant=world.tenant_a,
        operator=world.operator_o,
        caller_ip="198.51.100.7",
        caller_os="Windows 11",
        is_emergency=True,
        emergency_location_snapshot={"city": "London", "postal_code": "E14 5AB"},
        invite_time=timezone.now(),  # after sharing began (world fixture)
    )
    job = _job(world, world.operator_o)
    _download(world, job)
    other = _job(world, world.operator_o, start=timezone.now() - timedelta(days=9),
                 end=timezone.now() - timedelta(days=8))  # fmt: skip
    html = alice_client.get(f"/t/contoso/call-records/{record.pk}/").content.decode()
    for column in CallRecordsExporter.columns:
        if column.name != "emergency_location":
            assert f"<code>{column.name}</code>" in html
    assert "198.51.100.7" in html and "Windows 11" in html
    assert "London" in html and "E14 5AB" in html
    assert job.short_id in html and "Downloaded" in html and "Oscar Operator" in html
    assert other.short_id not in html  # its period does not cover the call


def test_call_detail_of_a_call_no_export_covered_says_so(shared, alice_client):
    record = CallRecordFactory(tenant=shared.tenant_a, operator=shared.operator_o)
    html = alice_client.get(f"/t/contoso/call-records/{record.pk}/").content.decode()
    assert "No export has carried this record to an operator yet." in html


def test_call_detail_of_another_tenants_call_is_404(shared, alice_client):
    record = CallRecordFactory(tenant=shared.tenant_b, operator=shared.operator_o)
    assert alice_client.get(f"/t/contoso/call-records/{record.pk}/").status_code == 404


def test_call_list_links_each_call_to_its_detail(shared, alice_client):
    record = CallRecordFactory(tenant=shared.tenant_a, operator=shared.operator_o)
    html = alice_client.get("/t/contoso/call-records/").content.decode()
    assert f"/t/contoso/call-records/{record.pk}/" in html


# --- what has been shared ----------------------------------------------------------------------


@pytest.fixture
def two_operators(shared, world):
    from tests.factories import OperatorFactory

    third = OperatorFactory(name="Operator T", slug="operator-t", countries=["GB"])
    services.assign_operator(
        world.tenant_a, third, countries=["GB"], contact_full_name="Alice Admin",
        contact_email="alice@contoso.test", company_size=CompanySize.S251_1000,
        acknowledged=True, by=world.alice,
    )  # fmt: skip
    return third


def test_shared_filters_by_operator(shared, two_operators, alice_client):
    o_job = _job(shared, shared.operator_o)
    t_job = _job(shared, two_operators)
    _download(shared, o_job, who="Oscar Operator")
    _download(shared, t_job, who="Tess Third")
    html = alice_client.get("/t/contoso/exports/shared/?operator=operator-t").content.decode()
    assert t_job.short_id in html and "Tess Third" in html
    assert o_job.short_id not in html and "Oscar Operator" not in html


def test_shared_filters_by_period(shared, alice_client):
    old = _job(shared, shared.operator_o, created_at=timezone.now() - timedelta(days=40))
    new = _job(shared, shared.operator_o)
    since = (timezone.now() - timedelta(days=2)).date().isoformat()
    html = alice_client.get(f"/t/contoso/exports/shared/?date_from={since}").content.decode()
    assert new.short_id in html and old.short_id not in html


def test_shared_pages_through_every_download_without_a_cap(shared, alice_client):
    job = _job(shared, shared.operator_o)
    now = timezone.now()
    for i in range(120):
        _download(shared, job, who=f"Person {i:03d}", when=now - timedelta(minutes=i))
    first = alice_client.get("/t/contoso/exports/shared/").content.decode()
    assert "120 in all" in first and "Person 000" in first and "Person 050" not in first
    last = alice_client.get("/t/contoso/exports/shared/?dpage=3").content.decode()
    assert "Person 119" in last and "Page 3 of 3" in last


def test_shared_downloads_as_csv_with_filters_and_neutralised_cells(
    shared, two_operators, alice_client
):
    job = _job(shared, shared.operator_o)
    _download(shared, job, who='=HYPERLINK("http://evil")')
    _download(shared, _job(shared, two_operators), who="Tess Third")
    response = alice_client.get("/t/contoso/exports/shared/?operator=operator-o&csv=downloads")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["downloaded_at", "who", "operator", "export_id", "ip_address"]
    assert len(rows) == 2
    assert rows[1][1].startswith("'=")  # a spreadsheet shows it as text, never runs it
    assert rows[1][3] == str(job.pk)
    exports = alice_client.get("/t/contoso/exports/shared/?csv=exports")
    rows = list(csv.reader(io.StringIO(b"".join(exports.streaming_content).decode())))
    assert rows[0][0] == "export_id" and len(rows) == 3


def test_viewers_csv_of_downloads_has_no_ip_addresses(shared, client):
    _download(shared, _job(shared, shared.operator_o))
    client.force_login(shared.victor, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/t/contoso/exports/shared/?csv=downloads")
    text = b"".join(response.streaming_content).decode()
    assert "ip_address" not in text and "203.0.113.9" not in text


# --- admin -------------------------------------------------------------------------------------


def test_staff_see_export_jobs_read_only_in_the_admin(shared, client):
    job = _job(shared, shared.operator_o)
    client.force_login(shared.sam, backend="django.contrib.auth.backends.ModelBackend")
    listing = client.get("/admin/exports/exportjob/")
    assert listing.status_code == 200 and str(job.pk) in listing.content.decode()
    detail = client.get(f"/admin/exports/exportjob/{job.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.get("/admin/exports/exportjob/add/").status_code == 403
    assert client.post(f"/admin/exports/exportjob/{job.pk}/delete/").status_code == 403


def test_non_staff_cannot_open_export_jobs_in_the_admin(shared, alice_client):
    response = alice_client.get("/admin/exports/exportjob/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
