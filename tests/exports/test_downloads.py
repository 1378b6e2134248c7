"""Downloads (I5): only through the authorizing view, audited, revoked at once, 404 vs 410."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exports import storage
from exports.models import ExportJob
from portal import services as portal_services
from portal.choices import AuditAction
from portal.models import AuditEvent
from tests.factories import tell_users

ZIP_BYTES = None


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        # A fixed timestamp: the same bytes whenever it is built (ZIP times have 2 s steps).
        zf.writestr(zipfile.ZipInfo("manifest.json", date_time=(2026, 1, 1, 0, 0, 0)), "{}")
    return buf.getvalue()


@pytest.fixture
def job(world, tmp_path):
    """A finished export of Contoso for operator O, its file in private storage; Contoso's
    notice named O before the file was made."""
    tell_users(world.tenant_a, world.alice)
    job = ExportJob.objects.create(
        tenant=world.tenant_a, operator=world.operator_o, requested_by=world.oscar,
        requested_via="operator", datasets=["numbers"], format="csv",
        start=timezone.now() - timedelta(days=1), end=timezone.now(), dedupe_key="k",
        status="succeeded", finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    path = tmp_path / "built.zip"
    path.write_bytes(_zip())
    name = storage.upload(path, storage.new_file_name(job.id))
    ExportJob.objects.filter(pk=job.pk).update(file_name=name, file_size=path.stat().st_size)
    job.refresh_from_db()
    return job


def operator_url(job, slug="operator-o"):
    return reverse("operator:export_download",
                   kwargs={"operator_slug": slug, "job_id": job.id})  # fmt: skip


def tenant_url(job, slug="contoso"):
    return reverse("exports:tenant_export_download",
                   kwargs={"tenant_slug": slug, "job_id": job.id})  # fmt: skip


def test_operator_user_downloads_a_private_attachment_and_it_is_audited(world, job, login):
    response = login(world.oscar).get(operator_url(job), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _zip()
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{job.download_name}"'
    assert job.download_name.startswith("export-contoso-operator-o-")
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT_DOWNLOADED)
    assert (event.actor, event.tenant, event.operator) == (world.oscar, world.tenant_a,
                                                           world.operator_o)  # fmt: skip
    assert event.ip_address == "198.51.100.7" and event.details["job"] == str(job.id)


def test_tenant_admin_and_staff_may_download_too(world, job, login, client):
    assert login(world.alice).get(tenant_url(job)).status_code == 200
    assert login(world.sam).get(tenant_url(job)).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_DOWNLOADED).count() == 2


@pytest.mark.parametrize(
    ("persona", "url", "status"),
    [
        ("anonymous", "operator", 302),
        ("anonymous", "tenant", 302),
        ("uma", "operator", 404),  # another operator: not its portal
        ("uma", "own-operator", 404),  # another operator, its own portal: not its job
        ("bob", "tenant", 404),  # another tenant's admin
        ("bob", "own-tenant", 404),
        ("alice", "operator", 404),  # a tenant admin is not operator staff
        ("oscar", "tenant", 404),  # operator staff are not tenant members
        ("victor", "tenant", 403),  # the tenant's viewer sees the job, may not fetch the file
    ],
)
def test_who_may_not_download(world, job, login, client, persona, url, status):
    c = client if persona == "anonymous" else login(getattr(world, persona))
    target = {
        "operator": operator_url(job),
        "tenant": tenant_url(job),
        "own-operator": operator_url(job, "operator-u"),
        "own-tenant": tenant_url(job, "fabrikam"),
    }[url]
    response = c.get(target)
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_DOWNLOADED).exists()
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("revoke", ["suspend", "remove", "disable"])
def test_revocation_is_immediate_for_the_operator_but_not_for_the_tenant(world, job, login,
                                                                          revoke):  # fmt: skip
    oscar = login(world.oscar)
    assert oscar.get(operator_url(job)).status_code == 200
    if revoke == "suspend":
        portal_services.suspend_assignment(world.assignment, by=world.alice)
    elif revoke == "remove":
        portal_services.remove_assignment(world.assignment, by=world.alice)
    else:
        portal_services.disable_operator_connect(world.tenant_a, by=world.alice)
    response = oscar.get(operator_url(job))
    assert response.status_code == 410
    why = {
        "suspend": "Contoso has suspended sharing with Operator O.",
        "remove": "Operator O is not one of Contoso&#x27;s operators.",
        "disable": "Contoso has turned Operator Connect off, so it shares no data with Operator O.",
    }[revoke]
    assert why in response.content.decode()
    assert login(world.alice).get(tenant_url(job)).status_code == 200


def test_expired_cancelled_failed_answer_410_and_unfinished_409(world, job, login):
    alice = login(world.alice)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert alice.get(tenant_url(job)).status_code == 410  # past its TTL, not yet purged
    for status in ("expired", "cancelled", "failed"):
        ExportJob.objects.filter(pk=job.pk).update(status=status)
        assert alice.get(tenant_url(job)).status_code == 410
    ExportJob.objects.filter(pk=job.pk).update(status="running", progress=42)
    response = alice.get(tenant_url(job))
    assert response.status_code == 409 and b"42% done" in response.content
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_DOWNLOADED).exists()


def test_export_files_are_not_under_any_public_url(settings):
    assert settings.STORAGES["exports"]["OPTIONS"].get("base_url") is None
    assert not str(settings.STORAGES["exports"]["OPTIONS"]["location"]).startswith(
        str(settings.STATIC_ROOT)
    )
