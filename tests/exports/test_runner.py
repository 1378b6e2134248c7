"""Running jobs for real on PostgreSQL: notifications, re-checks inside the task, transient
errors, exactly one success, expiry purge."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from exports import runner, services, storage
from exports.models import ExportJob
from portal import services as portal_services
from portal.choices import AuditAction, CompanySize
from portal.models import AuditEvent
from tests.exports.conftest import make_job, run
from tests.factories import CallRecordFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def calls(world):
    for i in range(3):
        CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, call_id=f"c{i}",
                          caller_number="+442079460123")  # fmt: skip


def _request(world, by=None, via="tenant"):
    job, _ = services.request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=by or world.alice, via=via,
        datasets=["call_records", "numbers"], start=timezone.now() - timedelta(days=1),
        end=timezone.now() + timedelta(hours=1), format="csv",
    )  # fmt: skip
    return job


def test_a_finished_export_mails_its_requester_and_the_operators_staff(world, published, calls):
    mail.outbox.clear()  # the tenant's own changes already told the operator's admins
    job = run(_request(world))
    assert job.status == "succeeded" and job.rows_total == 3 and job.progress == 100
    assert job.expires_at - job.finished_at == timedelta(days=7)
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == ["alice@contoso.test", "olivia@operator-o.test", "oscar@operator-o.test"]
    alice = next(m for m in mail.outbox if m.to == ["alice@contoso.test"])
    assert alice.subject == "Export ready: Contoso for Operator O"
    assert f"/t/contoso/exports/{job.id}/" in alice.body
    oscar = next(m for m in mail.outbox if m.to == ["oscar@operator-o.test"])
    assert f"/o/operator-o/exports/{job.id}/" in oscar.body
    assert oscar.alternatives[0][1] == "text/html"
    assert all("+44" not in m.body for m in mail.outbox)  # no personal data in e-mails


def test_the_worker_rechecks_the_share_and_fails_safely_when_it_ended(world, published, calls):
    job = _request(world)
    portal_services.suspend_assignment(world.assignment, by=world.alice)
    mail.outbox.clear()  # the suspension told the operator's admins
    job = run(job)
    assert job.status == "failed" and job.file_name == ""
    assert "has suspended sharing with Operator O" in job.error_message
    assert storage.orphan_file_names(job.id, keep="") == []
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_FAILED).count() == 1
    assert [m.subject for m in mail.outbox][0] == "Export failed: Contoso for Operator O"


def test_the_worker_rechecks_the_requesters_role(world, published, calls):
    job = _request(world, by=world.oscar, via="operator")
    world.oscar.operator_memberships.all().delete()
    job = run(job)
    assert job.status == "failed"
    assert job.error_message == "Only staff of Operator O can request its exports."


def test_the_worker_refuses_an_operator_the_notice_does_not_name(world, published, calls):
    portal_services.assign_operator(
        world.tenant_a, world.operator_u, countries=["GB"], contact_full_name="Alice Admin",
        contact_email="alice@contoso.test", company_size=CompanySize.S1_50, acknowledged=True,
        by=world.alice,
    )  # fmt: skip
    job = run(make_job(world.tenant_a, world.operator_u, world.uma))
    assert job.status == "failed"
    assert "does not name Operator U" in job.error_message


def test_a_transient_storage_error_requeues_the_job_for_a_retry(world, published, calls,
                                                                settings, tmp_path):  # fmt: skip
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    settings.STORAGES = {**settings.STORAGES, "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(blocker / "exports")}}}  # fmt: skip
    job = _request(world)
    with pytest.raises(runner.TransientExportError):
        runner.run_export(job.pk)
    job.refresh_from_db()
    assert (job.status, job.lease_owner, job.attempts) == ("queued", "", 1)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_FAILED).exists()


def test_running_a_job_twice_publishes_once(world, published, calls):
    job = _request(world)
    assert runner.run_export(job.pk) == "succeeded"
    assert runner.run_export(job.pk) == "skipped"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_SUCCEEDED).count() == 1


def test_purge_deletes_expired_files_and_marks_the_jobs_expired(world, published, calls):
    job = run(_request(world))
    keep = run(make_job(world.tenant_a, world.operator_o, world.oscar, fmt="ndjson"))
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.purge_expired_exports() == 1
    job.refresh_from_db()
    assert job.status == "expired"
    assert not storage.export_storage().exists(job.file_name)
    assert storage.export_storage().exists(keep.file_name)
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_EXPIRED).count() == 1
    assert services.purge_expired_exports() == 0


def test_the_task_retries_transient_errors_with_backoff_then_gives_up(world, published, calls,
                                                                      settings, tmp_path):  # fmt: skip
    from exports import tasks

    assert [tasks.backoff(n) for n in range(5)] == [10, 20, 40, 80, 160]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.STORAGES = {**settings.STORAGES, "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(blocker / "exports")}}}  # fmt: skip
    job = _request(world)
    tasks.run_export.apply(args=[str(job.pk)])  # eager: each retry runs at once
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == tasks.MAX_RETRIES + 1
    assert "service was unavailable" in job.error_message
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_FAILED).count() == 1
