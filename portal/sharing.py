"""The sharing gate (invariants I2 and I3, docs/design.md "The sharing rule").

A record of tenant T, carried by operator O at time t, with tenant-side country c, may reach O
only if at t all of these held:

1. T had Operator Connect on (an ``EnablementPeriod``);
2. O's assignment at T was active, covered c, and its relationship was neither declined nor
   terminated (an ``AssignmentPeriod``: the services open and close these periods on every
   such change, so a period *is* "active, with these countries, relationship open");
3. the published notice of T in force at t — the latest version by number among those already
   effective at t — named O for c.

``share_windows`` turns that history into a list of ``ShareWindow`` — spans of time with the
countries shared in each. It is the one scoping function: the export engines, the dashboard,
the ledger, the API and the download check all read it. ``gate`` says whether the gate is open
*now* and, if not, why, in words a tenant admin or an operator can act on; every hand-over of an
export (request, worker start, worker finish, each download) calls it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import apps
from django.utils import timezone

from portal.choices import AssignmentStatus, PeriodEndReason, RelationshipStatus
from portal.errors import Conflict
from portal.validation import country_list

if TYPE_CHECKING:
    from portal.models import Operator, Tenant

# Why a window ended. Assignment periods carry their own PeriodEndReason values; these add the
# two ends that come from elsewhere.
ENDED_DISABLED = "disabled"  # Operator Connect was turned off
ENDED_NOTICE = "notice"  # a newer notice version took effect

BLOCKING_RELATIONSHIPS = frozenset({RelationshipStatus.DECLINED, RelationshipStatus.TERMINATED})


def _model(app: str, name: str):
    # Looked up by name: the notices app builds on portal's models, so portal may not import it.
    return apps.get_model(app, name)


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


@dataclass(frozen=True)
class ShareWindow:
    """A span [start, end) in which an operator receives a tenant's data for ``countries``.

    ``end`` None: still open. ``ended_because``: why it ended (a PeriodEndReason value,
    ``disabled`` or ``notice``), empty while open.
    """

    start: datetime
    end: datetime | None
    countries: frozenset[str]
    ended_because: str = ""

    def clip(self, start: datetime | None, end: datetime | None) -> ShareWindow | None:
        lo = max(self.start, start) if start else self.start
        ends = [t for t in (self.end, end) if t is not None]
        hi = min(ends) if ends else None
        if hi is not None and hi <= lo:
            return None
        return ShareWindow(lo, hi, self.countries, self.ended_because if hi == self.end else "")

    def is_open(self) -> bool:
        return self.end is None

    def contains(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


@dataclass(frozen=True)
class _Span:
    """One ingredient of the windows: a span, its countries (None: any), why it ended."""

    start: datetime
    end: datetime | None
    countries: frozenset[str] | None
    ended_because: str = ""


def _intersect(left: Iterable[_Span], right: Iterable[_Span]) -> list[_Span]:
    right = list(right)
    out = []
    for a in left:
        for b in right:
            lo = max(a.start, b.start)
            ends = [(s.end, s.ended_because) for s in (a, b) if s.end is not None]
            hi, because = min(ends, key=lambda e: e[0]) if ends else (None, "")
            if hi is not None and hi <= lo:
                continue
            if a.countries is None or b.countries is None:
                countries = a.countries if b.countries is None else b.countries
            else:
                countries = a.countries & b.countries
            if countries is not None and not countries:
                continue
            out.append(_Span(lo, hi, countries, because))
    return out


def named_countries(configuration: dict, operator_id: int) -> frozenset[str]:
    """The countries for which a notice configuration names the operator (empty: not named)."""
    if not configuration.get("enabled"):
        return frozenset()
    for entry in configuration.get("operators", []):
        if entry.get("id") == operator_id:
            return frozenset(entry.get("countries") or [])
    return frozenset()


class History:
    """Everything the rule reads about one tenant, loaded at once (a fixed number of queries,
    however many operators are asked about): enablement periods, assignments with their
    countries and periods, and the published notice versions."""

    def __init__(self, tenant: Tenant | int):
        tenant_id = _pk(tenant)
        self.tenant = _model("portal", "Tenant").objects.get(pk=tenant_id)
        self.enablement = [
            _Span(p.started_at, p.ended_at, None, ENDED_DISABLED)
            for p in _model("portal", "EnablementPeriod").objects.filter(tenant_id=tenant_id)
        ]
        self.assignments = {
            a.operator_id: a
            for a in _model("portal", "OperatorAssignment")
            .objects.filter(tenant_id=tenant_id)
            .select_related("operator")
            .prefetch_related("countries")
        }
        self.periods: dict[int, list[_Span]] = {}
        for p in (
            _model("portal", "AssignmentPeriod")
            .objects.filter(assignment__tenant_id=tenant_id)
            .select_related("assignment")
        ):
            if p.countries:
                self.periods.setdefault(p.assignment.operator_id, []).append(
                    _Span(p.started_at, p.ended_at, frozenset(p.countries), p.end_reason or "")
                )
        self.versions = list(
            _model("notices", "NoticeVersion")
            .objects.filter(tenant_id=tenant_id)
            .order_by("number")
        )

    def notice_spans(self, operator_id: int) -> list[_Span]:
        """When each published version was the one in force, and the countries it named O for.

        In force at t: the highest-numbered version already effective at t. So version v rules
        from its effective time until the earliest effective time of any later-numbered version.
        """
        spans = []
        superseded_at: datetime | None = None
        for version in reversed(self.versions):
            end = superseded_at
            if end is None or end > version.effective_at:
                countries = named_countries(version.configuration, operator_id)
                if countries:
                    spans.append(_Span(version.effective_at, end, countries, ENDED_NOTICE))
            superseded_at = version.effective_at if end is None else min(end, version.effective_at)
        return spans

    def announced_naming(self, operator_id: int, at: datetime):
        """The first version published but not yet effective at ``at`` that names the operator."""
        later = [
            v
            for v in self.versions
            if v.effective_at > at and named_countries(v.configuration, operator_id)
        ]
        return min(later, key=lambda v: v.effective_at) if later else None

    def notice_in_force(self, at: datetime):
        effective = [v for v in self.versions if v.effective_at <= at]
        return max(effective, key=lambda v: v.number) if effective else None

    def windows(self, operator: Operator | int) -> list[ShareWindow]:
        operator_id = _pk(operator)
        spans = _intersect(
            _intersect(self.enablement, self.periods.get(operator_id, [])),
            self.notice_spans(operator_id),
        )
        windows = [
            ShareWindow(s.start, s.end, s.countries or frozenset(), s.ended_because) for s in spans
        ]
        return sorted(windows, key=lambda w: w.start)


def share_windows(tenant: Tenant | int, operator: Operator | int) -> list[ShareWindow]:
    """Every window in which ``operator`` received ``tenant``'s data, oldest first (I2)."""
    return History(tenant).windows(operator)


def current_share_window(
    tenant: Tenant | int,
    operator: Operator | int,
    windows: list[ShareWindow] | None = None,
    *,
    at: datetime | None = None,
) -> ShareWindow | None:
    """The window containing ``at`` (default now), or None when nothing is shared then.

    ``windows``: ``share_windows(tenant, operator)`` if the caller has them already."""
    if windows is None:
        windows = share_windows(tenant, operator)
    at = at or timezone.now()
    return next((w for w in windows if w.contains(at)), None)


@dataclass(frozen=True)
class _Run:
    """Windows that touch or overlap, merged: sharing held without a break from start to end."""

    start: datetime
    end: datetime | None
    ended_because: str


def _runs(windows: list[ShareWindow]) -> list[_Run]:
    runs: list[_Run] = []
    for w in sorted(windows, key=lambda w: w.start):
        last = runs[-1] if runs else None
        if last is not None and (last.end is None or w.start <= last.end):
            if last.end is not None and (w.end is None or w.end > last.end):
                runs[-1] = _Run(last.start, w.end, w.ended_because)
            continue
        runs.append(_Run(w.start, w.end, w.ended_because))
    return runs


def _run_covering(windows: list[ShareWindow], at: datetime) -> _Run | None:
    return next(
        (r for r in _runs(windows) if r.start <= at and (r.end is None or at < r.end)), None
    )


def open_without_break(windows: list[ShareWindow], since: datetime, at: datetime) -> bool:
    """True when sharing held at every moment of [since, at].

    Touching windows count as one: a country change, or a newer notice that still names the
    operator, ends one window where the next begins. A suspension, a removal, Operator Connect
    turned off, a declined or terminated relationship, or a notice that stopped naming the
    operator leaves a gap.
    """
    run = _run_covering(windows, since)
    return run is not None and (run.end is None or at < run.end)


# --- the gate as of now -------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One reason the gate is closed: a stable ``code`` for the API and a sentence to show."""

    code: str
    message: str


@dataclass
class Gate:
    """Whether ``operator`` may receive ``tenant``'s data right now, and for which countries.

    ``held_back``: countries the assignment covers but the notice in force does not name the
    operator for — their records wait until a notice naming them is published.
    """

    tenant: Tenant
    operator: Operator
    window: ShareWindow | None
    blocks: list[Block] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)
    notice: object | None = None

    @property
    def is_open(self) -> bool:
        return self.window is not None and not self.blocks

    @property
    def countries(self) -> list[str]:
        return sorted(self.window.countries) if self.window else []

    def refusal(self) -> Conflict:
        block = self.blocks[0] if self.blocks else Block("not_sharing", "Nothing is shared now.")
        return Conflict(block.message, code=block.code)

    def held_back_message(self) -> str:
        if not self.held_back:
            return ""
        return (
            f"{country_list(self.held_back)} calls are not shared with {self.operator.name} "
            f"until a notice naming it for {country_list(self.held_back)} is published."
        )


def gate(
    tenant: Tenant,
    operator: Operator,
    *,
    windows: list[ShareWindow] | None = None,
    history: History | None = None,
) -> Gate:
    """The gate between ``tenant`` and ``operator`` as of now (I3), with every reason it is shut.

    The reasons are read from the current state; the window from the history. Both describe
    the same facts — the services keep periods and state in step — and the property tests hold
    them to it. ``history``: the tenant's ``History`` if the caller has it (for many operators).
    """
    history = history or History(tenant)
    if windows is None:
        windows = history.windows(operator)
    now = timezone.now()
    window = current_share_window(tenant, operator, windows, at=now)
    tenant_name, op_name = history.tenant.name, operator.name
    blocks: list[Block] = []
    assignment = history.assignments.get(operator.pk)
    if not history.tenant.operator_connect_enabled:
        blocks.append(
            Block(
                "not_sharing",
                f"{tenant_name} has turned Operator Connect off, so it shares "
                f"no data with {op_name}.",
            )  # fmt: skip
        )
    if assignment is None or assignment.status == AssignmentStatus.REMOVED:
        blocks.append(Block("not_sharing", f"{op_name} is not one of {tenant_name}'s operators."))
    elif assignment.status == AssignmentStatus.SUSPENDED:
        blocks.append(Block("not_sharing", f"{tenant_name} has suspended sharing with {op_name}."))
    if assignment is not None and assignment.relationship_status in BLOCKING_RELATIONSHIPS:
        label = RelationshipStatus(assignment.relationship_status).label.lower()
        blocks.append(
            Block(
                "relationship_closed",
                f"The relationship between {tenant_name} and "
                f"{op_name} is closed ({label}), so no data is shared.",
            )  # fmt: skip
        )
    notice = history.notice_in_force(now)
    named = named_countries(notice.configuration, operator.pk) if notice else frozenset()
    assigned = {c.country for c in assignment.countries.all()} if assignment is not None else set()
    if notice is None:
        blocks.append(
            Block(
                "notice_missing_operator",
                f"{tenant_name} has not published a privacy "
                f"notice for its users yet, so no data can be shared with {op_name}. A tenant "
                "admin must publish the notice first.",
            )  # fmt: skip
        )
    elif not named:
        blocks.append(
            Block(
                "notice_missing_operator",
                f"The privacy notice of {tenant_name} in force "
                f"(version {notice.number}) does not name {op_name}, so no data can be shared "
                "with it. A tenant admin must publish an updated notice first.",
            )  # fmt: skip
        )
    elif assigned and not (assigned & named):
        blocks.append(
            Block(
                "notice_missing_operator",
                f"The privacy notice of {tenant_name} in force "
                f"(version {notice.number}) names {op_name} for {country_list(sorted(named))} "
                f"only, not for {country_list(sorted(assigned))}. A tenant admin must publish "
                "an updated notice first.",
            )  # fmt: skip
        )
    held_back = sorted(assigned - named) if notice is not None and assigned else []
    announced = history.announced_naming(operator.pk, now)
    if announced is not None and any(b.code == "notice_missing_operator" for b in blocks):
        # An announced version will name it: say when, so nobody publishes again in a hurry.
        blocks = [
            Block(
                b.code,
                f"{b.message} Version {announced.number}, already published, names "
                f"{op_name} and takes effect on {announced.effective_at:%d %b %Y, %H:%M} UTC.",
            )
            if b.code == "notice_missing_operator"
            else b
            for b in blocks
        ]
    return Gate(tenant, operator, window, blocks, held_back, notice)


def gates(tenant: Tenant) -> dict[int, Gate]:
    """The gate to each operator the tenant has or had, keyed by operator id (one history)."""
    history = History(tenant)
    return {
        op_id: gate(tenant, a.operator, history=history) for op_id, a in history.assignments.items()
    }


def require_open(tenant: Tenant, operator: Operator):
    """The notice version in force if the gate is open now; else a Conflict saying why (409)."""
    state = gate(tenant, operator)
    if not state.is_open:
        raise state.refusal()
    return state.notice


# --- files made before a revocation --------------------------------------------------------------

ENDED_PHRASES = {
    PeriodEndReason.SUSPENDED: "sharing was suspended",
    PeriodEndReason.REMOVED: "the operator was removed",
    PeriodEndReason.DECLINED: "the relationship was declined",
    PeriodEndReason.TERMINATED: "the contract was terminated",
    ENDED_DISABLED: "Operator Connect was turned off",
    ENDED_NOTICE: "the privacy notice stopped naming the operator",
}


def file_closed_reason(
    tenant: Tenant,
    operator: Operator,
    made_at: datetime,
    *,
    windows: list[ShareWindow] | None = None,
    state: Gate | None = None,
    now: datetime | None = None,
) -> str:
    """Why a file made at ``made_at`` may no longer reach the operator ("" if it still may).

    A file stays downloadable only while the gate has stayed open without a break since it was
    made: after a revocation it never reopens, even if sharing resumes (a new export is needed).
    ``windows`` and ``state``: the pair's windows and gate, if the caller has them already.
    """
    now = now or timezone.now()
    if windows is None or state is None:
        history = History(tenant)
        windows = windows if windows is not None else history.windows(operator)
        state = state or gate(tenant, operator, windows=windows, history=history)
    if not state.is_open:
        return state.blocks[0].message if state.blocks else "Nothing is shared now."
    if open_without_break(windows, made_at, now):
        return ""
    run = _run_covering(windows, made_at)
    when = f" on {run.end.day} {run.end:%b %Y} (UTC)" if run and run.end else ""
    why = ENDED_PHRASES.get(run.ended_because, "sharing stopped") if run else "sharing stopped"
    return (
        f"This file was made before {why}{when}. A file made before sharing stopped never "
        "becomes downloadable again; request a new export."
    )
