"""Generating the notice from the tenant's configuration — never hand-assembled (invariant I3).

``build_configuration`` snapshots exactly what the notice must describe (who receives data, where,
their links, the contact). ``render_content`` turns a snapshot into the notice body in every
supported language. ``diff_configurations`` explains, in words, what changed between two
snapshots. Comparing snapshots is also how "out of date" is detected, so every kind of change
(enable/disable, assign, suspend, resume, remove, countries, an operator's links) is covered by
construction rather than by signals.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notices.law import operator_transfer, privacy_configuration, privacy_context, privacy_problems
from notices.models import NoticeSettings
from notices.wording import CATEGORIES, country_names, join_words
from portal.models import OperatorAssignment, Tenant

SCHEMA = 2  # 2: the GDPR Art. 13/14 part (notices.law)
MICROSOFT_PRIVACY_URL = "https://go.microsoft.com/fwlink/?LinkId=521839"
LANGUAGES: list[str] = [code for code, _name in settings.LANGUAGES]
# Each language by its own name ("Deutsch"), for the language switchers of the notice pages.
LANGUAGE_NAMES: dict[str, str] = dict(settings.LANGUAGES)


PURPOSE = gettext_lazy(
    "Microsoft shares this information with the operator to make the service work properly and "
    "for troubleshooting."
)


def _contact(tenant: Tenant, notice_settings) -> dict:
    """The organization's privacy contact: notice settings first, the tenant's record as fallback."""
    s = notice_settings

    def pick(own: str, fallback: str) -> str:
        return (own or fallback or "").strip()

    return {
        "name": pick(s.contact_name if s else "", tenant.privacy_contact_name),
        "email": pick(s.contact_email if s else "", tenant.privacy_contact_email),
        "phone": (s.contact_phone if s else "").strip(),
        "url": (s.contact_url if s else "").strip(),
        "address": pick(s.contact_address if s else "", tenant.privacy_contact_address),
    }


def receiving_assignments(tenant: Tenant):
    """Assignments the notice names: active or suspended, while Operator Connect is enabled.

    A suspended operator stays named: a notice that names it over-discloses, never
    under-discloses, and resuming then needs no new version. Removal and country changes do
    change the notice.
    """
    return (
        OperatorAssignment.objects.for_tenant(tenant)
        .current()
        .filter(tenant__operator_connect_enabled=True)
        .select_related("operator")
        .prefetch_related("countries")
    )


def build_configuration(tenant: Tenant) -> dict:
    """A JSON-ready snapshot of everything the notice describes, in a canonical order."""
    # Re-read: callers often hold a Tenant loaded before a service changed it.
    tenant = Tenant.objects.get(pk=tenant.pk)
    notice_settings = NoticeSettings.objects.filter(tenant=tenant).first()
    operators = []
    if tenant.operator_connect_enabled:
        for assignment in receiving_assignments(tenant):
            op = assignment.operator
            operators.append(
                {
                    "id": op.pk,
                    "slug": op.slug,
                    "name": op.name,
                    "countries": assignment.country_codes,
                    "privacy_policy_url": op.privacy_policy_url,
                    "terms_url": op.terms_url,
                    **operator_transfer(op),
                }
            )
    operators.sort(key=lambda o: (o["name"].lower(), o["slug"]))
    return {
        "schema": SCHEMA,
        "organization": tenant.name,
        "enabled": bool(tenant.operator_connect_enabled),
        "operators": operators,
        "contact": _contact(tenant, notice_settings),
        "introduction": (notice_settings.introduction if notice_settings else "").strip(),
        "privacy": privacy_configuration(tenant, notice_settings),
    }


def missing_requirements(config: dict) -> list[str]:
    """Why this configuration cannot be published yet (empty when it can)."""
    contact = config.get("contact", {})
    problems = []
    if not (contact.get("email") or contact.get("url") or contact.get("phone")):
        problems.append(
            "Add a privacy contact (an e-mail address, a phone number or a web page) in the "
            "notice settings: end users must know whom to ask."
        )
    return problems + privacy_problems(config)


def _operators_for_display(config: dict) -> list[dict]:
    return [
        {**op, "country_names": country_names(op["countries"])}
        for op in config.get("operators", [])
    ]


def notice_context(config: dict, *, number: int | None, effective_at: datetime | None) -> dict:
    """Template context of the notice body; evaluate under the target language."""
    return {
        "config": config,
        "organization": config.get("organization", ""),
        "enabled": config.get("enabled", False),
        "operators": _operators_for_display(config),
        "categories": CATEGORIES,
        "purpose": PURPOSE,
        "contact": config.get("contact", {}),
        "introduction": config.get("introduction", ""),
        "microsoft_privacy_url": MICROSOFT_PRIVACY_URL,
        "number": number,
        "effective_at": effective_at,
        "privacy": privacy_context(config) if config.get("privacy") else None,
    }


def render_body(config: dict, lang: str, *, number: int | None, effective_at) -> str:
    """The notice body (summary + full text) in ``lang``. Deterministic for the same input."""
    with translation.override(lang):
        ctx = notice_context(config, number=number, effective_at=effective_at)
        ctx["LANGUAGE_CODE"] = lang
        return render_to_string("notices/notice_body.html", ctx).strip() + "\n"


def render_content(config: dict, *, number: int | None, effective_at) -> dict[str, str]:
    """The body in every supported language, keyed by language code."""
    return {
        lang: render_body(config, lang, number=number, effective_at=effective_at)
        for lang in LANGUAGES
    }


def content_sha256(content: dict[str, str]) -> str:
    """SHA-256 of the canonical JSON of the per-language content (sorted keys, UTF-8)."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- what changed -------------------------------------------------------------------------------


def _by_key(config: dict | None) -> dict[str, dict]:
    return {op["slug"]: op for op in (config or {}).get("operators", [])}


def diff_configurations(old: dict | None, new: dict) -> list[dict]:
    """Structured changes from ``old`` to ``new``; rendered to words by ``describe_change``."""
    if old is None:
        return [{"kind": "first"}]
    changes: list[dict] = []
    if old.get("enabled") != new.get("enabled"):
        changes.append({"kind": "enabled" if new.get("enabled") else "disabled"})
    before, after = _by_key(old), _by_key(new)
    for slug, op in after.items():
        if slug not in before:
            changes.append({"kind": "added", "operator": op["name"], "countries": op["countries"]})
    for slug, op in before.items():
        if slug not in after:
            changes.append({"kind": "removed", "operator": op["name"]})
    for slug, op in after.items():
        prev = before.get(slug)
        if prev is None:
            continue
        if prev["name"] != op["name"]:
            changes.append({"kind": "renamed", "operator": op["name"], "previous": prev["name"]})
        if prev["countries"] != op["countries"]:
            changes.append(
                {
                    "kind": "countries",
                    "operator": op["name"],
                    "added": [c for c in op["countries"] if c not in prev["countries"]],
                    "removed": [c for c in prev["countries"] if c not in op["countries"]],
                }
            )
        if prev["privacy_policy_url"] != op["privacy_policy_url"]:
            changes.append({"kind": "privacy_link", "operator": op["name"]})
        if prev["terms_url"] != op["terms_url"]:
            changes.append({"kind": "terms_link", "operator": op["name"]})
        transfer = ("processing_countries", "transfer_mechanism")
        if any(prev.get(k) != op.get(k) for k in transfer):
            changes.append({"kind": "transfers", "operator": op["name"]})
    if old.get("organization") != new.get("organization"):
        changes.append({"kind": "organization", "name": new.get("organization", "")})
    if old.get("contact") != new.get("contact"):
        changes.append({"kind": "contact"})
    if old.get("introduction") != new.get("introduction"):
        changes.append({"kind": "introduction"})
    before, after = old.get("privacy") or {}, new.get("privacy") or {}
    if before.get("legal_basis") != after.get("legal_basis"):
        changes.append({"kind": "legal_basis"})
    if before.get("retention_days") != after.get("retention_days"):
        changes.append({"kind": "retention"})
    if before.get("authority") != after.get("authority"):
        changes.append({"kind": "authority"})
    if before.get("dpo") != after.get("dpo"):
        changes.append({"kind": "dpo"})
    return changes


def describe_change(change: dict) -> str:
    """One change in words, in the active language (lower-case start; joined by summaries)."""
    kind = change["kind"]
    op = change.get("operator", "")
    if kind == "first":
        return _("first published version")
    if kind == "enabled":
        return _("Operator Connect turned on")
    if kind == "disabled":
        return _("Operator Connect turned off")
    if kind == "added":
        return _("added %(operator)s for %(countries)s") % {
            "operator": op,
            "countries": join_words(change.get("countries", [])),
        }
    if kind == "removed":
        return _("removed %(operator)s") % {"operator": op}
    if kind == "renamed":
        return _("%(previous)s is now called %(operator)s") % {
            "previous": change.get("previous", ""),
            "operator": op,
        }
    if kind == "countries":
        parts = []
        if change.get("added"):
            parts.append(
                _("added %(countries)s for %(operator)s")
                % {"countries": join_words(change["added"]), "operator": op}
            )
        if change.get("removed"):
            parts.append(
                _("removed %(countries)s for %(operator)s")
                % {"countries": join_words(change["removed"]), "operator": op}
            )
        return "; ".join(parts)
    if kind == "privacy_link":
        return _("new privacy policy link for %(operator)s") % {"operator": op}
    if kind == "terms_link":
        return _("new terms of use link for %(operator)s") % {"operator": op}
    if kind == "organization":
        return _("organization name changed to %(name)s") % {"name": change.get("name", "")}
    if kind == "contact":
        return _("privacy contact changed")
    if kind == "introduction":
        return _("introduction changed")
    if kind == "transfers":
        return _("where %(operator)s processes your information changed") % {"operator": op}
    if kind == "legal_basis":
        return _("legal basis changed")
    if kind == "retention":
        return _("retention periods changed")
    if kind == "authority":
        return _("data protection authority changed")
    if kind == "dpo":
        return _("data protection officer changed")
    return kind


def summarize(changes: list[dict]) -> str:
    """E.g. "Added Contoso Telecom for DE and FR; removed Fabrikam Voice" (active language)."""
    text = "; ".join(part for part in (describe_change(c) for c in changes) if part)
    return text[:1].upper() + text[1:] if text else _("No changes")


def version_summary(version) -> str:
    """A published version's changes in words in the active language (its ``change_summary``
    is the English one, recorded at publication)."""
    return summarize(version.changes) if version.changes else version.change_summary


def summarize_in(changes: list[dict], lang: str) -> str:
    with translation.override(lang):
        return summarize(changes)
