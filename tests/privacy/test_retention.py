"""Retention: the purge deletes exactly the call records past each tenant's period, in batches,
never one inside an export file that is still downloadable; the override stays in its limits."""

import zoneinfo
from datetime import UTC, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from exports.choices import ExportStatus
from notices.services import notice_status
from portal.choices import AuditAction
from portal.errors import DomainError
from portal.models import AuditEvent, CallRecord
from portal.retention_policy import call_record_retention_days
from privacy import retention
from tests.exports.conftest import make_job
from tests.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _call(tenant, operator, days_ago, name):
    when = NOW - timedelta(days=days_ago)
    return CallRecordFactory(tenant=tenant, operator=operator, call_id=name, invite_time=when)


@pytest.fixture
def records(world):
    a, b, o, u = world.tenant_a, world.tenant_b, world.operator_o, world.operator_u
    retention.set_retention(a, 200, by=world.alice)
    a.refresh_from_db()
    return {
        "a_old": _call(a, o, 500, "a-old"),
        "a_201": _call(a, o, 201, "a-201"),
        "a_201_u": _call(a, u, 201, "a-201-u"),
        "a_199": _call(a, o, 199, "a-199"),
        "a_new": _call(a, o, 1, "a-new"),
        "b_160": _call(b, o, 160, "b-160"),  # Fabrikam is in DE: 150 days
        "b_140": _call(b, o, 140, "b-140"),
    }


def _left() -> set[str]:
    return set(CallRecord.objects.values_list("call_id", flat=True))


def test_purge_deletes_exactly_the_records_past_each_tenants_period(world, records):
    assert call_record_retention_days(world.tenant_a) == 200
    assert call_record_retention_days(world.tenant_b) == 150
    results = {r.tenant.slug: r for r in retention.purge_expired_call_records(now=NOW)}
    assert _left() == {"a-199", "a-new", "b-140"}
    assert (results["contoso"].deleted, results["fabrikam"].deleted) == (3, 1)
    events = AuditEvent.objects.filter(action=AuditAction.PRIVACY_RETENTION_PURGED)
    assert {(e.tenant.slug, e.details["deleted"], e.details["held"]) for e in events} == {
        ("contoso", 3, 0),
        ("fabrikam", 1, 0),
    }
    # A second run finds nothing due and writes nothing.
    retention.purge_expired_call_records(now=NOW)
    assert events.count() == 2


def test_purge_works_in_bounded_batches(world, records):
    batches = []
    result = retention.purge_tenant_call_records(
        world.tenant_a, now=NOW, batch_rows=2, on_batch=lambda n, s: batches.append(n)
    )
    assert batches == [2, 1] and result.batches == 2 and result.deleted == 3


def test_purge_waits_for_a_file_still_downloadable(world, records):
    a, o = world.tenant_a, world.operator_o
    job = make_job(a, o, world.oscar, start=NOW - timedelta(days=600),
                   end=NOW - timedelta(days=300))  # fmt: skip
    job.status = ExportStatus.SUCCEEDED
    job.save()
    numbers_only = make_job(a, o, world.oscar, datasets=("numbers",),
                            start=NOW - timedelta(days=300), end=NOW)  # fmt: skip
    numbers_only.status = ExportStatus.SUCCEEDED
    numbers_only.save()
    result = retention.purge_tenant_call_records(a, now=NOW)
    # a-old is in the call-record file; the numbers-only file holds no call records.
    assert "a-old" in _left() and "a-201" not in _left() and "a-201-u" not in _left()
    assert (result.deleted, result.held, result.held_by) == (2, 1, [str(job.pk)])
    event = AuditEvent.objects.get(action=AuditAction.PRIVACY_RETENTION_PURGED)
    assert event.details["held"] == 1 and event.details["held_by_exports"] == [str(job.pk)]
    # Once the file expires, the next run deletes the record.
    job.status = ExportStatus.EXPIRED
    job.save()
    assert retention.purge_tenant_call_records(a, now=NOW).deleted == 1
    assert "a-old" not in _left()


def test_a_file_of_another_operator_holds_nothing_of_this_one(world, records):
    a = world.tenant_a
    job = make_job(a, world.operator_u, world.alice, via="tenant",
                   start=NOW - timedelta(days=600), end=NOW)  # fmt: skip
    job.status = ExportStatus.RUNNING
    job.save()
    retention.purge_tenant_call_records(a, now=NOW)
    assert "a-201-u" in _left() and "a-old" not in _left() and "a-201" not in _left()


def test_override_stays_within_limits_and_is_audited(world):
    with pytest.raises(DomainError):
        retention.set_retention(world.tenant_a, 149, by=world.alice)
    with pytest.raises(DomainError):
        retention.set_retention(world.tenant_a, 731, by=world.alice)
    retention.set_retention(world.tenant_a, 730, by=world.alice)
    retention.set_retention(world.tenant_a, None, by=world.alice)
    world.tenant_a.refresh_from_db()
    assert call_record_retention_days(world.tenant_a) == 365  # GB default
    events = AuditEvent.objects.filter(action=AuditAction.PRIVACY_RETENTION_CHANGED)
    assert [(e.details["before"], e.details["after"]) for e in events.order_by("id")] == [
        (365, 730),
        (730, 365),
    ]


def test_admin_sets_retention_on_the_page_and_the_notice_goes_out_of_date(world, login):
    from notices.services import publish_notice

    publish_notice(world.tenant_a, by=world.alice)
    assert not notice_status(world.tenant_a).out_of_date
    url = reverse("privacy:retention", kwargs={"tenant_slug": "contoso"})
    client = login(world.alice)
    assert client.get(url).status_code == 200
    response = client.post(url, {"days": "180"})
    assert response.status_code == 302
    world.tenant_a.refresh_from_db()
    assert world.tenant_a.call_record_retention_days == 180
    assert notice_status(world.tenant_a).out_of_date
    bad = client.post(url, {"days": "90"})
    assert bad.status_code == 400 and "150" in bad.content.decode()
    assert login(world.victor).post(url, {"days": "200"}).status_code == 403
    assert login(world.bob).get(url).status_code == 404


def test_times_labelled_utc_are_in_utc_whatever_the_viewers_time_zone(world, login):
    # The page says "… UTC": an admin in Auckland (UTC+13 in December) must read UTC hours.
    world.alice.time_zone = "Pacific/Auckland"
    world.alice.save(update_fields=["time_zone"])
    at = timezone.now().replace(microsecond=0)
    with time_machine.travel(at, tick=False):
        body = login(world.alice).get(
            reverse("privacy:retention", kwargs={"tenant_slug": "contoso"})
        ).content.decode()  # fmt: skip
    cutoff = retention.retention_cutoff(world.tenant_a, now=at)
    assert f"{cutoff.astimezone(UTC):%-d %b %Y, %H:%M} UTC" in body
    auckland = cutoff.astimezone(zoneinfo.ZoneInfo("Pacific/Auckland"))
    assert f"{auckland:%-d %b %Y, %H:%M} UTC" not in body
