"""Signed webhooks (docs/operator.md "Webhooks"), delivered to a real HTTP receiver on loopback
that verifies every request with ``standardwebhooks.Webhook(secret).verify``."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient
from standardwebhooks import Webhook, WebhookVerificationError

from exports.choices import ExportStatus
from exports.notifications import export_finished
from notices.services import publish_notice
from portal import services
from portal.choices import AuditAction, WebhookDeliveryStatus
from portal.errors import DomainError
from portal.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from portal.services import webhooks
from tests.exports.conftest import make_job

ALL = [
    "assignment.changed", "export.failed", "export.succeeded", "notice.published",
    "relationship.changed", "subject.erased",
]  # fmt: skip


class Receiver:
    """An HTTP server on 127.0.0.1 that answers the next status in ``codes`` (then 200) and
    keeps every request: headers, body, and what verifying it with each secret gave."""

    def __init__(self):
        self.codes: list[int] = []
        self.secrets: list[str] = []
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = dict(self.headers.items())
                verified = []
                for secret in receiver.secrets:
                    try:
                        verified.append(Webhook(secret).verify(body, headers))
                    except WebhookVerificationError as exc:
                        verified.append(exc)
                receiver.requests.append({"headers": headers, "body": body, "verified": verified})
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def endpoint(world, receiver):
    ep, secret = webhooks.create_endpoint(
        world.operator_o, by=world.olivia, url=receiver.url, event_types=ALL
    )
    receiver.secrets.append(secret)
    return ep


def _delivered(receiver, index=-1) -> dict:
    request = receiver.requests[index]
    payload = request["verified"][0]
    assert isinstance(payload, dict), f"signature did not verify: {payload!r}"
    return payload


# --- registering -----------------------------------------------------------------------------------


def test_admin_registers_an_endpoint_and_sees_the_secret_exactly_once(world, login, receiver):
    client = login(world.olivia)
    response = client.post(
        "/o/operator-o/webhooks/new/",
        {"url": receiver.url, "event_types": ["export.succeeded", "assignment.changed"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response["Location"] == f"/o/operator-o/webhooks/{endpoint.public_id}/"
    first = client.get(response["Location"]).content.decode()
    secret = first.split('<code id="webhook-secret">')[1].split("</code>")[0]
    assert secret.startswith("whsec_") and secret not in endpoint.secret  # stored encrypted
    assert secret not in client.get(response["Location"]).content.decode()  # a reload: gone
    assert endpoint.event_types == ["assignment.changed", "export.succeeded"]
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_CREATED).count() == 1


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.example.net/x", True),
        ("http://hooks.example.net/x", False),
        ("http://127.0.0.1:9/x", True),
        ("http://localhost:9/x", True),
        ("https://user:pw@hooks.example.net/x", False),
        ("ftp://hooks.example.net/x", False),
        ("hooks.example.net", False),
    ],
)
def test_only_https_urls_or_loopback_in_development(url, allowed):
    if allowed:
        assert webhooks.check_url(url) == url
    else:
        with pytest.raises(DomainError):
            webhooks.check_url(url)


def test_plain_http_to_loopback_is_refused_when_not_allowed(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(DomainError):
        webhooks.check_url("http://127.0.0.1:9/x")


def test_analyst_cannot_register_an_endpoint(world, receiver):
    with pytest.raises(DomainError):
        webhooks.create_endpoint(
            world.operator_o, by=world.oscar, url=receiver.url, event_types=ALL
        )


# --- delivering ------------------------------------------------------------------------------------


def test_test_event_reaches_the_receiver_signed_and_the_log_shows_it(
    world, login, endpoint, receiver, django_capture_on_commit_callbacks
):
    client = login(world.olivia)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/operator-o/webhooks/{endpoint.public_id}/test/")
    payload = _delivered(receiver)
    assert payload["type"] == "webhook.test"
    assert payload["data"]["operator"] == {"slug": "operator-o", "name": "Operator O"}
    headers = receiver.requests[0]["headers"]
    delivery = WebhookDelivery.objects.get()
    assert headers["webhook-id"] == delivery.message_id
    assert {k.lower(): v for k, v in headers.items()}["content-type"] == "application/json"
    assert delivery.status == WebhookDeliveryStatus.SUCCEEDED
    attempt = delivery.attempt_log.get()
    assert attempt.status_code == 200 and attempt.latency_ms >= 0
    page = client.get(f"/o/operator-o/webhooks/{endpoint.public_id}/").content.decode()
    assert "webhook.test" in page and "#1" in page and ": 200," in page


def test_a_failing_receiver_is_retried_with_exponential_backoff(
    world, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    receiver.codes = [500, 503]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.send_test_event(endpoint, by=world.olivia)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and delivery.attempts == 1
        assert delivery.next_attempt_at == start + timedelta(seconds=30)
        assert webhooks.attempt(delivery.pk) is None  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert webhooks.attempt(delivery.pk) == 60  # second failure: twice the wait
    with time_machine.travel(start + timedelta(seconds=92), tick=False):
        assert webhooks.sweep_due_deliveries() == 1  # the sweeper makes the third attempt
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.SUCCEEDED
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1  # one id throughout
    assert all(isinstance(r["verified"][0], dict) for r in receiver.requests)
    assert WebhookEndpoint.objects.get().consecutive_failures == 0


def test_a_delivery_gives_up_after_the_last_attempt(world, endpoint, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.codes = [500, 500]
    delivery = webhooks.send_test_event(endpoint, by=world.olivia)
    webhooks.attempt(delivery.pk)
    assert webhooks.attempt(delivery.pk, now=timezone.now() + timedelta(hours=1)) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.FAILED and delivery.attempts == 2


def test_an_endpoint_is_disabled_after_consecutive_failures_and_admins_are_mailed(
    world, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver.codes = [500] * 10
    first = webhooks.send_test_event(endpoint, by=world.olivia)
    second = webhooks.send_test_event(endpoint, by=world.olivia)
    later = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.attempt(first.pk)
        webhooks.attempt(second.pk)
        webhooks.attempt(first.pk, now=later)
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason == "Disabled after 3 failed attempts in a row."
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"failed"}
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_DISABLED).count() == 1
    (message,) = [m for m in mail.outbox if "webhook" in m.subject]
    assert message.to == ["olivia@operator-o.test"]
    assert endpoint.url in message.body
    assert webhooks.attempt(second.pk, now=later + timedelta(hours=1)) is None  # no more posts
    assert len(receiver.requests) == 3


def test_a_rotated_secret_signs_alongside_the_old_one_for_a_day(
    world, endpoint, receiver, django_capture_on_commit_callbacks
):
    new = webhooks.rotate_secret(endpoint, by=world.olivia)
    receiver.secrets.append(new)
    endpoint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.send_test_event(endpoint, by=world.olivia)
    old_ok, new_ok = receiver.requests[-1]["verified"]
    assert isinstance(old_ok, dict) and isinstance(new_ok, dict)
    assert len(receiver.requests[-1]["headers"]["webhook-signature"].split(" ")) == 2
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.send_test_event(endpoint, by=world.olivia)
        old_ok, new_ok = receiver.requests[-1]["verified"]
    assert isinstance(old_ok, WebhookVerificationError) and isinstance(new_ok, dict)
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_SECRET_ROTATED).count() == 1


def test_a_private_address_is_refused_at_delivery(world, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    ep, _secret = webhooks.create_endpoint(
        world.operator_o, by=world.olivia, url="https://10.1.2.3/hooks", event_types=ALL
    )
    delivery = webhooks.send_test_event(ep, by=world.olivia)
    webhooks.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.last_status_code is None and "private network" in delivery.last_error


# --- events from where notifications are decided ---------------------------------------------------


def test_a_suspension_sends_assignment_changed_with_ids_and_links_only(
    world, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_assignment(world.assignment, by=world.alice)
    payload = _delivered(receiver)
    assert payload["type"] == "assignment.changed"
    data = payload["data"]
    assert data["change"] == "suspended" and data["status"] == "suspended"
    assert data["tenant"]["slug"] == "contoso"
    assert data["links"]["api"].endswith("/api/v1/operators/operator-o/tenants/contoso/")
    body = receiver.requests[-1]["body"].decode()
    assert "alice@contoso.test" not in body and "Alice Admin" not in body  # no person's data


def test_a_relationship_change_and_a_notice_send_their_events(
    world, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish_notice(world.tenant_a, by=world.alice)
        services.set_relationship_status(
            world.assignment, status="agreement_signed", reason="", by=world.olivia
        )
    types = [_delivered(receiver, i)["type"] for i in range(len(receiver.requests))]
    assert types == ["notice.published", "relationship.changed"]
    notice = _delivered(receiver, 0)["data"]
    assert notice["names_operator"] is True and notice["countries"] == ["DE", "GB"]
    assert notice["links"]["notice"].endswith("/notice/contoso/v/1/")
    assert _delivered(receiver, 1)["data"]["relationship_status"] == "agreement_signed"


def test_an_endpoint_gets_only_the_events_it_chose(
    world, receiver, django_capture_on_commit_callbacks
):
    ep, secret = webhooks.create_endpoint(
        world.operator_o, by=world.olivia, url=receiver.url, event_types=["export.succeeded"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_assignment(world.assignment, by=world.alice)
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_a_finished_export_sends_export_succeeded_with_api_links(
    world, endpoint, receiver, django_capture_on_commit_callbacks
):
    job = make_job(world.tenant_a, world.operator_o, world.oscar)
    ExportJob = type(job)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.SUCCEEDED, finished_at=timezone.now(), file_sha256="ab" * 32,
        file_size=123, row_counts={"call_records": 7}, expires_at=timezone.now(),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        export_finished(job.pk)
    payload = _delivered(receiver)
    assert payload["type"] == "export.succeeded"
    export = payload["data"]["export"]
    assert export["id"] == str(job.pk) and export["rows"] == {"call_records": 7}
    links = payload["data"]["links"]
    assert links["download"].endswith(f"/api/v1/exports/{job.pk}/download")


def test_emit_is_the_hook_for_other_events_such_as_erasure(
    world, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = webhooks.emit(
            world.operator_o, "subject.erased", {"tenant": "contoso", "request": "r-1"}
        )
    assert _delivered(receiver)["data"] == {"tenant": "contoso", "request": "r-1"}
    with pytest.raises(ValueError):
        webhooks.emit(world.operator_o, "subject.teleported", {})


# --- API -------------------------------------------------------------------------------------------


def test_api_shows_the_secret_on_create_and_rotate_only(world, receiver):
    api = APIClient()
    api.force_login(world.olivia, backend="django.contrib.auth.backends.ModelBackend")
    base = "/api/v1/operators/operator-o/webhooks/"
    created = api.post(base, {"url": receiver.url, "event_types": ALL}, format="json")
    assert created.status_code == 201, created.json()
    secret = created.json()["secret"]
    ep_id = created.json()["id"]
    shown = api.get(f"{base}{ep_id}/").json()
    assert "secret" not in shown and secret not in json.dumps(shown)
    receiver.secrets.append(secret)
    tested = api.post(f"{base}{ep_id}/test", format="json")
    assert tested.status_code == 202 and tested.json()["event_type"] == "webhook.test"
    rotated = api.post(f"{base}{ep_id}/rotate-secret", format="json").json()["secret"]
    assert rotated.startswith("whsec_") and rotated != secret
    off = api.patch(f"{base}{ep_id}/", {"is_active": False}, format="json")
    assert off.status_code == 200 and off.json()["is_active"] is False
    bad = api.post(base, {"url": "http://example.com/x", "event_types": ALL}, format="json")
    assert bad.status_code == 400 and "url" in bad.json()["error"]["fields"]
    assert api.delete(f"{base}{ep_id}/").status_code == 204


# --- through a real Celery worker ------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_until_the_receiver_accepts(world, receiver, tmp_path, settings):
    from tests.exports.workers import clear_queue, kill, start_worker, wait_for, worker_env

    clear_queue()
    settings.WEBHOOKS_VIA_CELERY = True
    ep, secret = webhooks.create_endpoint(
        world.operator_o, by=world.olivia, url=receiver.url, event_types=ALL
    )
    receiver.secrets.append(secret)
    receiver.codes = [503, 500]
    env = worker_env(tmp_path, tmp_path / "exports", WEBHOOK_BACKOFF_SECONDS="1",
                     WEBHOOK_ALLOW_LOOPBACK="true", DEBUG="true")  # fmt: skip
    worker = start_worker(env, tmp_path / "worker.log", "webhooks")
    try:
        delivery = webhooks.send_test_event(ep, by=world.olivia)  # autocommit: sent at once
        done = wait_for(
            lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status="succeeded").first(),
            timeout=90, what="the delivery",
        )  # fmt: skip
    finally:
        kill(worker)
    log = Path(tmp_path / "worker.log").read_text()[-3000:]
    assert done.attempts == 3, log
    assert [a.status_code for a in done.attempt_log.all()] == [503, 500, 200]
    gaps = [
        (b.at - a.at).total_seconds()
        for a, b in zip(done.attempt_log.all(), list(done.attempt_log.all())[1:], strict=False)
    ]
    assert gaps[0] >= 1 and gaps[1] >= 2  # 1 s, then 2 s: exponential
    assert all(isinstance(r["verified"][0], dict) for r in receiver.requests)


def test_a_new_or_rotated_secret_needs_a_recent_second_factor(world, endpoint, receiver, client):
    from tests.mfa import force_login_unverified

    api = force_login_unverified(APIClient(), world.olivia)
    base = "/api/v1/operators/operator-o/webhooks/"
    created = api.post(base, {"url": receiver.url, "event_types": ALL}, format="json")
    assert created.status_code == 403 and created.json()["error"]["code"] == "mfa_required"
    rotated = api.post(f"{base}{endpoint.public_id}/rotate-secret", format="json")
    assert rotated.status_code == 403
    page = force_login_unverified(client, world.olivia)
    response = page.post("/o/operator-o/webhooks/new/", {"url": receiver.url, "event_types": ALL})
    assert response.status_code == 302 and "/account/security/" in response["Location"]
    assert WebhookEndpoint.objects.count() == 1  # only the fixture's
