"""Seed the demo world: what ``manage.py seed_demo`` runs.

- ``catalog``: what the world is (operators, tenants, people, assignment timeline); pure data.
- ``world``: builds it through the services, each step under the clock of its story time.
- ``inventory``: emergency locations and numbers.
- ``calls``: deterministic call records; ``writers``: COPY / bulk_create.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from demo.calls import build_lines
from demo.inventory import build_inventory
from demo.world import build_world, demo_tenants, find_anchor, new_anchor
from demo.writers import write_calls
from portal.models import CallRecord

logger = logging.getLogger(__name__)


@dataclass
class SeedResult:
    world_created: bool
    calls_before: int
    calls_after: int
    seconds: float


def seed(calls: int, *, once: bool = False) -> SeedResult | None:
    """Create the demo world (if missing) and make it hold at least ``calls`` call records.

    Returns None when ``once`` is set and the world already exists (nothing was done).
    """
    started = time.monotonic()
    anchor = find_anchor()
    if anchor is not None and once:
        return None
    created = anchor is None
    if created:
        anchor = new_anchor()
        build_world(anchor)
    build_inventory(anchor)
    tenants = list(demo_tenants().values_list("pk", flat=True))
    before = CallRecord.objects.filter(tenant_id__in=tenants).count()
    # Rows are a deterministic prefix-stable sequence: if there are at least ``calls`` already,
    # the first ``calls`` of them are these exact rows, so there is nothing to add.
    if before < calls:
        write_calls(build_lines(anchor), calls, fresh=before == 0)
    after = CallRecord.objects.filter(tenant_id__in=tenants).count()
    return SeedResult(created, before, after, time.monotonic() - started)
