"""Operator link health: are the privacy-policy and terms-of-use links on the notice alive?

A link is broken when it is not https, does not answer within the timeout, or answers with an
error status (after following redirects, which must stay on https). Results are stored on the
operator (``links_broken``: {field: {"url", "reason"}}, ``links_checked_at``) so staff see them in
the admin list and tenants whose notice names the operator see them on their dashboard.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from portal.models import Operator

logger = logging.getLogger(__name__)

LINK_FIELDS = ("privacy_policy_url", "terms_url")
USER_AGENT = "OperatorConnectPortal-LinkCheck/1.0"
MAX_WORKERS = 8


def _timeout() -> float:
    return float(getattr(settings, "NOTICE_LINKCHECK_TIMEOUT", 10))


def _insecure_hosts() -> set[str]:
    """Hosts allowed over plain http — only for tests against a local server."""
    return set(getattr(settings, "NOTICE_LINKCHECK_INSECURE_HOSTS", []))


def _scheme_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and parts.hostname in _insecure_hosts():
        return None
    return "not https"


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow at most 5 redirects, and never from https to anything else."""

    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        problem = _scheme_problem(newurl)
        if problem:
            raise urllib.error.URLError(f"redirects to a {problem} address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_SafeRedirects())


def _request(url: str, method: str, timeout: float) -> int:
    # The scheme was checked by the caller (https, or http to an allowed test host).
    req = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})  # noqa: S310
    with _opener.open(req, timeout=timeout) as response:
        return response.status


def check_url(url: str, *, timeout: float | None = None) -> str | None:
    """None when the link works; otherwise a short, user-safe reason."""
    if not url:
        return "missing"
    problem = _scheme_problem(url)
    if problem:
        return problem
    timeout = _timeout() if timeout is None else timeout
    try:
        try:
            _request(url, "HEAD", timeout)
        except urllib.error.HTTPError as exc:
            if exc.code not in (403, 405, 501):  # some servers refuse HEAD only
                raise
            _request(url, "GET", timeout)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except TimeoutError:
        return "timed out"
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return "timed out"
        return str(exc.reason) if "redirects" in str(exc.reason) else "unreachable"
    except (OSError, ValueError):
        return "unreachable"
    return None


def _problems(operator: Operator, timeout: float | None) -> dict:
    broken = {}
    for field in LINK_FIELDS:
        url = getattr(operator, field)
        reason = check_url(url, timeout=timeout)
        if reason:
            broken[field] = {"url": url, "reason": reason}
    return broken


def _store(operator: Operator, broken: dict) -> None:
    Operator.objects.filter(pk=operator.pk).update(
        links_broken=broken, links_checked_at=timezone.now()
    )


def check_all_operator_links(*, timeout: float | None = None) -> dict[str, int]:
    """Check every operator in the directory. Returns counts for logging.

    The HTTP checks run a few at a time in threads; the database writes stay on this thread
    (threads would each open their own connection).
    """
    operators = list(Operator.objects.all())
    with ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        results = list(pool.map(lambda op: _problems(op, timeout), operators))
    for operator, broken in zip(operators, results, strict=True):
        _store(operator, broken)
    count = sum(1 for r in results if r)
    logger.info("Checked links of %d operators: %d with broken links", len(operators), count)
    return {"checked": len(operators), "broken": count}
