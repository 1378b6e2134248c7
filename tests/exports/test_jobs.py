"""Requesting, deduplicating, limiting, claiming and cancelling export jobs (I3, I6)."""

import base64
import json
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from exports import runner, services
from exports.models import ExportJob
from portal import services as portal_services
from portal.choices import AuditAction, CompanySize
from portal.errors import Conflict, DomainError, PermissionDenied
from portal.models import AuditEvent
from tests.exports.conftest import utc

START, END = utc(2026, 1, 1), utc(2026, 2, 1)


def ask(world, *, by=None, via="tenant", operator=None, tenant=None, fmt="csv",
        datasets=("call_records",), start=START, end=END):  # fmt: skip
    return services.request_export(
        tenant=tenant or world.tenant_a, operator=operator or world.operator_o,
        by=by or world.alice, via=via, datasets=datasets, start=start, end=end, format=fmt,
    )  # fmt: skip


def test_request_queues_a_job_and_enqueues_its_id_only_after_commit(
    world, published, django_capture_on_commit_callbacks
):
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job, created = ask(world)
        assert client.llen("celery") == 0  # nothing is sent while the row is uncommitted
    assert created and job.status == "queued" and job.requested_via == "tenant"
    assert len(callbacks) == 1
    callbacks[0]()
    message = json.loads(client.lpop("celery"))
    assert message["headers"]["task"] == "exports.tasks.run_export"
    args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    assert (args, kwargs) == ([str(job.id)], {})  # the id only, as JSON
    event = AuditEvent.objects.get(action=AuditAction.EXPORT_REQUESTED)
    assert (event.actor, event.tenant, event.operator) == (world.alice, world.tenant_a,
                                                           world.operator_o)  # fmt: skip


def test_identical_in_flight_request_returns_the_existing_job(world, published):
    first, created = ask(world)
    again, created_again = ask(world, by=world.oscar, via="operator")
    other, created_other = ask(world, fmt="ndjson")
    assert created and not created_again and created_other
    assert again.pk == first.pk and other.pk != first.pk
    ExportJob.objects.filter(pk=first.pk).update(status="succeeded")
    fresh, created_fresh = ask(world)
    assert created_fresh and fresh.pk != first.pk


def test_the_database_refuses_two_in_flight_jobs_with_one_key(world, published):
    job, _ = ask(world)
    job.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(**{f.attname: getattr(job, f.attname)
                                    for f in ExportJob._meta.fields if f.attname != "id"})  # fmt: skip


def test_limits_each_refuse_with_a_clear_error(world, published, settings):
    settings.EXPORT_MAX_SPAN_DAYS = 31
    with pytest.raises(DomainError) as span:
        ask(world, end=START + timedelta(days=32))
    assert span.value.code == "span_too_long" and "at most 31 days" in span.value.message
    settings.EXPORT_MAX_CONCURRENT = 1
    ask(world)
    with pytest.raises(Conflict) as busy:
        ask(world, fmt="ndjson")
    assert busy.value.code == "too_many_exports" and "1 exports queued or running" in str(
        busy.value
    )
    settings.EXPORT_MAX_CONCURRENT = 10
    settings.EXPORT_RATE_PER_HOUR = 2
    ask(world, fmt="ndjson")
    with pytest.raises(services.RateLimited) as rate:
        ask(world, datasets=["numbers"])
    assert rate.value.status == 429 and "2 exports in the last hour" in rate.value.message


def test_end_must_follow_start_and_times_must_be_absolute(world, published):
    with pytest.raises(DomainError, match="after its start"):
        ask(world, start=END, end=START)
    with pytest.raises(DomainError, match="absolute"):
        ask(world, start=START.replace(tzinfo=None))
    with pytest.raises(DomainError, match="at least one dataset"):
        ask(world, datasets=[])


@pytest.mark.parametrize(
    ("persona", "via", "code"),
    [
        ("victor", "tenant", "forbidden"),  # viewer of tenant A
        ("bob", "tenant", "forbidden"),  # admin of another tenant
        ("uma", "operator", "forbidden"),  # staff of another operator
        ("oscar", "tenant", "forbidden"),  # operator staff posing as the tenant
    ],
)
def test_only_tenant_admins_and_the_operators_staff_may_request(world, published, persona, via,
                                                                code):  # fmt: skip
    with pytest.raises(PermissionDenied) as refused:
        ask(world, by=getattr(world, persona), via=via)
    assert refused.value.code == code
    assert not ExportJob.objects.exists()


def test_operator_staff_may_request_and_analysts_too(world, published):
    job, _ = ask(world, by=world.oscar, via="operator")
    assert job.requested_by == world.oscar and job.requested_via == "operator"


def test_no_export_for_a_tenant_that_does_not_share_now(world, published):
    with pytest.raises(DomainError) as other:
        ask(world, by=world.oscar, via="operator", tenant=world.tenant_b)
    assert other.value.code == "not_sharing"
    portal_services.suspend_assignment(world.assignment, by=world.alice)
    with pytest.raises(DomainError) as suspended:
        ask(world)
    assert suspended.value.code == "not_sharing"


def test_no_export_for_an_operator_the_published_notice_does_not_name(world):
    with pytest.raises(DomainError) as unpublished:
        ask(world)
    assert unpublished.value.code == "notice_missing_operator"
    from notices.services import publish_notice

    publish_notice(world.tenant_a, by=world.alice)
    portal_services.assign_operator(
        world.tenant_a, world.operator_u, countries=["GB"], contact_full_name="Alice Admin",
        contact_email="alice@contoso.test", company_size=CompanySize.S1_50, acknowledged=True,
        by=world.alice,
    )  # fmt: skip
    with pytest.raises(DomainError) as unnamed:
        ask(world, operator=world.operator_u)
    assert unnamed.value.code == "notice_missing_operator"
    assert not ExportJob.objects.exists()


def test_a_job_is_claimed_once_and_a_lapsed_lease_passes_to_another_worker(world, published):
    job, _ = ask(world)
    first = runner.claim(job.pk, "worker-1")
    assert first.status == "running" and first.attempts == 1 and first.lease_owner == "worker-1"
    assert runner.claim(job.pk, "worker-2") is None
    lease = runner.Lease(first, "worker-1")
    lease.renew(progress=40)
    ExportJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    second = runner.claim(job.pk, "worker-2")
    assert second.lease_owner == "worker-2" and second.attempts == 2 and second.progress == 0
    with pytest.raises(runner.LeaseLost):
        lease.renew()  # the first worker learns it lost the job at its next heartbeat
    with pytest.raises(runner.LeaseLost):
        runner.publish(first, lease, name="x.zip", size=1, sha256="0" * 64,
                       manifest={"files": []})  # fmt: skip
    assert ExportJob.objects.get(pk=job.pk).status == "running"
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT_SUCCEEDED).exists()


def test_the_requester_can_cancel_and_the_worker_stops_at_its_next_heartbeat(world, published):
    job, _ = ask(world)
    claimed = runner.claim(job.pk, "worker-1")
    with pytest.raises(PermissionDenied):
        services.cancel_export(job, by=world.oscar)
    cancelled = services.cancel_export(job, by=world.alice)
    assert cancelled.status == "cancelled" and cancelled.cancelled_by == world.alice
    with pytest.raises(runner.LeaseLost):
        runner.Lease(claimed, "worker-1").renew()
    with pytest.raises(Conflict):
        services.cancel_export(job, by=world.alice)
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_CANCELLED).count() == 1
    assert runner.run_export(job.pk) == "skipped"


def test_sweeper_requeues_a_job_whose_worker_died_and_fails_it_after_max_attempts(
    world, published, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_MAX_ATTEMPTS = 2
    job, _ = ask(world)
    runner.claim(job.pk, "dead-worker")
    assert services.sweep_stuck_exports() == []  # lease still valid
    ExportJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.sweep_stuck_exports() == [str(job.pk)]
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.lease_owner) == ("queued", "")
    runner.claim(job.pk, "dead-again")
    ExportJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    services.sweep_stuck_exports()
    job.refresh_from_db()
    assert job.status == "failed" and "interrupted too many times" in job.error_message


def test_sweeper_resends_the_message_of_a_job_queued_too_long(world, published,
                                                              django_capture_on_commit_callbacks):  # fmt: skip
    job, _ = ask(world)
    ExportJob.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.sweep_stuck_exports() == [str(job.pk)]
    assert len(callbacks) == 1
