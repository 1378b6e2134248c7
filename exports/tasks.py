"""Celery tasks: parse the id, call the runner or a service (STYLE §6). Ids only, JSON only."""

from celery import shared_task

from exports import runner, schedules, services

MAX_RETRIES = 5


def backoff(retries: int) -> int:
    """10 s, 20 s, 40 s, 80 s, 160 s."""
    return min(600, 10 * 2**retries)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, name="exports.tasks.run_export")
def run_export(self, job_id: str) -> str:
    try:
        return runner.run_export(job_id, worker=runner.worker_name())
    except runner.TransientExportError as exc:
        if self.request.retries >= self.max_retries:
            runner.give_up(job_id)
            return "failed"
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, name="exports.tasks.sweep_stuck_exports")
def sweep_stuck_exports(self) -> int:
    return len(services.sweep_stuck_exports())


@shared_task(bind=True, acks_late=True, name="exports.tasks.purge_expired_exports")
def purge_expired_exports(self) -> int:
    return services.purge_expired_exports()


@shared_task(bind=True, acks_late=True, name="exports.tasks.run_due_schedules")
def run_due_schedules(self) -> int:
    return schedules.run_due_schedules()
