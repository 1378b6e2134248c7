"""Celery tasks: parse the id, call the runner or a service (STYLE §6). Ids only, JSON only.

``run_export`` is defined beside the runner (``exports.runner.run_export_task``) because the
request side enqueues it; it is named here too, where Celery's autodiscovery and readers look.
"""

from celery import shared_task

from exports import schedules, services
from exports.runner import MAX_RETRIES, backoff
from exports.runner import run_export_task as run_export

__all__ = ["MAX_RETRIES", "backoff", "purge_expired_exports", "run_due_schedules", "run_export",
           "sweep_stuck_exports"]  # fmt: skip


@shared_task(bind=True, acks_late=True, name="exports.tasks.sweep_stuck_exports")
def sweep_stuck_exports(self) -> int:
    return len(services.sweep_stuck_exports())


@shared_task(bind=True, acks_late=True, name="exports.tasks.purge_expired_exports")
def purge_expired_exports(self) -> int:
    return services.purge_expired_exports()


@shared_task(bind=True, acks_late=True, name="exports.tasks.run_due_schedules")
def run_due_schedules(self) -> int:
    return schedules.run_due_schedules()
