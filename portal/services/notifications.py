"""Every e-mail the portal sends on its own (docs/operator.md "Notifications").

One module: a service calls ``notify(kind, **ids)`` inside its transaction; after the commit the
notification is handed to Celery (``portal.tasks.send_notification``, ids only) — or sent in
the process when ``NOTIFICATIONS_VIA_CELERY`` is off — where ``send`` builds a ``Message``
from the database as it is then, and ``deliver`` renders the kind's templates
(``templates/email/<kind>_subject.txt`` and ``_body.txt``) once per recipient, so no one sees
another's address, and writes one audit event saying who was e-mailed.

A message is *essential* when its recipient must act or must stop processing data (an
invitation's set-password link, a suspension, a removal, Operator Connect turned off, a notice
that stopped naming the operator, a declined or terminated relationship). Anything else is
*optional* and skipped for people who turned optional e-mail off in their profile
(``User.optional_emails``). Messages name organizations and link to the portal; they never carry
end users' personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from exports.models import ExportJob
from portal.choices import (
    AssignmentStatus,
    AuditAction,
    OperatorRole,
    RelationshipStatus,
    TenantRole,
    english,
)
from portal.models import Operator, OperatorAssignment, Tenant, User, WebhookEndpoint
from portal.services.audit import record_event
from portal.sharing import BLOCKING_RELATIONSHIPS, named_countries

logger = logging.getLogger(__name__)

INVITATION = "invitation"
OPERATOR_ASSIGNED = "operator_assigned"
OPERATOR_SUSPENDED = "operator_suspended"
OPERATOR_RESUMED = "operator_resumed"
OPERATOR_REMOVED = "operator_removed"
OPERATOR_CONNECT_DISABLED = "operator_connect_disabled"
NOTICE_NAMES_OPERATOR = "notice_names_operator"
NOTICE_STOPS_NAMING_OPERATOR = "notice_stops_naming_operator"
RELATIONSHIP_CHANGED = "relationship_changed"
WEBHOOK_DISABLED = "webhook_disabled"
SUBJECT_ERASED = "subject_erased"

# assignment status → (kind, essential)
ASSIGNMENT_KINDS = {
    OPERATOR_ASSIGNED: False,
    OPERATOR_SUSPENDED: True,
    OPERATOR_RESUMED: False,
    OPERATOR_REMOVED: True,
}


@dataclass
class Message:
    """One notification: who gets it, what it says, and where its audit event belongs.

    ``recipients``: (user, extra context for that user) pairs. ``template``: the path prefix of
    its ``_subject.txt``/``_body.txt`` (and ``_body.html`` when ``html``).
    """

    kind: str
    recipients: list[tuple[User, dict]]
    context: dict
    essential: bool
    audience: str
    tenant: Tenant | None = None
    operator: Operator | None = None
    summary: str = ""
    template: str = ""
    html: bool = False
    details: dict = field(default_factory=dict)


def actor_id(user: User | None) -> int | None:
    return user.pk if user is not None and getattr(user, "is_authenticated", False) else None


def site_url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _active(users) -> list[tuple[User, dict]]:
    return [(u, {}) for u in users.filter(is_active=True).order_by("email")]


def operator_admins(operator_id: int) -> list[tuple[User, dict]]:
    return _active(
        User.objects.filter(
            operator_memberships__operator_id=operator_id,
            operator_memberships__role=OperatorRole.ADMIN,
        )
    )


def tenant_admins(tenant_id: int) -> list[tuple[User, dict]]:
    return _active(
        User.objects.filter(memberships__tenant_id=tenant_id, memberships__role=TenantRole.ADMIN)
    )


# --- sending -------------------------------------------------------------------------------------

# Sent inside ``notify``'s transaction with ``kind`` and ``ids``: other channels of the same event
# (the operator's webhooks) record theirs at the same moment.
notification_requested = Signal()


def notify(kind: str, **ids) -> None:
    """Send ``kind`` once the current transaction commits (nothing if it rolls back)."""

    # The webhook twin of this message (portal.services.webhooks listens): recorded in the same
    # transaction, sent after it. In a savepoint: a fault there is logged and must not undo the
    # change being notified. A signal, so this module need not know about webhooks.
    try:
        with transaction.atomic():
            notification_requested.send(sender=None, kind=kind, ids=ids)
    except Exception:
        logger.exception("could not record the webhook event of a %s notification", kind)

    def dispatch() -> None:
        if settings.NOTIFICATIONS_VIA_CELERY:
            send_notification.delay(kind, ids)
        else:
            send(kind, ids)

    transaction.on_commit(dispatch, robust=True)


def send(kind: str, ids: dict) -> int:
    """Build ``kind`` from the database as it is now and deliver it. Returns messages sent."""
    message = BUILDERS[kind](kind, **ids)
    return deliver(message) if message is not None else 0


# Defined here, beside ``send``, not in ``portal/tasks.py`` (which lists it): ``notify`` enqueues
# it, and a module that enqueues a task must not import the tasks module that calls it back.
@shared_task(name="portal.tasks.send_notification", acks_late=True)
def send_notification(kind: str, ids: dict) -> int:
    """Celery's side of ``notify``: ids only, the message is built from the database then."""
    return send(kind, ids)


def deliver(message: Message) -> int:
    """Render and send one e-mail per recipient, then record one audit event."""
    template = message.template or f"email/{message.kind}"
    sent_to: list[int] = []
    opted_out: list[int] = []
    for user, extra in message.recipients:
        if not message.essential and not user.optional_emails:
            opted_out.append(user.pk)
            continue
        context = {
            **message.context,
            **extra,
            "user": user,
            "site_url": settings.SITE_URL,
            "essential": message.essential,
            "profile_url": site_url("profile"),
        }
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
        email = EmailMultiAlternatives(subject, body, to=[user.email])
        if message.html:
            email.attach_alternative(
                render_to_string(f"{template}_body.html", context), "text/html"
            )
        try:
            if email.send():
                sent_to.append(user.pk)
        except OSError:
            logger.warning("could not send a %s e-mail", message.kind)
    record_event(
        AuditAction.NOTIFICATION_SENT,
        actor=None,
        tenant=message.tenant,
        operator=message.operator,
        target_label=message.audience,
        summary=message.summary,
        kind=message.kind,
        essential=message.essential,
        sent=len(sent_to),
        user_ids=sent_to,
        opted_out=len(opted_out),
        **message.details,
    )
    return len(sent_to)


# --- what each kind says, and to whom ------------------------------------------------------------


def _invitation(kind: str, *, user_id: int, by_id=None, tenant_id=None, operator_id=None):
    """A new account's single-use, expiring link to set its password (Django's reset token)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return None  # already set a password (or was deactivated): nothing to invite to
    tenant = Tenant.objects.filter(pk=tenant_id).first() if tenant_id else None
    operator = Operator.objects.filter(pk=operator_id).first() if operator_id else None
    by = User.objects.filter(pk=by_id).first() if by_id else None
    link = settings.SITE_URL + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    place = tenant or operator
    where = place.name if place is not None else "the Operator Connect portal"
    return Message(
        kind=kind,
        recipients=[(user, {})],
        context={
            "where": where,
            "by": by,
            "link": link,
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
        essential=True,
        audience=user.display_name,
        tenant=tenant,
        operator=operator,
        summary=f"invitation to {where}",
    )


def _assignment_message(kind: str, *, assignment_id: int, actor_id=None):
    """To the operator's admins: a tenant assigned, suspended, resumed or removed them."""
    assignment = (
        OperatorAssignment.objects.select_related("tenant", "operator")
        .prefetch_related("countries")
        .get(pk=assignment_id)
    )
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    if assignment.status == AssignmentStatus.REMOVED:
        url = site_url("operator:home", assignment.operator.slug)
    else:
        url = site_url("operator:tenant", assignment.operator.slug, assignment.tenant.slug)
    return Message(
        kind=kind,
        recipients=operator_admins(assignment.operator_id),
        context={
            "assignment": assignment,
            "tenant": assignment.tenant,
            "operator": assignment.operator,
            "actor": actor,
            "url": url,
        },
        essential=ASSIGNMENT_KINDS[kind],
        audience=f"the admins of {assignment.operator.name}",
        tenant=assignment.tenant,
        operator=assignment.operator,
        summary=f"{assignment.tenant.name} {kind.removeprefix('operator_')} {assignment.operator.name}",
    )


def _operator_connect_disabled(kind: str, *, tenant_id: int, operator_id: int):
    tenant = Tenant.objects.get(pk=tenant_id)
    operator = Operator.objects.get(pk=operator_id)
    return Message(
        kind=kind,
        recipients=operator_admins(operator_id),
        context={
            "tenant": tenant,
            "operator": operator,
            "url": site_url("operator:tenant", operator.slug, tenant.slug),
        },
        essential=True,
        audience=f"the admins of {operator.name}",
        tenant=tenant,
        operator=operator,
        summary=f"{tenant.name} turned Operator Connect off",
    )


def _notice_message(kind: str, *, version_id: int, operator_id: int):
    """To the operator's admins: a published notice names them now, or no longer does."""
    from django.apps import apps

    version = (
        apps.get_model("notices", "NoticeVersion")
        .objects.select_related("tenant")
        .get(pk=version_id)
    )
    operator = Operator.objects.get(pk=operator_id)
    countries = sorted(named_countries(version.configuration, operator_id))
    names = kind == NOTICE_NAMES_OPERATOR
    return Message(
        kind=kind,
        recipients=operator_admins(operator_id),
        context={
            "version": version,
            "tenant": version.tenant,
            "operator": operator,
            "countries": countries,
            "notice_url": site_url("public:version", version.tenant.slug, version.number),
            "url": site_url("operator:tenant", operator.slug, version.tenant.slug),
        },
        essential=not names,
        audience=f"the admins of {operator.name}",
        tenant=version.tenant,
        operator=operator,
        summary=(
            f"notice version {version.number} "
            + ("names " if names else "no longer names ")
            + operator.name
        ),
        details={"version": version.number},
    )


def _relationship_changed(kind: str, *, assignment_id: int):
    """To the tenant's admins: an operator changed the relationship status."""
    assignment = OperatorAssignment.objects.select_related("tenant", "operator").get(
        pk=assignment_id
    )
    url = site_url("tenant:assignment_detail", assignment.tenant.slug, assignment.operator.slug)
    return Message(
        kind=kind,
        recipients=tenant_admins(assignment.tenant_id),
        context={"assignment": assignment, "url": url},
        essential=assignment.relationship_status in BLOCKING_RELATIONSHIPS,
        audience=f"the admins of {assignment.tenant.name}",
        tenant=assignment.tenant,
        operator=assignment.operator,
        summary=f"relationship {english(RelationshipStatus(assignment.relationship_status)).lower()}",
    )


def _webhook_disabled(kind: str, *, endpoint_id: int):
    """To the operator's admins: an endpoint kept failing and was disabled."""
    endpoint = WebhookEndpoint.objects.select_related("operator").filter(pk=endpoint_id).first()
    if endpoint is None:
        return None
    operator = endpoint.operator
    return Message(
        kind=kind,
        recipients=operator_admins(operator.pk),
        context={
            "endpoint": endpoint,
            "operator": operator,
            "url": site_url("operator:webhook", operator.slug, endpoint.public_id),
        },
        essential=True,
        audience=f"the admins of {operator.name}",
        operator=operator,
        summary="webhook endpoint disabled",
        details={"endpoint": str(endpoint.public_id)},
    )


def _subject_erased(kind: str, *, tenant_id: int, operator_id: int, event_id: int, export_ids):
    """To the operator's admins: a tenant erased a person whose data their exports held.

    Names no identifier (the tenant's privacy contact passes those on): only the tenant, the
    erasure's reference and the exports concerned. Essential: the operator must act.
    """
    tenant = Tenant.objects.get(pk=tenant_id)
    operator = Operator.objects.get(pk=operator_id)
    exports = list(
        ExportJob.objects.filter(pk__in=export_ids, operator=operator).order_by("finished_at")
    )
    return Message(
        kind=kind,
        recipients=operator_admins(operator_id),
        context={
            "tenant": tenant,
            "operator": operator,
            "reference": f"E-{event_id}",
            "exports": exports,
            "url": site_url("operator:tenant", operator.slug, tenant.slug),
        },
        essential=True,
        audience=f"the admins of {operator.name}",
        tenant=tenant,
        operator=operator,
        summary=f"{tenant.name} erased a person's data (E-{event_id})",
        details={"erasure": event_id, "exports": len(exports)},
    )


# Each builds its kind's message from ids, or None when there is no one to tell any more.
BUILDERS: dict[str, Callable[..., Message | None]] = {
    INVITATION: _invitation,
    **{kind: _assignment_message for kind in ASSIGNMENT_KINDS},
    OPERATOR_CONNECT_DISABLED: _operator_connect_disabled,
    NOTICE_NAMES_OPERATOR: _notice_message,
    NOTICE_STOPS_NAMING_OPERATOR: _notice_message,
    RELATIONSHIP_CHANGED: _relationship_changed,
    WEBHOOK_DISABLED: _webhook_disabled,
    SUBJECT_ERASED: _subject_erased,
}


# --- what a published notice changed for each operator ---------------------------------------------


def notice_naming_changes(previous: dict | None, current: dict) -> list[tuple[str, int]]:
    """(kind, operator id) for each operator a new notice configuration names anew (or for other
    countries than before), or stopped naming."""
    ids = {e.get("id") for cfg in (previous or {}, current) for e in cfg.get("operators", [])}
    changes = []
    for operator_id in sorted(i for i in ids if i is not None):
        before = named_countries(previous or {}, operator_id)
        after = named_countries(current, operator_id)
        if after and after != before:
            changes.append((NOTICE_NAMES_OPERATOR, operator_id))
        elif before and not after:
            changes.append((NOTICE_STOPS_NAMING_OPERATOR, operator_id))
    return changes
