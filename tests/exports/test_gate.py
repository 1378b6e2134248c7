"""The sharing gate (I2, I3), replayed as the people it protects would meet it.

Each test is one of the ways the promise "an operator gets only what the tenant shares and the
end users were told about" used to break where state changes: countries the notice does not
name, revocations that did not stick, a closed relationship, suspension told as removal.
"""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from exports import services as export_services
from notices.services import notice_status, publish_notice
from portal import services, sharing
from portal.errors import DomainError
from portal.models import AssignmentPeriod
from tests.exports.conftest import call, make_job, read_zip, run

pytestmark = pytest.mark.django_db(transaction=True)

T0 = timezone.now().replace(microsecond=0) + timedelta(days=1)


def at(hours: float):
    """A frozen instant ``hours`` after T0 (tomorrow, so it is after the world was built)."""
    return time_machine.travel(T0 + timedelta(hours=hours), tick=False)


def exported_ids(job) -> set[str]:
    rows = csv.DictReader(io.StringIO(read_zip(job)["call_records.csv"].decode()))
    return {row["call_id"] for row in rows}


def download(login, job, user=None):
    """The operator's download of ``job`` now, signed in afresh (the frozen clock moves on)."""
    client = login(user or job.requested_by)
    url = reverse(
        "operator:export_download",
        kwargs={"operator_slug": job.operator.slug, "job_id": job.id},
    )
    return client.get(url)


def request(world, **kw):
    job, _ = export_services.request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
        datasets=["call_records"], start=T0 - timedelta(days=2), end=T0 + timedelta(days=30),
        format="csv", **kw,
    )  # fmt: skip
    return job


@pytest.fixture
def told(world):
    """Contoso's users were told before T0: version 1 names operator O for GB and DE."""
    with at(-1):
        return publish_notice(world.tenant_a, by=world.alice)


# --- countries must be named by the notice -------------------------------------------------------


def test_a_country_added_after_the_notice_is_held_back_until_a_notice_names_it(world, told):
    with at(0):
        services.change_assignment_countries(world.assignment, countries=["GB"], by=world.alice)
        publish_notice(world.tenant_a, by=world.alice)  # v2: O for GB only
    with at(1):
        services.change_assignment_countries(
            world.assignment, countries=["GB", "FR"], by=world.alice
        )  # FR added, not published
    a, o = world.tenant_a, world.operator_o
    call(a, o, T0 + timedelta(hours=2), "GB", call_id="gb-after")
    call(a, o, T0 + timedelta(hours=2), "FR", call_id="fr-held-back")
    with at(3):
        state = sharing.gate(a, o)
        assert state.is_open and state.countries == ["GB"]
        assert state.held_back == ["FR"]
        assert state.held_back_message() == (
            "FR calls are not shared with Operator O until a notice naming it for FR is published."
        )
        job = run(make_job(a, o, world.oscar, start=T0, end=T0 + timedelta(days=1)))
    assert exported_ids(job) == {"gb-after"}
    assert job.manifest["notice_version"]["number"] == 2

    with at(4):
        publish_notice(a, by=world.alice)  # v3 names O for GB and FR
    call(a, o, T0 + timedelta(hours=5), "FR", call_id="fr-after-notice")
    with at(6):
        assert sharing.gate(a, o).held_back == []
        job = run(make_job(a, o, world.oscar, start=T0, end=T0 + timedelta(days=1)))
    # The FR call made before the notice named FR stays held back: users were not told then.
    assert exported_ids(job) == {"gb-after", "fr-after-notice"}


def test_the_dashboard_and_the_assignment_page_say_which_calls_are_held_back(world, told, login):
    with at(0):
        services.change_assignment_countries(
            world.assignment, countries=["DE", "FR", "GB"], by=world.alice
        )
    with at(1):
        client = login(world.alice)
        expected = (
            "FR calls are not shared with Operator O until a notice naming it for FR is published."
        )
        assert expected in client.get("/t/contoso/").content.decode()
        detail = client.get("/t/contoso/operators/operator-o/").content.decode()
        assert expected in detail


# --- revocation sticks ------------------------------------------------------------------------


def _finished_file(world):
    with at(0):
        job = run(request(world))
    assert job.status == "succeeded", job.error_message
    return job


def test_a_file_made_before_operator_connect_was_turned_off_never_downloads_again(
    world, told, login
):
    job = _finished_file(world)
    with at(1):
        assert download(login, job).status_code == 200
    with at(2):
        services.disable_operator_connect(world.tenant_a, by=world.alice)
        publish_notice(world.tenant_a, by=world.alice)  # names no operator
        refused = download(login, job)
        assert refused.status_code == 410
        assert "turned Operator Connect off" in refused.content.decode()
    with at(3):
        services.enable_operator_connect(world.tenant_a, by=world.alice, acknowledged=True)
        publish_notice(world.tenant_a, by=world.alice)  # names O again
        again = download(login, job)
        assert again.status_code == 410
        body = again.content.decode()
        assert "never" in body and "request a new export" in body
        # ... while a new export for the same operator is allowed and downloads.
        fresh = run(request(world))
        assert fresh.status == "succeeded"
    with at(4):
        assert download(login, fresh).status_code == 200
        assert download(login, job).status_code == 410


def test_suspend_then_resume_does_not_reopen_an_old_file(world, told, login):
    job = _finished_file(world)
    with at(1):
        services.suspend_assignment(world.assignment, by=world.alice)
        assert download(login, job).status_code == 410
    with at(2):
        services.resume_assignment(world.assignment, by=world.alice)
        assert notice_status(world.tenant_a).out_of_date is False  # suspension is no removal
        response = download(login, job)
        assert response.status_code == 410
        assert "sharing was suspended" in response.content.decode()


def test_a_country_change_or_a_newer_notice_naming_the_operator_keeps_files_open(
    world, told, login
):
    job = _finished_file(world)
    with at(1):
        services.change_assignment_countries(world.assignment, countries=["GB"], by=world.alice)
        publish_notice(world.tenant_a, by=world.alice)
    with at(2):
        assert download(login, job).status_code == 200


def test_the_tenant_admin_may_still_download_their_own_revoked_file(world, told, login):
    job = _finished_file(world)
    with at(1):
        services.suspend_assignment(world.assignment, by=world.alice)
        url = reverse(
            "exports:tenant_export_download", kwargs={"tenant_slug": "contoso", "job_id": job.id}
        )
        assert login(world.alice).get(url).status_code == 200


def test_the_export_page_says_why_the_download_is_closed(world, told, login):
    job = _finished_file(world)
    with at(1):
        services.suspend_assignment(world.assignment, by=world.alice)
    with at(2):
        services.resume_assignment(world.assignment, by=world.alice)
        url = reverse("operator:export", kwargs={"operator_slug": "operator-o", "job_id": job.id})
        body = login(world.oscar).get(url).content.decode()
    assert "Download closed." in body and "sharing was suspended" in body
    assert "Download ZIP" not in body


def test_the_worker_refuses_to_publish_when_the_gate_closed_while_it_built(world, told):
    with at(0):
        job = request(world)
    with at(1):
        services.disable_operator_connect(world.tenant_a, by=world.alice)
        run(job)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "turned Operator Connect off" in job.error_message
    assert not job.file_name


# --- the relationship ----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["declined", "terminated"])
def test_a_closed_relationship_closes_sharing_and_tells_the_tenant(world, told, login, status):
    job = _finished_file(world)
    mail.outbox.clear()
    with at(1):
        services.set_relationship_status(
            world.assignment, status=status, reason="No contract", by=world.olivia
        )
    period = AssignmentPeriod.objects.filter(assignment=world.assignment).latest("started_at")
    assert (period.ended_at, period.end_reason) == (T0 + timedelta(hours=1), status)
    a, o = world.tenant_a, world.operator_o
    call(a, o, T0 + timedelta(hours=2), "GB", call_id="after-close")
    with at(2):
        with pytest.raises(DomainError) as refused:
            request(world)
        assert (refused.value.code, refused.value.status) == ("relationship_closed", 409)
        assert download(login, job).status_code == 410
        dashboard = login(world.alice).get("/t/contoso/").content.decode()
    assert "No contract" in dashboard and "Nothing is shared with it" in dashboard
    [message] = mail.outbox
    assert message.to == ["alice@contoso.test"]
    assert "Operator O" in message.subject
    assert "no data of Contoso is shared with Operator O" in message.body

    with at(3):
        services.set_relationship_status(
            world.assignment, status="agreement_signed", by=world.olivia
        )
    call(a, o, T0 + timedelta(hours=4), "GB", call_id="after-signed")
    with at(5):
        fresh = run(request(world))
    assert exported_ids(fresh) == {"after-signed"}  # reopened from then on, not before
    with at(6):
        assert download(login, job).status_code == 410


def test_pending_does_not_block_and_signing_a_pending_relationship_opens_nothing_new(world, told):
    assert world.assignment.relationship_status == "pending"
    with at(0):
        assert sharing.gate(world.tenant_a, world.operator_o).is_open
        services.set_relationship_status(
            world.assignment, status="agreement_signed", by=world.olivia
        )
    assert AssignmentPeriod.objects.filter(assignment=world.assignment).count() == 1


def test_a_suspended_operator_that_terminates_stays_closed_on_resume(world, told):
    with at(0):
        services.suspend_assignment(world.assignment, by=world.alice)
    with at(1):
        services.set_relationship_status(
            world.assignment, status="terminated", reason="Ended", by=world.olivia
        )
    with at(2):
        services.resume_assignment(world.assignment, by=world.alice)
        state = sharing.gate(world.tenant_a, world.operator_o)
    assert not state.is_open
    assert [b.code for b in state.blocks] == ["relationship_closed"]
    assert not AssignmentPeriod.objects.filter(assignment=world.assignment, ended_at=None).exists()


def test_the_tenant_admin_sees_that_the_operator_can_no_longer_download(world, told, login):
    job = _finished_file(world)
    with at(1):
        services.suspend_assignment(world.assignment, by=world.alice)
        url = reverse("exports:tenant_export", kwargs={"tenant_slug": "contoso", "job_id": job.id})
        body = login(world.alice).get(url).content.decode()
        shared = login(world.alice).get("/t/contoso/exports/shared/").content.decode()
    assert "Operator O can no longer download this file." in body
    assert "Download closed for Operator O" in shared
