"""Small platform tasks."""

from celery import shared_task

from portal import partitions
from portal.services.notifications import send


@shared_task(name="portal.tasks.ping")
def ping(token: str) -> str:
    """Round-trip check used by `make run`'s smoke test and the embedded-default test."""
    from django.core.cache import cache

    cache.set(f"ping:{token}", "pong", 300)
    return "pong"


@shared_task(name="portal.tasks.send_notification", acks_late=True)
def send_notification(kind: str, ids: dict) -> int:
    """Send one notification (``portal.services.notifications``), built from ids after commit."""
    return send(kind, ids)


@shared_task(name="portal.tasks.deliver_webhook", acks_late=True)
def deliver_webhook(delivery_id: str) -> str:
    """One attempt of a webhook delivery; a failure schedules the next after its backoff."""
    from portal.services.webhooks import attempt

    wait = attempt(delivery_id)
    if wait is not None:
        deliver_webhook.apply_async((delivery_id,), countdown=wait)
        return f"retry in {wait:.0f} s"
    return "done"


@shared_task(name="portal.tasks.sweep_webhook_deliveries", acks_late=True)
def sweep_webhook_deliveries() -> int:
    from portal.services.webhooks import sweep_due_deliveries

    return sweep_due_deliveries()


@shared_task(name="portal.tasks.create_call_record_partitions")
def create_call_record_partitions() -> list[str]:
    """Beat, every 6 hours: this month's and the next CALL_RECORD_PARTITIONS_AHEAD months'
    call-record partitions (``portal.partitions``); returns the names it created."""
    return partitions.ensure_ahead()
