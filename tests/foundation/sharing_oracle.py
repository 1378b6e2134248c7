"""An oracle of the sharing rule, written apart from ``portal.sharing`` (docs/design.md I2, I3).

It keeps a plain list of what happened and when, and answers "may this record reach this
operator?" by replaying that list up to the record's time. It shares no code with the product:
not its windows, not its querysets, not its services' bookkeeping — only the rule's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

CLOSED_RELATIONSHIPS = {"declined", "terminated"}


@dataclass
class Assignment:
    status: str = "none"  # none | active | suspended | removed
    countries: frozenset[str] = frozenset()
    relationship: str = "pending"


@dataclass
class State:
    enabled: bool = False
    assignments: dict[str, Assignment] = field(default_factory=dict)
    # None: nothing published yet; else operator → countries the notice in force names it for.
    notice: dict[str, frozenset[str]] | None = None

    def copy(self) -> State:
        return State(
            self.enabled,
            {
                k: Assignment(v.status, v.countries, v.relationship)
                for k, v in self.assignments.items()
            },
            None if self.notice is None else dict(self.notice),
        )


class Oracle:
    """What happened, in order; each event takes effect at its instant."""

    def __init__(self) -> None:
        self.events: list[tuple[datetime, str, dict]] = []

    def record(self, at: datetime, kind: str, **data) -> None:
        assert not self.events or at >= self.events[-1][0], "events are recorded in time order"
        self.events.append((at, kind, data))

    def state_at(self, t: datetime) -> State:
        state = State()
        for at, kind, data in self.events:
            if at > t:
                break
            apply(state, kind, data)
        return state

    def shared(self, operator: str, t: datetime, country: str) -> bool:
        """May a record of ``operator`` made at ``t`` in ``country`` reach it?"""
        return country in self.countries_open(operator, t)

    def countries_open(self, operator: str, t: datetime) -> frozenset[str]:
        s = self.state_at(t)
        a = s.assignments.get(operator)
        if not s.enabled or a is None or a.status != "active":
            return frozenset()
        if a.relationship in CLOSED_RELATIONSHIPS or s.notice is None:
            return frozenset()
        return a.countries & s.notice.get(operator, frozenset())

    def open_at(self, operator: str, t: datetime) -> bool:
        return bool(self.countries_open(operator, t))

    def open_throughout(self, operator: str, since: datetime, until: datetime) -> bool:
        """Open at ``since`` and after every event up to ``until`` (state is constant between)."""
        instants = [since] + [at for at, _k, _d in self.events if since < at <= until]
        return all(self.open_at(operator, t) for t in instants)


def apply(state: State, kind: str, data: dict) -> None:
    op = data.get("operator")
    a = state.assignments.setdefault(op, Assignment()) if op else None
    if kind == "enable":
        state.enabled = True
    elif kind == "disable":
        state.enabled = False
    elif kind == "assign":
        a.status, a.countries, a.relationship = "active", frozenset(data["countries"]), "pending"
    elif kind == "countries":
        a.countries = frozenset(data["countries"])
    elif kind == "suspend":
        a.status = "suspended"
    elif kind == "resume":
        a.status = "active"
    elif kind == "remove":
        a.status = "removed"
    elif kind == "relationship":
        a.relationship = data["status"]
    elif kind == "publish":
        # The notice names every operator the tenant has (active or suspended) for its
        # countries, and none while Operator Connect is off.
        state.notice = (
            {
                name: x.countries
                for name, x in state.assignments.items()
                if x.status in ("active", "suspended")
            }
            if state.enabled
            else {}
        )
    else:  # pragma: no cover - a typo in the test
        raise ValueError(kind)
