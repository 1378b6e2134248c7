"""E-mail to the people a change affects, sent after the change commits.

One message per recipient, so no one sees another's address. Messages name organizations and
link to the portal; they never carry end users' personal data.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from portal.choices import TenantRole
from portal.models import Membership, OperatorAssignment

logger = logging.getLogger(__name__)


def _send(template: str, context: dict, recipients: list[str]) -> int:
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    sent = 0
    for email in recipients:
        try:
            sent += EmailMessage(subject, body, to=[email]).send()
        except OSError:
            logger.warning("could not send %s", template.rsplit("/", 1)[-1])
    return sent


def tenant_admin_emails(tenant_id: int) -> list[str]:
    return sorted(
        Membership.objects.filter(
            tenant_id=tenant_id, role=TenantRole.ADMIN, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def notify_relationship_changed(assignment_id: int) -> int:
    """Tell the tenant's admins that an operator changed the relationship status."""
    assignment = OperatorAssignment.objects.select_related("tenant", "operator").get(
        pk=assignment_id
    )
    url = settings.SITE_URL + reverse(
        "tenant:assignment_detail",
        kwargs={"tenant_slug": assignment.tenant.slug, "operator_slug": assignment.operator.slug},
    )
    context = {"assignment": assignment, "url": url}
    return _send(
        "portal/email/relationship_changed", context, tenant_admin_emails(assignment.tenant_id)
    )
