"""Signed webhooks of operators (docs/operator.md "Webhooks"): endpoints, events, deliveries.

- An operator admin registers an endpoint (HTTPS; plain HTTP only to a loopback address when
  ``WEBHOOK_ALLOW_LOOPBACK`` is on, for development and tests) and the events it wants; the
  signing secret is shown once, stored encrypted, and can be rotated.
- ``emit(operator, event_type, payload)`` records one ``WebhookDelivery`` per subscribed active
  endpoint inside the caller's transaction and hands the ids to Celery after the commit
  (nothing is sent for a rolled-back change). Other parts call it — erasure included:
  ``emit(operator, "subject.erased", {...ids and links only...})``.
- Most events come from ``portal.services.notifications.notify`` (``on_notification``) and
  ``exports.notifications.export_finished``: the places that already decide when to tell the
  operator, so webhooks and e-mail never disagree.
- Each attempt is signed per Standard Webhooks (``standardwebhooks``: HMAC-SHA256 over
  ``id.timestamp.body``), POSTed without following redirects, and logged (status code, latency,
  error). A failure is retried with exponential backoff up to ``WEBHOOK_MAX_ATTEMPTS``; after
  ``WEBHOOK_DISABLE_AFTER_FAILURES`` consecutive failed attempts the endpoint is disabled and the
  operator's admins are e-mailed.

Payloads carry ids and links, never personal data: the operator fetches files through the
authenticated API.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import secrets
import socket
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import requests
from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from portal.choices import (
    AuditAction,
    OperatorRole,
    WebhookDeliveryStatus,
    WebhookEvent,
)
from portal.crypto import decrypt_secret, encrypt_secret
from portal.errors import DomainError, PermissionDenied
from portal.models import (
    Operator,
    OperatorAssignment,
    Tenant,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from portal.permissions import operator_role
from portal.services import notifications as n
from portal.services.audit import record_event
from portal.sharing import named_countries

logger = logging.getLogger(__name__)

TEST_EVENT = "webhook.test"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the scheme's prefix, not a secret
ROTATION_GRACE = timedelta(hours=24)
USER_AGENT = "OperatorConnectPortal-Webhooks/1"


# --- endpoints -------------------------------------------------------------------------------------


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """The URL if an endpoint may have it: HTTPS, no credentials in it; HTTP only to loopback
    when ``WEBHOOK_ALLOW_LOOPBACK`` is on."""
    url = (url or "").strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http") or len(url) > 500:
        raise DomainError("Give a full https:// URL.", field="url")
    if parts.username or parts.password:
        raise DomainError("Leave credentials out of the URL.", field="url")
    if parts.scheme == "http" and not (settings.WEBHOOK_ALLOW_LOOPBACK and _loopback_host(host)):
        raise DomainError(
            "Webhook URLs must use https:// (plain http only to this machine in development).",
            field="url",
        )
    return url


def _checked_events(event_types) -> list[str]:
    chosen = sorted({str(e) for e in event_types or []})
    if not chosen or any(e not in WebhookEvent.values for e in chosen):
        raise DomainError("Choose at least one event.", field="event_types")
    return chosen


def _require_admin(user: User, operator: Operator) -> None:
    if operator_role(user, operator) != OperatorRole.ADMIN:
        raise PermissionDenied(f"Only admins of {operator.name} can manage webhooks.")


def _audit(action, endpoint: WebhookEndpoint, by, ip=None, **details) -> None:
    record_event(
        action,
        actor=by,
        operator=endpoint.operator,
        target=endpoint,
        target_label=endpoint.url,
        ip=ip,
        endpoint=str(endpoint.public_id),
        **details,
    )


def create_endpoint(
    operator: Operator, *, by: User, url: str, event_types, description: str = "",
    ip: str | None = None,
) -> tuple[WebhookEndpoint, str]:  # fmt: skip
    """Register an endpoint. Returns it and its secret — the only time the secret is shown."""
    _require_admin(by, operator)
    url = check_url(url)
    events = _checked_events(event_types)
    secret = new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            operator=operator, url=url, description=(description or "")[:200],
            event_types=events, secret=encrypt_secret(secret), created_by=by,
        )  # fmt: skip
        _audit(AuditAction.WEBHOOK_CREATED, endpoint, by, ip, events=events)
    return endpoint, secret


def update_endpoint(
    endpoint: WebhookEndpoint, *, by: User, url: str | None = None, event_types=None,
    description: str | None = None, ip: str | None = None,
) -> WebhookEndpoint:  # fmt: skip
    _require_admin(by, endpoint.operator)
    fields = []
    if url is not None:
        endpoint.url = check_url(url)
        fields.append("url")
    if event_types is not None:
        endpoint.event_types = _checked_events(event_types)
        fields.append("event_types")
    if description is not None:
        endpoint.description = description[:200]
        fields.append("description")
    with transaction.atomic():
        endpoint.save(update_fields=fields)
        _audit(AuditAction.WEBHOOK_UPDATED, endpoint, by, ip, fields=fields)
    return endpoint


def set_active(
    endpoint: WebhookEndpoint, *, active: bool, by: User, ip: str | None = None
) -> WebhookEndpoint:
    """Disable, or re-enable (the failure count starts afresh)."""
    _require_admin(by, endpoint.operator)
    with transaction.atomic():
        endpoint.is_active = active
        endpoint.consecutive_failures = 0 if active else endpoint.consecutive_failures
        endpoint.disabled_at = None if active else timezone.now()
        endpoint.disabled_reason = "" if active else f"Disabled by {by.display_name}."
        endpoint.save(
            update_fields=["is_active", "consecutive_failures", "disabled_at", "disabled_reason"]
        )
        if not active:
            _abandon_pending(endpoint, "The endpoint was disabled.")
        action = AuditAction.WEBHOOK_ENABLED if active else AuditAction.WEBHOOK_DISABLED
        _audit(action, endpoint, by, ip)
    return endpoint


def rotate_secret(endpoint: WebhookEndpoint, *, by: User, ip: str | None = None) -> str:
    """A new secret, shown once. The old one keeps signing too for ``ROTATION_GRACE``."""
    _require_admin(by, endpoint.operator)
    secret = new_secret()
    with transaction.atomic():
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + ROTATION_GRACE
        endpoint.secret = encrypt_secret(secret)
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
        _audit(AuditAction.WEBHOOK_SECRET_ROTATED, endpoint, by, ip)
    return secret


def delete_endpoint(endpoint: WebhookEndpoint, *, by: User, ip: str | None = None) -> None:
    _require_admin(by, endpoint.operator)
    with transaction.atomic():
        _audit(AuditAction.WEBHOOK_DELETED, endpoint, by, ip)
        endpoint.delete()


def send_test_event(endpoint: WebhookEndpoint, *, by: User) -> WebhookDelivery:
    """A ``webhook.test`` event to this endpoint only, whatever it subscribes to."""
    _require_admin(by, endpoint.operator)
    if not endpoint.is_active:
        raise DomainError("Enable the endpoint first.")
    payload = {
        "operator": _operator_ref(endpoint.operator),
        "endpoint": str(endpoint.public_id),
        "requested_by": by.pk,
    }
    with transaction.atomic():
        delivery = _record(endpoint, TEST_EVENT, payload)
    return delivery


# --- events ----------------------------------------------------------------------------------------


def _operator_ref(operator: Operator) -> dict:
    return {"slug": operator.slug, "name": operator.name}


def tenant_ref(tenant) -> dict:
    """A tenant in a payload: the organization's identifiers, no person's data."""
    return {
        "slug": tenant.slug,
        "name": tenant.name,
        "microsoft_tenant_id": str(tenant.microsoft_tenant_id),
    }


def link(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def emit(operator: Operator | int, event_type: str, payload: dict) -> list[WebhookDelivery]:
    """Record ``event_type`` for each active endpoint of ``operator`` that subscribes to it;
    send after the commit. ``payload`` must hold ids and links only, never personal data."""
    if event_type not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event_type!r}")
    operator_id = operator if isinstance(operator, int) else operator.pk
    endpoints = WebhookEndpoint.objects.filter(operator_id=operator_id, is_active=True)
    # Filtered here, not with a JSON "contains" lookup: SQLite (the embedded default) has none.
    subscribed = [e for e in endpoints if event_type in e.event_types]
    with transaction.atomic():
        return [_record(endpoint, event_type, payload) for endpoint in subscribed]


def _record(endpoint: WebhookEndpoint, event_type: str, payload: dict) -> WebhookDelivery:
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=event_type,
        payload={"type": event_type, "timestamp": now.isoformat(), "data": payload},
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: dispatch(delivery.pk), robust=True)
    return delivery


def dispatch(delivery_id) -> None:
    """Hand a delivery to Celery; without Celery (``WEBHOOKS_VIA_CELERY`` off) try it here once
    — the sweeper makes the retries."""
    if not settings.WEBHOOKS_VIA_CELERY:
        attempt(delivery_id)
        return
    try:
        deliver_webhook.apply_async((str(delivery_id),))
    except Exception:  # the broker is away: the row is pending, the sweeper sends it
        logger.warning("webhook delivery %s: queue unavailable; the sweeper will send it",
                       delivery_id)  # fmt: skip


@receiver(n.notification_requested)
def on_notification(sender, *, kind: str, ids: dict, **kwargs) -> None:
    """The webhook twin of a notification (``notifications.notify``): same moment, same facts."""

    if kind in n.ASSIGNMENT_KINDS:
        assignment = OperatorAssignment.objects.select_related("tenant", "operator").get(
            pk=ids["assignment_id"]
        )
        emit(assignment.operator, WebhookEvent.ASSIGNMENT_CHANGED, {
            "tenant": tenant_ref(assignment.tenant),
            "change": kind.removeprefix("operator_"),
            "status": assignment.status,
            "links": _tenant_links(assignment.operator, assignment.tenant),
        })  # fmt: skip
    elif kind == n.OPERATOR_CONNECT_DISABLED:
        tenant = Tenant.objects.get(pk=ids["tenant_id"])
        operator = Operator.objects.get(pk=ids["operator_id"])
        emit(operator, WebhookEvent.ASSIGNMENT_CHANGED, {
            "tenant": tenant_ref(tenant),
            "change": "operator_connect_disabled",
            "status": "operator_connect_disabled",
            "links": _tenant_links(operator, tenant),
        })  # fmt: skip
    elif kind in (n.NOTICE_NAMES_OPERATOR, n.NOTICE_STOPS_NAMING_OPERATOR):
        version = (
            apps.get_model("notices", "NoticeVersion")
            .objects.select_related("tenant")
            .get(pk=ids["version_id"])
        )
        operator = Operator.objects.get(pk=ids["operator_id"])
        emit(operator, WebhookEvent.NOTICE_PUBLISHED, {
            "tenant": tenant_ref(version.tenant),
            "version": version.number,
            "names_operator": kind == n.NOTICE_NAMES_OPERATOR,
            "countries": sorted(named_countries(version.configuration, operator.pk)),
            "links": {
                "notice": link("public:version", tenant_slug=version.tenant.slug,
                               number=version.number),
                **_tenant_links(operator, version.tenant),
            },
        })  # fmt: skip
    elif kind == n.RELATIONSHIP_CHANGED:
        assignment = OperatorAssignment.objects.select_related("tenant", "operator").get(
            pk=ids["assignment_id"]
        )
        emit(assignment.operator, WebhookEvent.RELATIONSHIP_CHANGED, {
            "tenant": tenant_ref(assignment.tenant),
            "relationship_status": assignment.relationship_status,
            "links": _tenant_links(assignment.operator, assignment.tenant),
        })  # fmt: skip
    elif kind == n.SUBJECT_ERASED:
        # The erasure's reference and the exports that held the person; never an identifier
        # (the tenant's privacy contact passes those on, as the e-mail says).
        tenant = Tenant.objects.get(pk=ids["tenant_id"])
        operator = Operator.objects.get(pk=ids["operator_id"])
        emit(operator, WebhookEvent.SUBJECT_ERASED, {
            "tenant": tenant_ref(tenant),
            "erasure": f"E-{ids['event_id']}",
            "exports": sorted(str(e) for e in ids["export_ids"]),
            "links": _tenant_links(operator, tenant),
        })  # fmt: skip


def _tenant_links(operator: Operator, tenant) -> dict:
    args = {"operator_slug": operator.slug, "tenant_slug": tenant.slug}
    return {"portal": link("operator:tenant", **args),
            "api": link("api:operator-tenant-detail", **args)}  # fmt: skip


# --- delivering ------------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt: base × 2^(n−1), at most 6 hours."""
    seconds = settings.WEBHOOK_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, 6 * 3600))


def signature(endpoint: WebhookEndpoint, message_id: str, at: datetime, body: str) -> str:
    """``v1,<sig>`` with the current secret, plus one with the previous during a rotation."""
    secrets_in_use = [decrypt_secret(endpoint.secret)]
    if endpoint.previous_secret and (endpoint.previous_secret_expires_at or at) > at:
        secrets_in_use.append(decrypt_secret(endpoint.previous_secret))
    return " ".join(Webhook(s).sign(message_id, at, body) for s in secrets_in_use)


def _address_refused(host: str, port: int) -> str:
    """Why the host may not be called (an address inside our network), or ""."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError:
        return "The host name does not resolve."
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address.is_loopback and settings.WEBHOOK_ALLOW_LOOPBACK:
            continue
        if not address.is_global:
            return "The URL points into a private network; webhooks go to public addresses."
    return ""


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One signed POST. Returns (status code or None, error text)."""
    parts = urlsplit(endpoint.url)
    refused = _address_refused(parts.hostname or "", parts.port or (443 if parts.scheme ==
                                                                     "https" else 80))  # fmt: skip
    if refused:
        return None, refused
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
    now = datetime.now(UTC).replace(microsecond=0)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature(endpoint, delivery.message_id, now, body),
    }
    try:
        response = requests.post(
            endpoint.url, data=body.encode(), headers=headers, allow_redirects=False,
            timeout=(settings.WEBHOOK_TIMEOUT_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS),
        )  # fmt: skip
    except requests.RequestException as exc:
        return None, f"No answer: {type(exc).__name__}."
    response.close()
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"Answered {response.status_code}."


def attempt(delivery_id, *, now: datetime | None = None) -> float | None:
    """Make the next attempt of a pending delivery if it is due and nobody else is making it.

    Returns the seconds until the next attempt, or None when there is none (delivered, given
    up, not due, or taken by another worker). The claim is a conditional UPDATE that moves
    ``next_attempt_at`` past the request's timeout, so two workers never post it at once.
    """
    now = now or timezone.now()
    hold = now + timedelta(seconds=3 * settings.WEBHOOK_TIMEOUT_SECONDS + 5)
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=WebhookDeliveryStatus.PENDING, endpoint__is_active=True
        )
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
        .update(attempts=F("attempts") + 1, next_attempt_at=hold)
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint__operator").get(pk=delivery_id)
    endpoint = delivery.endpoint
    began = time.perf_counter()
    code, error = _post(endpoint, delivery)
    latency = int((time.perf_counter() - began) * 1000)
    done = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, at=done, status_code=code,
            latency_ms=latency, error=error[:300],
        )  # fmt: skip
        fields = {"last_status_code": code, "last_latency_ms": latency, "last_error": error[:300]}
        if not error:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=WebhookDeliveryStatus.SUCCEEDED, delivered_at=done, next_attempt_at=None,
                **fields,
            )  # fmt: skip
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
            return None
        last = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
        wait = backoff(delivery.attempts)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDeliveryStatus.FAILED if last else WebhookDeliveryStatus.PENDING,
            next_attempt_at=None if last else done + wait,
            **fields,
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        failures = (
            WebhookEndpoint.objects.filter(pk=endpoint.pk)
            .values_list("consecutive_failures", flat=True)
            .get()
        )
        if failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
            _disable_failing(endpoint, failures)
            return None
    logger.info("webhook delivery %s: attempt %d failed (%s)", delivery.pk, delivery.attempts,
                code or "no answer")  # fmt: skip
    return None if last else wait.total_seconds()


def _disable_failing(endpoint: WebhookEndpoint, failures: int) -> None:
    """Disable an endpoint that keeps failing, once, and tell the operator's admins."""
    reason = f"Disabled after {failures} failed attempts in a row."
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason=reason
    ):
        return
    _abandon_pending(endpoint, "The endpoint was disabled.")
    _audit(AuditAction.WEBHOOK_DISABLED, endpoint, None, reason=reason, failures=failures)
    n.notify(n.WEBHOOK_DISABLED, endpoint_id=endpoint.pk)
    logger.warning("webhook endpoint %s disabled after %d failures", endpoint.public_id, failures)


def _abandon_pending(endpoint: WebhookEndpoint, why: str) -> None:
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDeliveryStatus.PENDING).update(
        status=WebhookDeliveryStatus.FAILED, next_attempt_at=None, last_error=why
    )


def sweep_due_deliveries(now: datetime | None = None) -> int:
    """Send pending deliveries whose next attempt is due (retries without Celery, and messages a
    broker lost). Returns how many were handed on."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status=WebhookDeliveryStatus.PENDING, endpoint__is_active=True, next_attempt_at__lte=now
    ).values_list("pk", flat=True)[:500]
    count = 0
    for delivery_id in due:
        dispatch(delivery_id)
        count += 1
    return count


def deliveries_of(endpoint: WebhookEndpoint, limit: int = 50):
    """The endpoint's latest deliveries with their attempts, newest first (the delivery log)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .prefetch_related("attempt_log")
        .order_by("-created_at")[:limit]
    )


# --- the Celery tasks (defined beside what they run: ``dispatch`` enqueues them; portal/tasks.py
# lists them for autodiscovery). Names unchanged, so queued messages keep working.


@shared_task(name="portal.tasks.deliver_webhook", acks_late=True)
def deliver_webhook(delivery_id: str) -> str:
    """One attempt of a webhook delivery; a failure schedules the next after its backoff."""
    wait = attempt(delivery_id)
    if wait is not None:
        deliver_webhook.apply_async((delivery_id,), countdown=wait)
        return f"retry in {wait:.0f} s"
    return "done"


@shared_task(name="portal.tasks.sweep_webhook_deliveries", acks_late=True)
def sweep_webhook_deliveries() -> int:
    return sweep_due_deliveries()
