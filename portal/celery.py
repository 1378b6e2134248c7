"""Celery application, configured from Django settings (``CELERY_`` namespace)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def keep_django_logging(**kwargs) -> None:
    """Log through settings.LOGGING in the worker and beat too (invariant I8).

    Left alone, Celery gives the ``celery.task`` logger a console handler of its own that does
    not propagate, so task log lines would bypass the redacting filter. A receiver on this
    signal tells Celery not to configure logging at all; the level comes from LOG_LEVEL.
    """
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
