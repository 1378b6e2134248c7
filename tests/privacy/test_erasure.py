"""Erasure: after it, no text column of the database holds the person's number, UPN, name, SIP
URI or IP addresses; totals stay right; the operators that had their data are named and told."""

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Count, Sum
from django.urls import reverse

from portal.choices import AuditAction, Direction
from portal.models import AuditEvent, CallRecord, PhoneNumber, PhoneNumberPeriod
from privacy.access import find_exports
from privacy.subjects import NUMBER, UPN, Subject
from tests.exports.conftest import make_job, run, utc
from tests.factories import CallRecordFactory, PhoneNumberFactory
from tests.mfa import mark_session_verified

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = "+442079460010"
ANNA_UPN = "anna.zyxwv@contoso.test"
ANNA_NAME = "Anna Zyxwv"
ANNA_SIP = "sip:anna.zyxwv@contoso.test"
ANNA_IPS = ["192.0.2.77", "2001:db8::77"]
OTHER = "+442079460020"
TEXT_TYPES = ("character varying", "text", "character", "json", "jsonb", "inet")


@pytest.fixture
def anna(world, published):
    tenant, o = world.tenant_a, world.operator_o
    number = PhoneNumberFactory(tenant=tenant, operator=o, telephone_number=ANNA,
                                assigned_upn=ANNA_UPN, assigned_display_name=ANNA_NAME,
                                sip_uri=ANNA_SIP)  # fmt: skip
    PhoneNumberPeriod.objects.create(number=number, operator=o, assigned_upn=ANNA_UPN,
                                     started_at=utc(2029, 1, 1))  # fmt: skip
    PhoneNumberFactory(tenant=tenant, operator=o, telephone_number=OTHER,
                       assigned_upn="ben@contoso.test", sip_uri="sip:ben@contoso.test")  # fmt: skip
    for i in range(6):
        outbound = i % 2 == 0
        CallRecordFactory(
            tenant=tenant, operator=o, call_id=f"a{i}", invite_time=utc(2030, 1, 1 + i),
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            caller_number=ANNA if outbound else "+442079460099",
            callee_number="+442079460099" if outbound else ANNA,
            user_upn=ANNA_UPN.upper() if i == 3 else ANNA_UPN, user_display_name=ANNA_NAME,
            caller_ip=ANNA_IPS[i % 2] if outbound else "198.51.100.20",
            callee_ip="198.51.100.20" if outbound else ANNA_IPS[i % 2],
            duration_seconds=60 + i,
        )  # fmt: skip
    # Ben called Anna: Ben's own data stays; Anna's number on that leg goes.
    CallRecordFactory(tenant=tenant, operator=o, call_id="ben", invite_time=utc(2030, 2, 1),
                      caller_number=OTHER, callee_number=ANNA, user_upn="ben@contoso.test",
                      user_display_name="Ben", caller_ip="198.51.100.5",
                      callee_ip=ANNA_IPS[0], duration_seconds=30)  # fmt: skip
    job = run(make_job(tenant, o, world.oscar, datasets=("call_records", "numbers"),
                       start=utc(2029, 1, 1), end=utc(2031, 1, 1)))  # fmt: skip
    assert job.status == "succeeded"
    return job


def _traces(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text-like column of every table holding a needle."""
    found = []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(%s)",
            [list(TEXT_TYPES)],
        )
        columns = cur.fetchall()
        for table, column in columns:
            for needle in needles:
                cur.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',  # noqa: S608
                    [f"%{needle}%"],
                )
                if cur.fetchone():
                    found.append((table, column, needle))
    return found


def _totals(tenant):
    return CallRecord.objects.filter(tenant=tenant).aggregate(
        n=Count("id"), s=Sum("duration_seconds")
    )


NEEDLES = [ANNA, ANNA[1:], ANNA_UPN, ANNA_NAME, ANNA_SIP, *ANNA_IPS]
# The number stays in the tenant's inventory (the operator's resource, reassigned later),
# detached from the person: no user, name or SIP URI (docs/privacy.md).
INVENTORY = {("portal_phonenumber", "telephone_number", ANNA),
             ("portal_phonenumber", "telephone_number", ANNA[1:])}  # fmt: skip


def test_erasure_leaves_no_trace_of_the_person_and_totals_stay(world, anna, login, client,
                                                                django_capture_on_commit_callbacks):  # fmt: skip
    tenant = world.tenant_a
    before = _totals(tenant)
    assert set(_traces(NEEDLES)) - INVENTORY, "the fixture must hold traces to erase"
    client = login(world.alice)
    mark_session_verified(client, world.alice)
    url = reverse("privacy:erase", kwargs={"tenant_slug": "contoso"})
    review = client.get(url, {"number": ANNA, "upn": ANNA_UPN})
    assert review.status_code == 200
    html = review.content.decode()
    assert "Operator O" in html and "7 call records" in html and "Type the UPN again" in html
    looked_up = AuditEvent.objects.get(action=AuditAction.PRIVACY_ACCESS_REPORT)
    assert looked_up.details["purpose"] == "erasure review" and looked_up.actor == world.alice
    # A wrong confirmation erases nothing.
    wrong = client.post(url, {"number": ANNA, "upn": ANNA_UPN, "confirm_number": OTHER,
                              "confirm_upn": ANNA_UPN})  # fmt: skip
    assert wrong.status_code == 400 and "does not match" in wrong.content.decode()
    assert CallRecord.objects.filter(caller_number=ANNA).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"number": ANNA, "upn": ANNA_UPN,
                                 "confirm_number": "+44 20 7946 0010",
                                 "confirm_upn": ANNA_UPN.upper()})  # fmt: skip
    assert done.status_code == 302
    page = client.get(done["Location"])
    assert "Erased (reference E-" in page.content.decode()
    assert "Operator O" in page.content.decode()

    assert set(_traces(NEEDLES)) <= INVENTORY
    assert _totals(tenant) == before
    number = PhoneNumber.objects.get(telephone_number=ANNA)
    assert (number.sip_uri, number.assigned_upn, number.assigned_display_name) == ("", "", "")
    # Ben's own data is untouched.
    ben = CallRecord.objects.get(call_id="ben")
    assert (ben.caller_number, ben.user_upn, ben.caller_ip) == (OTHER, "ben@contoso.test",
                                                                "198.51.100.5")  # fmt: skip
    assert ben.callee_number.startswith("erased:") and ben.callee_ip is None
    # The access report still finds what was shared before (same keyed hash).
    assert [e.job.pk for e in find_exports(tenant, Subject(NUMBER, ANNA))] == [anna.pk]
    assert [e.job.pk for e in find_exports(tenant, Subject(UPN, ANNA_UPN))] == [anna.pk]
    event = AuditEvent.objects.get(action=AuditAction.PRIVACY_ERASED)
    assert event.actor == world.alice and event.details["operators"] == ["operator-o"]
    assert event.details["call_records"] == 7
    # Operator O's admin was told, without any identifier.
    [message] = [m for m in mail.outbox if "erased" in m.subject]
    assert message.to == [world.olivia.email]
    assert "Contoso" in message.subject and anna.short_id in message.body
    assert not any(n in message.subject + message.body for n in NEEDLES)
    sent = AuditEvent.objects.get(
        action=AuditAction.NOTIFICATION_SENT, details__kind="subject_erased"
    )
    assert sent.details["essential"] is True and sent.details["sent"] == 1


def test_erasure_by_number_alone_clears_the_users_own_legs(world, anna):
    from privacy.erasure import erase_subject

    plan, _ = erase_subject(world.tenant_a, [Subject(NUMBER, ANNA)], by=world.alice)
    assert plan.call_records == 7 and [o.slug for o in plan.operators] == ["operator-o"]
    assert not CallRecord.objects.filter(user_upn__iexact=ANNA_UPN).exists()
    assert not CallRecord.objects.filter(user_display_name=ANNA_NAME).exists()
    assert set(_traces([ANNA_UPN, *ANNA_IPS])) == set()


def test_operators_that_got_the_data_hear_it_by_signed_webhook_without_identifiers(
    world, anna, django_capture_on_commit_callbacks
):
    from portal.services import webhooks
    from privacy.erasure import erase_subject
    from tests.operator.test_webhooks import Receiver

    receiver = Receiver()
    try:
        _ep, secret = webhooks.create_endpoint(
            world.operator_o, by=world.olivia, url=receiver.url, event_types=["subject.erased"]
        )
        receiver.secrets.append(secret)
        with django_capture_on_commit_callbacks(execute=True):
            _plan, event = erase_subject(
                world.tenant_a, [Subject(NUMBER, ANNA), Subject(UPN, ANNA_UPN)], by=world.alice
            )
        [request] = receiver.requests
        payload = request["verified"][0]
        assert isinstance(payload, dict), payload  # the signature verified
        assert payload["type"] == "subject.erased"
        data = payload["data"]
        assert data["tenant"]["slug"] == "contoso" and data["erasure"] == f"E-{event.pk}"
        assert data["exports"] == [str(anna.pk)]
        body = request["body"].decode()
        assert not any(n in body for n in [ANNA, ANNA_UPN, ANNA_NAME, *ANNA_IPS])
    finally:
        receiver.close()


def test_who_may_erase(world, anna, login):
    url = reverse("privacy:erase", kwargs={"tenant_slug": "contoso"})
    data = {"number": ANNA, "confirm_number": ANNA}
    assert login(world.victor).get(url).status_code == 403
    assert login(world.victor).post(url, data).status_code == 403
    assert login(world.bob).post(url, data).status_code == 404
    assert login(world.oscar).get(url).status_code == 404
    assert CallRecord.objects.filter(caller_number=ANNA).exists()
