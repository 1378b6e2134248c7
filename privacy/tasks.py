"""Beat tasks of the privacy features (ids only, JSON only)."""

from celery import shared_task

from privacy import retention


@shared_task(bind=True, acks_late=True, name="privacy.tasks.purge_expired_call_records")
def purge_expired_call_records(self) -> int:
    """Delete call records past each tenant's retention; returns how many."""
    return sum(r.deleted for r in retention.purge_expired_call_records())
