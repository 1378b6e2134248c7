"""Small platform tasks."""

from celery import shared_task

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
