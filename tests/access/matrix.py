"""The access matrix as data (STYLE §15).

Each feature's rows live in ``tests/access/rows_<feature>.py`` as ``ROWS: list[Row]``. A row names
a URL (by its URL name), how to build its kwargs from the ``world`` personas, a method, and the
status each persona must get. ``test_matrix.py`` runs every cell, and fails when a URL of the
project has no row at all.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PERSONAS = ["anonymous", "alice", "victor", "bob", "oscar", "uma", "sam"]

# Shorthands for expectations. LOGIN: anonymous HTML → redirect to the login page.
LOGIN = 302


@dataclass
class Row:
    name: str
    expect: dict[str, int]
    kwargs: Callable[[Any], dict] | dict = field(default_factory=dict)
    method: str = "get"
    data: Callable[[Any], dict] | dict | None = None
    content_type: str | None = None
    query: str = ""

    def __post_init__(self):
        missing = [p for p in PERSONAS if p not in self.expect]
        if missing:
            raise ValueError(f"Row {self.name} {self.method}: no expectation for {missing}")

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}{'?' + self.query if self.query else ''}"


def everyone(status: int, **overrides: int) -> dict[str, int]:
    """The same status for every persona, except ``overrides``."""
    return {p: overrides.get(p, status) for p in PERSONAS}
