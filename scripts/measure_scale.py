"""Measure the tenant dashboard's call counts and the call-record list, before/after the rollups
and the filter windows, at a million rows or more (issue 17, item 3). Not a test: a script.

    DATABASE_URL=postgres://…/ocp_scale_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://…/ocp_scale_bench .venv/bin/python scripts/measure_scale.py 1200000

Seeds (or reuses) the scratch tenant of ``demo.bench_export`` with N call legs over 2025 by COPY,
then times, with "now" set to 20 December 2025 so six months of data are on the dashboard:

- dashboard before: the old count (share windows applied to the base table, grouped by month)
- dashboard after: ``control.tenant.dashboard.shares_of`` (whole days from the rollup)
- list before: ``direction=inbound&call_type=user_out`` (matches nothing) without a window
- list after: the same with the default window (last 30 days)

"cold" is the first run on a fresh connection (PostgreSQL's shared buffers and the OS cache are
not flushed: no root here); "warm" is the median of the next five runs.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import TruncMonth  # noqa: E402

from control.tenant.dashboard import CALL_MONTHS, _month_start, shares_of  # noqa: E402
from demo.bench_export import scratch, seed_call_records  # noqa: E402
from portal.models import CallRecord  # noqa: E402
from portal.querysets import CALL_WINDOW_DEFAULT_DAYS  # noqa: E402
from portal.sharing import share_windows  # noqa: E402

NOW = datetime(2025, 12, 20, 12, 0, tzinfo=UTC)


def dashboard_before(tenant, operator):
    since = _month_start(CALL_MONTHS - 1)
    windows = share_windows(tenant, operator)
    return list(
        CallRecord.objects.shareable_with(operator, tenant, start=since, windows=windows)
        .annotate(month=TruncMonth("invite_time"))
        .order_by("month")
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )


def dashboard_after(tenant, _operator):
    return [share.calls_by_month for share in shares_of(tenant)]


def list_before(tenant, _operator):
    qs = CallRecord.objects.for_tenant(tenant).filter(direction="inbound", call_type="user_out")
    return list(qs.order_by("-invite_time", "-id")[:51])


def list_after(tenant, _operator):
    qs = CallRecord.objects.for_tenant(tenant).filter(direction="inbound", call_type="user_out")
    qs = qs.between(NOW - timedelta(days=CALL_WINDOW_DEFAULT_DAYS), NOW)
    return list(qs.order_by("-invite_time", "-id")[:51])


def timed(fn, *args) -> float:
    began = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - began) * 1000


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_200_000
    tenant, operator, _admin = scratch("bench-scale")
    added = seed_call_records(tenant, operator, rows)
    total = CallRecord.objects.count()
    print(f"seeded {added:,} (table: {total:,} rows); load average {os.getloadavg()}")
    with time_machine.travel(NOW, tick=False):
        before = dict(dashboard_before(tenant, operator))
        after = dict(dashboard_after(tenant, operator)[0])
        assert {k: v for k, v in before.items() if v} == {k: v for k, v in after.items() if v}, (
            before,
            after,
        )
        for name, fn in [
            ("dashboard before (base table)", dashboard_before),
            ("dashboard after (rollup)", dashboard_after),
            ("list before (no window)", list_before),
            ("list after (30-day window)", list_after),
        ]:
            connection.close()
            cold = timed(fn, tenant, operator)
            warm = statistics.median(timed(fn, tenant, operator) for _ in range(5))
            print(f"{name:34} cold {cold:9.1f} ms   warm {warm:9.1f} ms")
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
