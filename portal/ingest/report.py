"""What an ingest returns: counts and the rows it refused (line, field, reason).

Reasons never quote the offending value: it may be a phone number, an IP address or a street.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.errors import DomainError


class IngestInputError(DomainError):
    """The input as a whole is unusable (too large, binary, no header, unknown format)."""

    code = "invalid_input"


@dataclass(frozen=True, order=True)
class Reject:
    """One refused value or row. ``field`` is empty when the whole row is at fault."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}, field {self.field}" if self.field else f"line {self.line}"
        return f"{where}: {self.reason}"


@dataclass
class IngestReport:
    """The outcome of one file. ``ok`` is False when anything was refused: then nothing was written."""

    kind: str
    rows_total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    rejects_total: int = 0
    # Which engine wrote the rows; not part of the outcome, so two engines compare equal.
    engine: str = field(default="", compare=False)
    # Each tenant's share (tenant pk → rows, inserted, updated, unchanged, moved_away): what its
    # own audit event says. Empty when nothing was written.
    tenants: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.rejects_total == 0

    def summary(self) -> str:
        if not self.ok:
            return (
                f"{self.kind}: {self.rows_total} rows, {self.rejects_total} rejected; "
                "nothing was written"
            )
        return (
            f"{self.kind}: {self.rows_total} rows, {self.inserted} inserted, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )

    def counts(self) -> dict[str, int]:
        return {
            "rows_total": self.rows_total,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejects_total,
        }


class RejectCollector:
    """Keeps every reject's count but only the first ``cap`` of them (in line order)."""

    def __init__(self, cap: int):
        self.cap = cap
        self.total = 0
        self._kept: list[tuple[int, int, Reject]] = []

    def add(self, line: int, order: int, field_name: str, reason: str) -> None:
        self.total += 1
        self._kept.append((line, order, Reject(line, field_name, reason)))
        if len(self._kept) > 4 * self.cap:
            self._trim()

    def _trim(self) -> None:
        self._kept.sort(key=lambda t: (t[0], t[1]))
        del self._kept[self.cap :]

    def rejects(self) -> list[Reject]:
        self._trim()
        return [r for _, _, r in self._kept]

    def __bool__(self) -> bool:
        return self.total > 0
