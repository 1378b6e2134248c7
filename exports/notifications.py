"""E-mail when an export is ready or failed: to its requester and to the operator's staff.

Sent through the one notifications module (``portal.services.notifications.deliver``): one
message per recipient, optional (people who turned optional e-mail off are skipped), audited.
Messages carry no personal data of end users — only names of organizations, counts and a link.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from exports.choices import ExportStatus
from exports.models import ExportJob
from portal.models import User
from portal.services.notifications import Message, deliver


def _recipients(job: ExportJob) -> list[tuple[User, dict]]:
    """Each recipient with the link they can open."""
    operator_url = settings.SITE_URL + reverse(
        "exports:operator_export", kwargs={"operator_slug": job.operator.slug, "job_id": job.id}
    )
    tenant_url = settings.SITE_URL + reverse(
        "exports:tenant_export", kwargs={"tenant_slug": job.tenant.slug, "job_id": job.id}
    )
    staff = User.objects.filter(
        operator_memberships__operator_id=job.operator_id, is_active=True
    ).order_by("email")
    recipients = {user.pk: (user, {"url": operator_url}) for user in staff}
    requester = job.requested_by
    if requester is not None and requester.is_active and requester.pk not in recipients:
        url = operator_url if job.requested_via == "operator" else tenant_url
        recipients[requester.pk] = (requester, {"url": url})
    return list(recipients.values())


def export_finished(job_id) -> int:
    """Send the ready/failed e-mail for a finished job. Returns the number of messages sent."""
    job = ExportJob.objects.select_related("tenant", "operator", "requested_by").get(pk=job_id)
    if job.status not in (ExportStatus.SUCCEEDED, ExportStatus.FAILED):
        return 0
    kind = "ready" if job.status == ExportStatus.SUCCEEDED else "failed"
    return deliver(
        Message(
            kind=f"export_{kind}",
            recipients=_recipients(job),
            context={"job": job},
            essential=False,
            audience=f"the staff of {job.operator.name} and the requester",
            tenant=job.tenant,
            operator=job.operator,
            summary=f"export {job.short_id} {kind}",
            template=f"exports/email/export_{kind}",
            html=True,
            details={"export": str(job.pk)},
        )
    )
