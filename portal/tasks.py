"""Small platform tasks, and the names of those defined beside the service that enqueues them
(a service must not import the module of tasks that call it back: docs/architecture.md)."""

from celery import shared_task
from django.core.cache import cache

from portal import partitions
from portal.services.notifications import send_notification
from portal.services.webhooks import deliver_webhook, sweep_webhook_deliveries

__all__ = [
    "create_call_record_partitions",
    "deliver_webhook",
    "ping",
    "send_notification",
    "sweep_webhook_deliveries",
]


@shared_task(name="portal.tasks.ping")
def ping(token: str) -> str:
    """Round-trip check used by `make run`'s smoke test and the embedded-default test."""
    cache.set(f"ping:{token}", "pong", 300)
    return "pong"


@shared_task(name="portal.tasks.create_call_record_partitions")
def create_call_record_partitions() -> list[str]:
    """Beat, every 6 hours: this month's and the next CALL_RECORD_PARTITIONS_AHEAD months'
    call-record partitions (``portal.partitions``); returns the names it created."""
    return partitions.ensure_ahead()
