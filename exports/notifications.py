"""E-mail when an export is ready or failed: to its requester and to the operator's staff.

Sent through the one notifications module (``portal.services.notifications.deliver``): one
message per recipient, optional (people who turned optional e-mail off are skipped), audited.
Messages carry no personal data of end users — only names of organizations, counts and a link.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from exports.choices import ExportStatus
from exports.models import ExportJob
from portal.models import User
from portal.services.notifications import Message, deliver
from portal.services.webhooks import emit, link, tenant_ref

logger = logging.getLogger(__name__)


def _recipients(job: ExportJob) -> list[tuple[User, dict]]:
    """Each recipient with the link they can open."""
    operator_url = settings.SITE_URL + reverse(
        "operator:export", kwargs={"operator_slug": job.operator.slug, "job_id": job.id}
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
    try:  # the webhook twin: same moment; a failure here must not stop the e-mail
        emit_export_event(job)
    except Exception:
        logger.exception("export %s: could not record its webhook event", job.pk)
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


def emit_export_event(job: ExportJob) -> None:
    """``export.succeeded`` / ``export.failed`` to the operator's webhook endpoints: ids, counts
    and links — the file itself is fetched through the authenticated API."""
    succeeded = job.status == ExportStatus.SUCCEEDED
    api = {"job_id": job.pk}
    payload = {
        "export": {
            "id": str(job.pk),
            "status": job.status,
            "tenant": tenant_ref(job.tenant),
            "operator": job.operator.slug,
            "datasets": list(job.datasets),
            "format": job.format,
            "rows": job.row_counts if succeeded else {},
            "sha256": job.file_sha256 if succeeded else "",
            "bytes": job.file_size if succeeded else None,
            "expires_at": job.expires_at.isoformat() if succeeded and job.expires_at else None,
            "error": "" if succeeded else job.error_message,
            "schedule": str(job.schedule_id) if job.schedule_id else None,
            "watermark": (job.manifest or {}).get("watermark") if succeeded else None,
        },
        "links": {
            "api": link("api:export-detail", **api),
            "portal": link("operator:export", operator_slug=job.operator.slug, **api),
            **({"download": link("api:export-download", **api)} if succeeded else {}),
        },
    }
    with transaction.atomic():
        emit(job.operator, "export.succeeded" if succeeded else "export.failed", payload)
