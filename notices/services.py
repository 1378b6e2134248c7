"""Publishing the end-user notice and reading its status (invariant I3).

``publish_notice`` is the only writer of ``NoticeVersion``. ``notice_status`` tells the tenant
portal whether the published notice still matches the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from notices import cache
from notices.choices import LegalBasis
from notices.content import (
    LANGUAGES,
    build_configuration,
    content_sha256,
    diff_configurations,
    missing_requirements,
    render_body,
    render_content,
    summarize,
    summarize_in,
)
from notices.models import NoticeSettings, NoticeVersion
from portal.choices import AuditAction
from portal.errors import Conflict, DomainError
from portal.models import Operator, Tenant, User
from portal.services import notifications
from portal.services.audit import record_event


@dataclass
class NoticeStatus:
    """What the tenant portal shows about the notice: published, out of date, the draft."""

    tenant: Tenant
    current: NoticeVersion | None
    draft: dict
    changes: list[dict]
    out_of_date: bool
    problems: list[str] = field(default_factory=list)
    broken_links: list[dict] = field(default_factory=list)
    # Published but not yet in force (docs/notice.md "Scheduled versions"), soonest first.
    upcoming: list[NoticeVersion] = field(default_factory=list)
    # The highest-numbered version, scheduled or not: the draft is compared with it.
    latest: NoticeVersion | None = None

    @property
    def never_published(self) -> bool:
        return self.latest is None

    @property
    def can_publish(self) -> bool:
        return not self.problems and (self.latest is None or self.out_of_date)

    @property
    def change_summary(self) -> str:
        return summarize(self.changes)

    def draft_html(self, lang: str = "en") -> str:
        """The draft rendered as it would be published (without a number or date yet)."""
        return render_body(self.draft, lang, number=None, effective_at=None)


def broken_links_for(config: dict) -> list[dict]:
    """Operators named in ``config`` whose privacy or terms links failed the last check."""
    ids = [op["id"] for op in config.get("operators", [])]
    found = []
    for op in Operator.objects.filter(pk__in=ids).exclude(links_broken={}).order_by("name"):
        for which, problem in sorted((op.links_broken or {}).items()):
            found.append(
                {
                    "operator": op.name,
                    "which": which,
                    "url": problem.get("url", "") if isinstance(problem, dict) else "",
                    "reason": problem.get("reason", "") if isinstance(problem, dict) else "",
                }
            )
    return found


def notice_status(tenant: Tenant) -> NoticeStatus:
    """The current version (or None), whether it is out of date, and the draft to publish."""
    now = timezone.now()
    current = NoticeVersion.objects.current_for(tenant, now)
    latest = NoticeVersion.objects.latest_for(tenant)
    draft = build_configuration(tenant)
    # A scheduled version counts: once it is published, the change is announced and will apply.
    # Never published while sharing counts as out of date: users have not been told anything.
    out_of_date = draft["enabled"] if latest is None else latest.configuration != draft
    config_for_links = draft if draft["operators"] else (latest.configuration if latest else {})
    return NoticeStatus(
        tenant=tenant,
        current=current,
        latest=latest,
        upcoming=NoticeVersion.objects.upcoming_for(tenant, now),
        draft=draft,
        changes=diff_configurations(latest.configuration if latest else None, draft),
        out_of_date=out_of_date,
        problems=missing_requirements(draft),
        broken_links=broken_links_for(config_for_links),
    )


MAX_NOTICE_LEAD = timedelta(days=366)


@transaction.atomic
def publish_notice(
    tenant: Tenant,
    *,
    by: User | None,
    note: str = "",
    ip: str | None = None,
    effective_at: datetime | None = None,
) -> NoticeVersion:
    """Publish the tenant's current configuration as a new, immutable notice version.

    ``effective_at``: when it takes effect (default now). A future date announces the change:
    until then the version in force stays, and the public page, JSON and feed show the upcoming
    one (docs/notice.md "Scheduled versions")."""
    # Serialise publishers of one tenant: numbers are gapless and the diff base is stable.
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError("Keep the note under 2,000 characters.", field="note")
    config = build_configuration(tenant)
    problems = missing_requirements(config)
    if problems:
        # The tenant's settings, not this request, are at fault: a refusal because of state.
        raise Conflict(problems[0], code="notice_incomplete", field="contact_email")
    now = timezone.now()
    if effective_at is None or effective_at <= now:
        effective_at = now
    elif effective_at - now > MAX_NOTICE_LEAD:
        raise DomainError("A version can be scheduled at most a year ahead.", field="effective_at")
    previous = NoticeVersion.objects.latest_for(tenant)
    if previous is not None and previous.configuration == config:
        raise Conflict(
            f"Version {previous.number} already describes the current configuration; "
            "there is nothing new to publish.",
            code="notice_up_to_date",
        )
    number = (NoticeVersion.objects.for_tenant(tenant).aggregate(m=Max("number"))["m"] or 0) + 1
    content = render_content(config, number=number, effective_at=effective_at)
    changes = diff_configurations(previous.configuration if previous else None, config)
    version = NoticeVersion.objects.create(
        tenant=tenant,
        number=number,
        effective_at=effective_at,
        published_at=now,
        published_by=by if by is not None and by.is_authenticated else None,
        published_by_label=by.display_name if by is not None and by.is_authenticated else "",
        languages=list(LANGUAGES),
        configuration=config,
        content=content,
        sha256=content_sha256(content),
        changes=changes,
        change_summary=summarize_in(changes, "en"),
        admin_note=note,
    )
    record_event(
        AuditAction.NOTICE_PUBLISHED,
        actor=by,
        tenant=tenant,
        target=version,
        target_label=f"version {number}",
        ip=ip,
        summary=version.change_summary,
        version=number,
        effective_at=effective_at.isoformat(),
        sha256=version.sha256,
        operators=[op["slug"] for op in config["operators"]],
    )
    transaction.on_commit(lambda: cache.invalidate_tenant(tenant.slug))
    previous_config = previous.configuration if previous else None
    for kind, operator_id in notifications.notice_naming_changes(previous_config, config):
        notifications.notify(kind, version_id=version.pk, operator_id=operator_id)
    return version


@transaction.atomic
def update_notice_settings(
    tenant: Tenant,
    *,
    by: User,
    introduction: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    contact_url: str = "",
    contact_address: str = "",
    legal_basis: str = "",
    numbers_retention_days: int | None = None,
    locations_retention_days: int | None = None,
    dpo_name: str = "",
    dpo_email: str = "",
    authority_name: str = "",
    authority_url: str = "",
    ip: str | None = None,
) -> NoticeSettings:
    """Save what the admin adds to the notice. Takes effect when the next version is published.

    Blank Art. 13/14 inputs take the defaults of the tenant's country (``notices.law``)."""
    values = {
        "introduction": (introduction or "").strip(),
        "contact_name": (contact_name or "").strip(),
        "contact_email": (contact_email or "").strip(),
        "contact_phone": (contact_phone or "").strip(),
        "contact_url": (contact_url or "").strip(),
        "contact_address": (contact_address or "").strip(),
        "legal_basis": (legal_basis or "").strip(),
        "dpo_name": (dpo_name or "").strip(),
        "dpo_email": (dpo_email or "").strip(),
        "authority_name": (authority_name or "").strip(),
        "authority_url": (authority_url or "").strip(),
    }
    days = {
        "numbers_retention_days": numbers_retention_days or None,
        "locations_retention_days": locations_retention_days or None,
    }
    if values["legal_basis"] and values["legal_basis"] not in LegalBasis.values:
        raise DomainError("Choose a legal basis from the list.", field="legal_basis")
    for key, count in days.items():
        if count is not None and not 1 <= count <= 3650:
            raise DomainError("Enter between 1 and 3,650 days.", field=key)
    if values["dpo_email"] and "@" not in values["dpo_email"]:
        raise DomainError("Enter a valid e-mail address.", field="dpo_email")
    if bool(values["authority_name"]) != bool(values["authority_url"]):
        raise DomainError(
            "Enter both the authority's name and its web site, or neither.",
            field="authority_name",
        )
    if values["authority_url"] and not values["authority_url"].startswith("https://"):
        raise DomainError(
            "The authority's web site must be an https:// address.", field="authority_url"
        )
    if len(values["introduction"]) > 2000:
        raise DomainError("Keep the introduction under 2,000 characters.", field="introduction")
    if values["contact_email"] and "@" not in values["contact_email"]:
        raise DomainError("Enter a valid e-mail address.", field="contact_email")
    if values["contact_url"] and not values["contact_url"].startswith("https://"):
        raise DomainError("The contact page must be an https:// address.", field="contact_url")
    obj, _created = NoticeSettings.objects.select_for_update().get_or_create(tenant=tenant)
    for key, value in {**values, **days}.items():
        setattr(obj, key, value)
    obj.updated_at = timezone.now()
    obj.updated_by = by
    obj.save()
    record_event(
        AuditAction.TENANT_UPDATED,
        actor=by,
        tenant=tenant,
        target=tenant,
        ip=ip,
        summary="notice settings (introduction, contact, legal basis, retention, rights)",
    )
    return obj
