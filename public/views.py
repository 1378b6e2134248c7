"""The public notice pages: no login, rendered once per version and language, served from cache.

What is cached:

* the tenant's *state* (does it exist, Operator Connect on/off, its published versions) under one
  short-lived key that publishing deletes (``notices.cache``);
* each rendered page (tenant, version or "current", language, state) with its ETag.

A request therefore costs no database query, and usually not even a Redis round trip
(see ``notices.cache`` for the in-process layer). Responses carry a public
``Cache-Control``, an ``ETag`` and ``Last-Modified``, and answer revalidation with 304.
``PublicCacheMiddleware`` keeps the session machinery from adding ``Vary: Cookie`` or a cookie.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.http import http_date, parse_http_date_safe, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_safe

from notices import cache as keys
from notices.content import (
    CATEGORIES,
    LANGUAGE_NAMES,
    LANGUAGES,
    MICROSOFT_PRIVACY_URL,
    PURPOSE,
    summarize_in,
)
from notices.diff import diff_versions
from notices.law import privacy_context
from notices.models import NoticeVersion
from notices.querysets import takes_effect
from portal.models import Tenant
from public.feeds import NoticeFeed

MAX_AGE = 300
CACHE_CONTROL = "public, max-age={max_age}, stale-while-revalidate=60"


# --- language -------------------------------------------------------------------------------------


def choose_language(request: HttpRequest) -> str:
    """The reader's language: ``?lang=`` wins, then Accept-Language, then English.

    The language cookie is deliberately ignored: honouring it would make the page vary on
    Cookie and defeat shared caches.
    """
    asked = (request.GET.get("lang") or "").lower()
    if asked in LANGUAGES:
        return asked
    for code, _q in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        base = code.lower().split("-")[0]
        if base in LANGUAGES:
            return base
    return settings.LANGUAGE_CODE


# --- state ------------------------------------------------------------------------------------------


def _load_state(slug: str) -> dict | None:
    tenant = Tenant.objects.filter(slug=slug).only("pk", "name", "slug").first()
    if tenant is None:
        return None
    tenant = Tenant.objects.get(pk=tenant.pk)
    versions = [
        {
            "number": v.number,
            "effective_at": v.effective_at,
            "published_at": v.published_at,
            "sha256": v.sha256,
            "changes": v.changes,
        }
        for v in NoticeVersion.objects.for_tenant(tenant)
        .order_by("-number")
        .only("number", "effective_at", "published_at", "sha256", "changes")
    ]
    stamps = [v["published_at"] for v in versions]
    if tenant.operator_connect_changed_at:
        stamps.append(tenant.operator_connect_changed_at)
    last = max(stamps) if stamps else tenant.created_at
    state = {
        "pk": tenant.pk,
        "slug": tenant.slug,
        "name": tenant.name,
        "enabled": tenant.operator_connect_enabled,
        "versions": versions,
        # Raised at request time by the effective dates already passed (see ``_clock``).
        "last_modified": int(last.timestamp()),
    }
    tag_source = json.dumps(
        [
            tenant.pk,
            state["name"],
            state["enabled"],
            [(v["number"], v["sha256"]) for v in versions],
        ]
    )
    state["tag"] = hashlib.sha256(tag_source.encode()).hexdigest()[:16]
    return state


def tenant_state(slug: str) -> dict | None:
    """The cached public state of a tenant, or None when no tenant has this slug."""
    key = keys.state_key(slug)
    state = keys.get(key, keys.LOCAL_STATE_TTL)
    if state is None:
        state = _load_state(slug) or {"missing": True}
        keys.put(key, state, keys.STATE_TTL, keys.LOCAL_STATE_TTL)
    return None if state.get("missing") else state


# --- the clock: which version is in force now, which are announced -------------------------------


@dataclass(frozen=True)
class Clock:
    """What time changes on a public page: the version in force and the announced ones.

    Computed from the cached state at each request, so a scheduled version takes effect exactly
    at its date without any invalidation: the page variants are keyed by ``tag``.
    """

    current: int | None
    upcoming: tuple[dict, ...]
    last_modified: int
    max_age: int
    at: datetime

    @property
    def tag(self) -> str:
        return f"{self.current or 0}+" + ".".join(str(v["number"]) for v in self.upcoming)


def clock(state: dict, now: datetime | None = None) -> Clock:
    now = now or timezone.now()
    versions = state["versions"]
    effective = [v for v in versions if v["effective_at"] <= now]
    current = max((v["number"] for v in effective), default=None)
    upcoming = tuple(takes_effect([v for v in versions if v["effective_at"] > now], current or 0))
    stamps = [state["last_modified"]] + [int(v["effective_at"].timestamp()) for v in effective]
    max_age = MAX_AGE
    if upcoming:
        # Shared caches must not serve the old version past the moment the next one applies.
        until = math.ceil((upcoming[0]["effective_at"] - now).total_seconds())
        max_age = max(0, min(MAX_AGE, until))
    return Clock(current, upcoming, max(stamps), max_age, now)


# --- rendering ----------------------------------------------------------------------------------------


def _history(state: dict, lang: str, now: datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    return [
        {
            "number": v["number"],
            "effective_at": v["effective_at"],
            "scheduled": v["effective_at"] > now,
            "summary": summarize_in(v["changes"], lang),
            "url": reverse("public:version", args=[state["slug"], v["number"]])
            + "?"
            + urlencode({"lang": lang}),
        }
        for v in state["versions"]
    ]


def _announcements(state: dict, tick: Clock, lang: str) -> list[dict]:
    """The banner of each announced version: its date and a link to what changes."""
    out = []
    for v in tick.upcoming:
        diff = None
        if tick.current is not None:
            diff = (
                reverse("public:diff", args=[state["slug"]])
                + "?"
                + urlencode({"a": tick.current, "b": v["number"], "lang": lang})
            )
        out.append(
            {
                "number": v["number"],
                "effective_at": v["effective_at"],
                "summary": summarize_in(v["changes"], lang),
                "diff_url": diff,
                "url": reverse("public:version", args=[state["slug"], v["number"]])
                + "?"
                + urlencode({"lang": lang}),
            }
        )
    return out


def _switcher(base_url: str, lang: str) -> list[dict]:
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "url": base_url + "?" + urlencode({"lang": code}),
            "current": code == lang,
        }
        for code in LANGUAGES
    ]


def _render_page(state: dict, number: int | None, lang: str, tick: Clock) -> tuple[int, str]:
    """(status, html) of one public page variant."""
    slug = state["slug"]
    latest = tick.current
    base_url = (
        reverse("public:notice", args=[slug])
        if number is None
        else reverse("public:version", args=[slug, number])
    )
    ctx = {
        "organization": state["name"],
        "lang": lang,
        "languages": _switcher(base_url, lang),
        "current_url": reverse("public:notice", args=[slug]) + "?" + urlencode({"lang": lang}),
        "json_url": reverse("public:json", args=[slug]) + "?" + urlencode({"lang": lang}),
        "history": _history(state, lang, tick.at),
        "form_action": reverse("public:notice", args=[slug]),
        "announcements": _announcements(state, tick, lang),
        "feed_url": reverse("public:feed", args=[slug]) + "?" + urlencode({"lang": lang}),
    }
    with translation.override(lang):
        if latest is None and (number is None or not state["versions"]):
            return 404, render_to_string("notices/public_unpublished.html", ctx)
        if number is None and not state["enabled"]:
            return 200, render_to_string("notices/public_disabled.html", ctx)
        wanted = latest if number is None else number
        version = NoticeVersion.objects.for_tenant(state["pk"]).filter(number=wanted).first()
        if version is None:
            ctx["missing_number"] = number
            return 404, render_to_string("notices/public_unpublished.html", ctx)
        body = version.content.get(lang) or version.content.get("en", "")
        ctx.update(
            {
                "version": version,
                "body": mark_safe(body),  # noqa: S308 — our own rendering, inputs escaped
                "is_current": wanted == latest,
                "is_scheduled": version.effective_at > tick.at,
                "latest": latest,
            }
        )
        return 200, render_to_string("notices/public_notice.html", ctx)


def _cached(state: dict, variant: str, build) -> dict:
    key = keys.page_key(state["slug"], variant, state["tag"])
    entry = keys.get(key, keys.LOCAL_PAGE_TTL)
    if entry is None:
        status, body, content_type = build()
        data = body.encode()
        entry = {
            "status": status,
            "body": data,
            "content_type": content_type,
            "etag": '"' + hashlib.sha256(data).hexdigest()[:32] + '"',
        }
        keys.put(key, entry, keys.PAGE_TTL, keys.LOCAL_PAGE_TTL)
    return entry


def _not_modified(request: HttpRequest, etag: str, last_modified: int) -> bool:
    inm = request.META.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return etag in tags or "*" in tags
    ims = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return ims is not None and last_modified <= ims


def _respond(
    request: HttpRequest, entry: dict, state: dict, lang: str, tick: Clock
) -> HttpResponse:
    last_modified = tick.last_modified
    if entry["status"] == 200 and _not_modified(request, entry["etag"], last_modified):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(
            entry["body"], status=entry["status"], content_type=entry["content_type"]
        )
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = CACHE_CONTROL.format(max_age=tick.max_age)
    response["Content-Language"] = lang
    response["Vary"] = "Accept-Language"
    response.public_cacheable = True  # see public.middleware.PublicCacheMiddleware
    return response


def from_cache(request: HttpRequest, slug: str, kind: str, number: int | None):
    """The response for an already rendered page, or None when it must go through the view.

    Used by ``PublicCacheMiddleware`` to answer repeat requests without the rest of the
    middleware stack; the view does the same work (and the rendering) on a miss.
    """
    if request.GET.get("on"):
        return None
    state = tenant_state(slug)
    if state is None:
        return None
    lang = choose_language(request)
    tick = clock(state)
    variant = _variant(kind, number, lang, tick)
    entry = keys.get(keys.page_key(state["slug"], variant, state["tag"]), keys.LOCAL_PAGE_TTL)
    if entry is None:
        return None
    return _respond(request, entry, state, lang, tick)


def _variant(kind: str, number: int | None, lang: str, tick: Clock) -> str:
    if kind == "json":
        return f"json:{lang}:{tick.tag}"
    return f"html:{number or 'current'}:{lang}:{tick.tag}"


# --- views --------------------------------------------------------------------------------------------


def _state_or_404(slug: str) -> dict:
    state = tenant_state(slug)
    if state is None:
        raise Http404("No such organization.")
    return state


@login_not_required
@require_safe
def notice_page(request: HttpRequest, tenant_slug: str, number: int | None = None):
    state = _state_or_404(tenant_slug)
    lang = choose_language(request)
    on = request.GET.get("on")
    if on and number is None:
        return _in_force_redirect(state, on, lang)
    tick = clock(state)
    entry = _cached(
        state,
        _variant("html", number, lang, tick),
        lambda: (*_render_page(state, number, lang, tick), "text/html; charset=utf-8"),
    )
    return _respond(request, entry, state, lang, tick)


def _in_force_redirect(state: dict, on: str, lang: str) -> HttpResponse:
    day = parse_date(on) if len(on) == 10 else None
    if day is None:
        raise Http404("Not a date.")
    end_of_day = datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=UTC)
    version = NoticeVersion.objects.in_force_on(state["pk"], end_of_day)
    if version is None:
        with translation.override(lang):
            ctx = {
                "organization": state["name"],
                "lang": lang,
                "languages": _switcher(reverse("public:notice", args=[state["slug"]]), lang),
                "history": _history(state, lang),
                "form_action": reverse("public:notice", args=[state["slug"]]),
                "current_url": reverse("public:notice", args=[state["slug"]]),
                "json_url": reverse("public:json", args=[state["slug"]]),
                "no_version_on": day,
            }
            return HttpResponse(
                render_to_string("notices/public_unpublished.html", ctx), status=404
            )
    url = reverse("public:version", args=[state["slug"], version.number])
    return HttpResponseRedirect(url + "?" + urlencode({"lang": lang}))


def _upcoming_json(state: dict, tick: Clock, lang: str) -> list[dict]:
    return [
        {
            "version": a["number"],
            "effective_at": a["effective_at"].isoformat(),
            "change_summary": a["summary"],
            "html_url": reverse("public:version", args=[state["slug"], a["number"]]),
            "diff_url": a["diff_url"],
        }
        for a in _announcements(state, tick, lang)
    ]


def _privacy_json(config: dict) -> dict:
    """The Art. 13/14 elements of a version (schema 2 on), in the active language."""
    if not config.get("privacy"):
        return {}
    p = privacy_context(config)
    privacy = config["privacy"]
    return {
        "legal_basis": p["legal_basis"],
        "retention": [
            {"category": r["key"], "days": r["days"], "text": r["text"]} for r in p["retention"]
        ]
        + [{"category": "operators", "days": None, "text": p["retention_operators"]}],
        "rights": p["rights"],
        "how_to_exercise_rights": {
            "text": p["rights_how"],
            "contact": {k: v for k, v in config.get("contact", {}).items() if v},
            "data_protection_officer": {k: v for k, v in p["dpo"].items() if v},
        },
        "complaint": {
            "text": p["complaint"]["text"],
            "authority": p["complaint"]["authority"],
            "country": privacy.get("country"),
        },
        "transfers": p["transfers"],
        "transfers_microsoft": p["transfers_microsoft"],
        "source": {"key": privacy.get("source", "microsoft"), "text": p["source"]},
    }


def _json_document(state: dict, lang: str, tick: Clock) -> tuple[int, str, str]:
    versions = state["versions"]
    if tick.current is None:
        with translation.override(lang):
            body = {
                "error": "not_published",
                "message": "This organization has not published a notice.",
                "upcoming": _upcoming_json(state, tick, lang),
            }
        return 404, json.dumps(body), "application/json"
    version = NoticeVersion.objects.for_tenant(state["pk"]).get(number=tick.current)
    config = version.configuration
    with translation.override(lang):
        doc = {
            "organization": state["name"],
            "version": version.number,
            "effective_at": version.effective_at.isoformat(),
            "published_at": version.published_at.isoformat(),
            "sha256": version.sha256,
            "sha256_of": "canonical JSON of the per-language HTML content (sorted keys, UTF-8)",
            "language": lang,
            "languages": version.languages,
            "html_url": reverse("public:version", args=[state["slug"], version.number]),
            "operator_connect_enabled": config.get("enabled", False),
            "currently_uses_operator_connect": state["enabled"],
            "categories": [
                {"key": c["key"], "title": str(c["title"]), "description": str(c["text"])}
                for c in CATEGORIES
            ],
            "purpose": str(PURPOSE),
            "operators_can_export_and_download": True,
            "operators": [
                {
                    "name": op["name"],
                    "countries": op["countries"],
                    "privacy_policy_url": op["privacy_policy_url"],
                    "terms_of_use_url": op["terms_url"],
                    "processing_countries": op.get("processing_countries", []),
                    "transfer_mechanism": op.get("transfer_mechanism", ""),
                }
                for op in config.get("operators", [])
            ]
            if config.get("enabled")
            else [],
            "controller": {"name": "Microsoft", "privacy_url": MICROSOFT_PRIVACY_URL},
            "contact": {k: v for k, v in config.get("contact", {}).items() if v},
            **_privacy_json(config),
            "change_summary": summarize_in(version.changes, lang),
            "upcoming": _upcoming_json(state, tick, lang),
            "feed_url": reverse("public:feed", args=[state["slug"]]),
            "versions": [
                {
                    "version": v["number"],
                    "effective_at": v["effective_at"].isoformat(),
                    "published_at": v["published_at"].isoformat(),
                    "in_force": v["number"] == tick.current,
                    "scheduled": any(u["number"] == v["number"] for u in tick.upcoming),
                    "sha256": v["sha256"],
                    "url": reverse("public:version", args=[state["slug"], v["number"]]),
                }
                for v in versions
            ],
        }
    return 200, json.dumps(doc, ensure_ascii=False, indent=2), "application/json"


@login_not_required
@require_safe
def notice_json(request: HttpRequest, tenant_slug: str):
    state = _state_or_404(tenant_slug)
    lang = choose_language(request)
    tick = clock(state)
    entry = _cached(
        state, _variant("json", None, lang, tick), lambda: _json_document(state, lang, tick)
    )
    return _respond(request, entry, state, lang, tick)


# --- what changes between two versions, and a feed of versions ----------------------------------


def _diff_numbers(request: HttpRequest) -> tuple[int, int]:
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        raise Http404("Choose two versions: ?a=1&b=2.") from None
    if a < 1 or b < 1:
        raise Http404("Choose two versions: ?a=1&b=2.")
    return a, b


def _render_diff(state: dict, a: int, b: int, lang: str, tick: Clock) -> tuple[int, str]:
    slug = state["slug"]
    base_url = reverse("public:diff", args=[slug])
    ctx = {
        "organization": state["name"],
        "lang": lang,
        "languages": [
            {**entry, "url": base_url + "?" + urlencode({"a": a, "b": b, "lang": entry["code"]})}
            for entry in _switcher(base_url, lang)
        ],
        "current_url": reverse("public:notice", args=[slug]) + "?" + urlencode({"lang": lang}),
        "json_url": reverse("public:json", args=[slug]) + "?" + urlencode({"lang": lang}),
        "history": _history(state, lang, tick.at),
        "form_action": reverse("public:notice", args=[slug]),
        "feed_url": reverse("public:feed", args=[slug]) + "?" + urlencode({"lang": lang}),
    }
    versions = {
        v.number: v for v in NoticeVersion.objects.for_tenant(state["pk"]).filter(number__in=[a, b])
    }
    with translation.override(lang):
        if a not in versions or b not in versions:
            ctx["missing_number"] = a if a not in versions else b
            return 404, render_to_string("notices/public_unpublished.html", ctx)
        old, new = versions[a], versions[b]
        ctx.update(
            {
                "old": old,
                "new": new,
                "diff": diff_versions(old, new, lang),
                "old_url": reverse("public:version", args=[slug, a])
                + "?"
                + urlencode({"lang": lang}),
                "new_url": reverse("public:version", args=[slug, b])
                + "?"
                + urlencode({"lang": lang}),
                "new_scheduled": new.effective_at > tick.at,
            }
        )
        return 200, render_to_string("notices/public_diff.html", ctx)


@login_not_required
@require_safe
def notice_diff(request: HttpRequest, tenant_slug: str):
    """What changes between versions ``a`` and ``b`` (scheduled ones included), in words."""
    state = _state_or_404(tenant_slug)
    a, b = _diff_numbers(request)
    lang = choose_language(request)
    tick = clock(state)
    entry = _cached(
        state,
        f"diff:{a}:{b}:{lang}:{tick.tag}",
        lambda: (*_render_diff(state, a, b, lang, tick), "text/html; charset=utf-8"),
    )
    return _respond(request, entry, state, lang, tick)


@login_not_required
@require_safe
def notice_feed(request: HttpRequest, tenant_slug: str):
    """An Atom feed of the tenant's versions, announced ones first (``public.feeds``)."""
    state = _state_or_404(tenant_slug)
    lang = choose_language(request)
    tick = clock(state)

    def build():
        with translation.override(lang):
            response = NoticeFeed(state, lang, tick)(request)
        return 200, response.content.decode(), response["Content-Type"]

    # Links in the feed are absolute: one cached copy per host the site answers to.
    entry = _cached(state, f"feed:{request.get_host()}:{lang}:{tick.tag}", build)
    return _respond(request, entry, state, lang, tick)
