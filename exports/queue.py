"""What the broker holds: which export jobs have a message waiting or being worked on.

A Redis broker restarted without persistence (the shipped configuration) comes back empty, and a
message can be lost in other ways too. The sweeper compares the jobs the database says are
queued with the messages the broker holds, and re-sends the missing ones within a minute
instead of after a fixed age (docs/reliability.md). Only a Redis broker can be inspected; for
any other the sweeper falls back to ``EXPORT_REQUEUE_AFTER_SECONDS``.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings

from portal.celery import app

logger = logging.getLogger(__name__)

UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
QUEUE = "celery"  # Celery's default queue; kombu keeps delivered, unacked messages in "unacked"


def broker_url() -> str:
    return app.conf.broker_url or settings.CELERY_BROKER_URL


def ids_in_broker() -> set[str] | None:
    """UUIDs named by the messages in the queue and by delivered, unacknowledged ones (job ids
    among them: ``argsrepr`` is plain text). None if the broker cannot be inspected now."""
    url = broker_url()
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        with client.pipeline(transaction=False) as pipe:
            pipe.lrange(QUEUE, 0, -1)
            pipe.hvals("unacked")
            waiting, delivered = pipe.execute()
    except redis.exceptions.RedisError as exc:
        logger.warning("cannot inspect the broker (%s)", type(exc).__name__)
        return None
    finally:
        client.close()
    found: set[str] = set()
    for message in [*waiting, *delivered]:
        found.update(m.decode() for m in UUID.findall(message))
    return found
