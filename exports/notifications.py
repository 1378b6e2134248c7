"""E-mail when an export is ready or failed: to its requester and to the operator's staff.

One message per recipient, so no one sees another's address. Messages carry no personal data
of end users — only names of organizations, counts and a link to sign in.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from exports.choices import ExportStatus
from exports.models import ExportJob
from portal.models import OperatorMembership

logger = logging.getLogger(__name__)


def _recipients(job: ExportJob) -> dict[str, str]:
    """E-mail address → the link that recipient can open."""
    operator_url = settings.SITE_URL + reverse(
        "exports:operator_export", kwargs={"operator_slug": job.operator.slug, "job_id": job.id}
    )
    tenant_url = settings.SITE_URL + reverse(
        "exports:tenant_export", kwargs={"tenant_slug": job.tenant.slug, "job_id": job.id}
    )
    staff = OperatorMembership.objects.filter(
        operator_id=job.operator_id, user__is_active=True
    ).values_list("user__email", flat=True)
    recipients = {email: operator_url for email in staff}
    requester = job.requested_by
    if requester is not None and requester.is_active and requester.email not in recipients:
        recipients[requester.email] = (
            operator_url if job.requested_via == "operator" else tenant_url
        )
    return recipients


def export_finished(job_id) -> int:
    """Send the ready/failed e-mail for a finished job. Returns the number of messages sent."""
    job = ExportJob.objects.select_related("tenant", "operator", "requested_by").get(pk=job_id)
    if job.status not in (ExportStatus.SUCCEEDED, ExportStatus.FAILED):
        return 0
    kind = "ready" if job.status == ExportStatus.SUCCEEDED else "failed"
    sent = 0
    for email, url in _recipients(job).items():
        context = {"job": job, "url": url, "site_url": settings.SITE_URL}
        subject = render_to_string(f"exports/email/export_{kind}_subject.txt", context)
        body = render_to_string(f"exports/email/export_{kind}_body.txt", context)
        html = render_to_string(f"exports/email/export_{kind}_body.html", context)
        message = EmailMultiAlternatives(" ".join(subject.split()), body, to=[email])
        message.attach_alternative(html, "text/html")
        try:
            sent += message.send()
        except OSError:
            logger.warning("export %s: could not send a notification", job.pk)
    return sent
