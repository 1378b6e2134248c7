"""Notifications (docs/operator.md "Notifications"): each from a template, each audited, sent
after commit, optional ones skipped for people who opted out."""

import pytest
from django.core import mail
from django.db import transaction

from notices.services import publish_notice
from portal import services
from portal.celery import app as celery_app
from portal.choices import AuditAction, CompanySize
from portal.models import AuditEvent


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """``with sent():`` runs the block and then what it scheduled after commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _notices(kind: str):
    return AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_SENT, details__kind=kind)


def _assign_b(world):
    services.enable_operator_connect(world.tenant_b, by=world.bob, acknowledged=True)
    return services.assign_operator(
        world.tenant_b, world.operator_o, countries=["DE"], contact_full_name="Bob Admin",
        contact_email="bob@fabrikam.test", contact_phone="+4930123456",
        company_size=CompanySize.S1_50, acknowledged=True, by=world.bob,
    )  # fmt: skip


def test_a_tenant_choosing_the_operator_tells_its_admins_only(world, sent):
    with sent():
        _assign_b(world)
    [message] = mail.outbox
    assert message.to == ["olivia@operator-o.test"]  # the admin, not oscar the analyst
    assert message.subject == "Fabrikam chose Operator O"
    assert "/o/operator-o/t/fabrikam/" in message.body
    assert "+4930123456" not in message.body  # no personal data in mail
    event = _notices("operator_assigned").get()
    assert (event.tenant_id, event.operator_id) == (world.tenant_b.pk, world.operator_o.pk)
    assert event.details["sent"] == 1 and event.details["user_ids"] == [world.olivia.pk]
    assert event.details["essential"] is False
    assert event.sentence == (
        "System e-mailed the admins of Operator O (Fabrikam assigned Operator O)"
    )


@pytest.mark.parametrize(
    ("change", "kind", "subject"),
    [
        ("suspend", "operator_suspended", "Contoso suspended sharing with Operator O"),
        ("remove", "operator_removed", "Contoso removed Operator O"),
        ("disable", "operator_connect_disabled", "Contoso turned Operator Connect off"),
    ],
)
def test_sharing_stopping_is_told_to_the_operators_admins(world, sent, change, kind, subject):
    with sent():
        if change == "disable":
            services.disable_operator_connect(world.tenant_a, by=world.alice)
        else:
            getattr(services, f"{change}_assignment")(world.assignment, by=world.alice)
    [message] = mail.outbox
    assert (message.to, message.subject) == (["olivia@operator-o.test"], subject)
    assert "no data of Contoso is shared with Operator O" in message.body
    assert "it can't be turned off" in message.body
    assert _notices(kind).get().details["essential"] is True


def test_a_resume_is_told_too(world, sent):
    services.suspend_assignment(world.assignment, by=world.alice)
    with sent():
        services.resume_assignment(world.assignment, by=world.alice)
    [message] = mail.outbox
    assert message.subject == "Contoso resumed sharing with Operator O"
    assert _notices("operator_resumed").count() == 1


def test_a_notice_that_names_the_operator_and_one_that_stops_naming_it(world, sent):
    with sent():
        publish_notice(world.tenant_a, by=world.alice)
    [named] = mail.outbox
    assert named.subject == "Contoso's privacy notice names Operator O"
    assert "/notice/contoso/v/1/" in named.body and "DE, GB" in named.body
    mail.outbox.clear()
    with sent():
        services.remove_assignment(world.assignment, by=world.alice)
        publish_notice(world.tenant_a, by=world.alice)
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "Contoso removed Operator O",
        "Contoso's privacy notice no longer names Operator O",
    ]
    assert _notices("notice_stops_naming_operator").get().details["version"] == 2


def test_a_notice_that_changes_nothing_for_the_operator_tells_it_nothing(world, sent):
    publish_notice(world.tenant_a, by=world.alice)
    with sent():  # operator U (no admins) is added and named; O's naming is unchanged
        services.assign_operator(
            world.tenant_a, world.operator_u, countries=["GB"], contact_full_name="Alice Admin",
            contact_email="alice@contoso.test", company_size=CompanySize.S251_1000,
            acknowledged=True, by=world.alice,
        )  # fmt: skip
        publish_notice(world.tenant_a, by=world.alice)
    assert mail.outbox == []
    assert not _notices("notice_names_operator").filter(operator=world.operator_o).exists()
    assert _notices("notice_names_operator").filter(operator=world.operator_u).count() == 1


def test_a_relationship_change_tells_the_tenants_admins(world, sent):
    with sent():
        services.set_relationship_status(
            world.assignment, status="agreement_signed", by=world.olivia
        )
    [message] = mail.outbox
    assert message.to == ["alice@contoso.test"]
    event = _notices("relationship_changed").get()
    assert event.details["essential"] is False and event.tenant_id == world.tenant_a.pk


def test_optional_mail_is_skipped_for_people_who_opted_out_but_essential_mail_is_not(world, sent):
    world.olivia.optional_emails = False
    world.olivia.save()
    with sent():
        services.suspend_assignment(world.assignment, by=world.alice)
        services.resume_assignment(world.assignment, by=world.alice)
    assert [m.subject for m in mail.outbox] == ["Contoso suspended sharing with Operator O"]
    skipped = _notices("operator_resumed").get()
    assert (skipped.details["sent"], skipped.details["opted_out"]) == (0, 1)


def test_the_profile_turns_optional_mail_off(world, login):
    client = login(world.olivia)
    assert "E-mail me optional notifications" in client.get("/accounts/profile/").content.decode()
    client.post(
        "/accounts/profile/", {"full_name": "Olivia OpAdmin", "time_zone": "UTC"}
    )  # an unticked box is not sent
    world.olivia.refresh_from_db()
    assert world.olivia.optional_emails is False


def test_nothing_is_sent_when_the_change_rolls_back(world, sent):
    with sent(), pytest.raises(RuntimeError), transaction.atomic():
        services.suspend_assignment(world.assignment, by=world.alice)
        raise RuntimeError("the request failed after the change")
    assert mail.outbox == []
    assert not _notices("operator_suspended").exists()


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_after_commit_the_notification_goes_through_the_celery_task(
    world, sent, settings, eager_celery
):
    settings.NOTIFICATIONS_VIA_CELERY = True
    with sent() as callbacks:
        services.suspend_assignment(world.assignment, by=world.alice)
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    [message] = mail.outbox
    assert message.subject == "Contoso suspended sharing with Operator O"
