"""Periodic notice jobs (run by beat; see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from notices.links import check_all_operator_links


@shared_task(name="notices.tasks.check_operator_links", soft_time_limit=15 * 60, time_limit=20 * 60)
def check_operator_links() -> dict:
    """Check every operator's privacy and terms links; flag broken ones."""
    return check_all_operator_links()
