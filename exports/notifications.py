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


def storage_full(job_id) -> int:
    """Tell platform staff (``ADMINS`` and active staff users) that the export storage is full.

    Sent when a job fails on ENOSPC/EDQUOT; the job's own failure e-mail goes out as usual.
    """
    from django.contrib.auth import get_user_model

    job = ExportJob.objects.select_related("tenant", "operator").get(pk=job_id)
    staff = get_user_model().objects.filter(is_staff=True, is_active=True)
    emails = {email for _name, email in settings.ADMINS} | set(
        staff.values_list("email", flat=True)
    )
    context = {"job": job, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string("exports/email/storage_full_subject.txt", context).split())
    body = render_to_string("exports/email/storage_full_body.txt", context)
    sent = 0
    for email in sorted(emails):
        try:
            sent += EmailMultiAlternatives(subject, body, to=[email]).send()
        except OSError:
            logger.warning("export %s: could not send the storage-full alert", job.pk)
    return sent
