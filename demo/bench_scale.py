# ruff: noqa: S608 - SQL text names our own tables; values travel as parameters.
"""``make bench-scale``: call records at 10 M rows in monthly partitions (issue 17, items 2 and 5).

Builds (or tops up) ``rows`` call records over 12 UTC months and six scratch tenants — one
carrier-scale tenant holding 40 %, the others sharing the rest — by ``INSERT … SELECT`` from
``generate_series`` on the server (the statement triggers keep the day rollup). Then it measures,
on the database ``DATABASE_URL`` names (use a private, niced instance: it writes millions of
rows):

1. **ingest** of a 1 M-row daily batch (yesterday, all six tenants) through ``portal.ingest``
   — the ordinary path a daily batch into a large table takes — next to a bare ``COPY`` of the
   same file into a table of text columns; meanwhile one thread requests the dashboard and the
   API list in a loop (p95 during the ingest) and another samples ``pg_locks`` and
   ``pg_stat_activity`` (the ingest's strongest lock on the call-record tables, and the longest
   any other session waited for a lock);
2. **pages and API lists**, cold (a new database connection per request: relation caches
   empty; the OS cache is not flushed) and warm, p95;
3. **retention** of the oldest month: ``privacy.retention.drop_expired_partitions`` (detach
   CONCURRENTLY + drop), with the same lock sampling and readers running.

It prints the load average with the figures: on a shared machine they move with it.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from demo.bench_export import scratch
from portal import partitions
from portal.models import CallRecord
from portal.retention_policy import call_record_retention_days
from privacy import retention

TENANTS = 6
MONTHS = 12
CHUNK = 250_000
TABLES = r"c.relname = 'portal_callrecord' OR c.relname LIKE 'portal_callrecord\_p%%' OR c.relname = 'portal_callrecord_legacy'"
# The strongest lock modes first: what a reader or a writer of the table would wait for.
MODES = [
    "AccessExclusiveLock",
    "ExclusiveLock",
    "ShareRowExclusiveLock",
    "ShareLock",
    "ShareUpdateExclusiveLock",
    "RowExclusiveLock",
    "RowShareLock",
    "AccessShareLock",
]


def p95(samples: list[float]) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- the data -----------------------------------------------------------------------------------


def world() -> list[tuple]:
    """The six scratch tenants (tenant, operator, admin), sharing since 2020."""
    return [scratch(f"scale-{i}") for i in range(TENANTS)]


def shares() -> list[float]:
    return [0.4] + [0.6 / (TENANTS - 1)] * (TENANTS - 1)


def first_month(now: datetime) -> datetime:
    return partitions.add_months(partitions.month_start(now), -(MONTHS - 1))


INSERT = """
INSERT INTO portal_callrecord (
  id, tenant_id, operator_id, call_id, leg, call_type, direction, invite_time, start_time,
  end_time, duration_seconds, duration_source, success, final_sip_code, final_sip_phrase,
  caller_number, callee_number, user_upn, user_display_name, destination_context,
  external_country, tenant_country, caller_os, callee_os, caller_platform, callee_platform,
  caller_connection_type, callee_connection_type, jitter_avg_ms, rtt_avg_ms, packet_loss_avg,
  mos_avg, quality, is_emergency)
SELECT gen_random_uuid(), %(tenant)s, %(operator)s, %(tag)s || g, 0,
  CASE WHEN g %% 2 = 0 THEN 'user_out' ELSE 'user_in' END,
  CASE WHEN g %% 2 = 0 THEN 'outbound' ELSE 'inbound' END,
  t, t + interval '3 s', t + interval '3 s' + (g %% 900) * interval '1 s', g %% 900,
  'microsoft', true, 200, 'OK', '+44207' || lpad((g %% 1000000)::text, 7, '0'),
  '+44790' || lpad(((g * 7919) %% 10000000)::text, 7, '0'), 'user' || (g %% 5000) || '@scale.invalid',
  'Scale User', 'domestic', 'GB', 'GB', 'Windows 11', '', 'windows', 'pstn', 'wifi', '',
  (g %% 40)::float, (g %% 300)::float, ((g %% 10) / 100.0)::float, 4.1,
  CASE WHEN g %% 10 = 0 THEN 'poor' ELSE 'good' END, false
FROM (SELECT g, %(start)s::timestamptz + random() * (%(end)s::timestamptz - %(start)s::timestamptz) AS t
      FROM generate_series(%(first)s::bigint, %(last)s::bigint) g) x
"""


def build(rows: int, now: datetime, say: Callable[[str], None]) -> int:
    """Top the scratch tenants up to ``rows`` call records over the last MONTHS months."""
    tenants = world()
    first = first_month(now)
    partitions.ensure_range(first, partitions.add_months(first, MONTHS + 1))
    ids = [t.pk for t, _o, _a in tenants]
    have = CallRecord.objects.filter(tenant_id__in=ids).count()
    if have >= rows:
        return have
    began, added = time.monotonic(), 0
    for (tenant, operator, _admin), share in zip(tenants, shares(), strict=True):
        per_month = int((rows - have) * share / MONTHS)
        for m in range(MONTHS):
            start = partitions.add_months(first, m)
            end = min(partitions.add_months(first, m + 1), now - timedelta(days=2))
            if end <= start:
                continue
            for low in range(0, per_month, CHUNK):
                high = min(per_month, low + CHUNK)
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute(
                        INSERT,
                        {"tenant": tenant.pk, "operator": operator.pk,
                         "tag": f"s{have}-{m}-", "start": start, "end": end,
                         "first": low + 1, "last": high},
                    )  # fmt: skip
                added += high - low
            say(
                f"  {tenant.slug} {start:%Y-%m}: {added:,} rows added, "
                f"{added / (time.monotonic() - began):,.0f} rows/s, load {load()}"
            )
    with connection.cursor() as cur:
        # As autovacuum leaves a table that has stopped growing: statistics, and the old months
        # all-visible (an index-only scan then reads no heap page).
        cur.execute("VACUUM ANALYZE portal_callrecord")
    return have + added


# --- the daily batch ---------------------------------------------------------------------------

COLUMNS = [
    "id", "tenant", "operator", "call_id", "leg", "call_type", "direction", "invite_time",
    "start_time", "end_time", "duration_seconds", "success", "final_sip_code",
    "final_sip_phrase", "caller_number", "callee_number", "user_upn", "user_display_name",
    "destination_context", "external_country", "tenant_country", "caller_ip", "callee_ip",
    "caller_os", "caller_platform", "callee_platform", "caller_connection_type",
    "jitter_avg_ms", "rtt_avg_ms", "packet_loss_avg", "mos_avg", "quality",
]  # fmt: skip


def daily_batch(rows: int, day: datetime, tag: str) -> bytes:
    """``rows`` new call records of ``day`` (UTC) over the six tenants, as a CSV file."""
    tenants = world()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    cum, acc = [], 0.0
    for s in shares():
        acc += s
        cum.append(acc)
    step = 86_000 / rows
    for n in range(rows):
        r = (n * 0.6180339887) % 1
        tenant, operator, _ = tenants[next(i for i, c in enumerate(cum) if r <= c + 1e-9)]
        invite = day + timedelta(seconds=n * step)
        start = invite + timedelta(seconds=2)
        end = start + timedelta(seconds=n % 900)
        out_ = n % 2 == 0
        writer.writerow([
            uuid.uuid4(), tenant.slug, operator.slug, f"{tag}-{n}", 0,
            "user_out" if out_ else "user_in", "outbound" if out_ else "inbound",
            invite.isoformat(), start.isoformat(), end.isoformat(), n % 900, "true", 200, "OK",
            f"+44207{n % 1000000:07d}", f"+44790{(n * 7919) % 10000000:07d}",
            f"user{n % 5000}@scale.invalid", "Scale User", "domestic", "GB", "GB",
            f"10.{n % 250}.{n % 199}.{1 + n % 250}", "192.0.2.7", "Windows 11", "windows",
            "pstn", "wifi", n % 40, n % 300, (n % 10) / 100, 4.1,
            "poor" if n % 10 == 0 else "good",
        ])  # fmt: skip
    return out.getvalue().encode()


def forget_batch(tag: str, day: datetime) -> None:
    """Delete a measured batch again (the rollup triggers subtract it) and vacuum its month, so
    that the next run ingests into a table of the same size and visibility."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "DELETE FROM portal_callrecord WHERE invite_time >= %s AND invite_time < %s "
            "AND call_id LIKE %s",
            [day, day + timedelta(days=1), f"{tag}-%"],
        )
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {partitions.partition_name(partitions.month_start(day))}")


def bare_copy(data: bytes) -> float:
    """Seconds for a plain COPY of the file into an UNLOGGED table of text columns."""
    with transaction.atomic(), connection.cursor() as cur:
        cols = ", ".join(f"{c} text" for c in COLUMNS)
        cur.execute(f"CREATE UNLOGGED TABLE bench_scale_bare ({cols})")
        began = time.monotonic()
        with cur.cursor.copy(
            "COPY bench_scale_bare FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as cp:
            for i in range(0, len(data), 1 << 20):
                cp.write(data[i : i + (1 << 20)])
        took = time.monotonic() - began
        cur.execute("DROP TABLE bench_scale_bare")
    return took


# --- what runs meanwhile ------------------------------------------------------------------------


@dataclass
class LockWatch:
    """Samples every 50 ms: the watched backend's locks on the call-record tables, and the
    longest current lock wait of any other session on them."""

    pid: int | None = None
    strongest: str = "none"
    longest_wait_s: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        try:
            with connection.cursor() as cur:
                while not self.stop.is_set():
                    if self.pid:
                        cur.execute(
                            f"SELECT DISTINCT l.mode FROM pg_locks l JOIN pg_class c "
                            f"ON c.oid = l.relation WHERE l.pid = %s AND l.granted "
                            f"AND l.locktype = 'relation' AND c.relkind IN ('r', 'p') AND ({TABLES})",
                            [self.pid],
                        )
                        for (mode,) in cur.fetchall():
                            if (
                                MODES.index(mode)
                                < MODES.index(
                                    self.strongest if self.strongest in MODES else MODES[-1]
                                )
                                or self.strongest == "none"
                            ):  # noqa: E501
                                self.strongest = mode
                    cur.execute(
                        "SELECT coalesce(max(extract(epoch FROM now() - a.state_change)), 0) "
                        "FROM pg_stat_activity a WHERE a.wait_event_type = 'Lock' "
                        "AND a.pid <> pg_backend_pid()"
                    )
                    self.longest_wait_s = max(self.longest_wait_s, float(cur.fetchone()[0]))
                    time.sleep(0.05)
        finally:
            connections.close_all()


@dataclass
class Readers:
    """The dashboard and the API list of the big tenant, requested in a loop."""

    urls: list[str]
    admin: object
    times: dict[str, list[float]] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        client = Client()
        client.force_login(self.admin, backend="django.contrib.auth.backends.ModelBackend")
        try:
            while not self.stop.is_set():
                for url in self.urls:
                    began = time.perf_counter()
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
                    self.times.setdefault(url, []).append((time.perf_counter() - began) * 1000)
        finally:
            connections.close_all()


def during(work: Callable[[], object], urls: list[str], admin) -> tuple[object, LockWatch, Readers]:
    watch, readers = LockWatch(pid=connection.connection.info.backend_pid), Readers(urls, admin)
    threads = [threading.Thread(target=watch.run), threading.Thread(target=readers.run)]
    for t in threads:
        t.start()
    try:
        result = work()
    finally:
        watch.stop.set()
        readers.stop.set()
        for t in threads:
            t.join()
    return result, watch, readers


# --- the pages ----------------------------------------------------------------------------------


def page_urls(tenant, operator) -> dict[str, str]:
    page = reverse("tenant:calls", kwargs={"tenant_slug": tenant.slug})
    api = reverse("api:call-record-list", kwargs={"tenant_slug": tenant.slug})
    return {
        "dashboard": reverse("tenant:dashboard", kwargs={"tenant_slug": tenant.slug}),
        "calls page": page,
        "calls page, operator": f"{page}?operator={operator.slug}",
        "calls page, inbound+user_out (no match)": f"{page}?direction=inbound&call_type=user_out",
        "calls page, quality=poor": f"{page}?quality=poor",
        "API list": api,
        "API list, operator": f"{api}?operator={operator.slug}",
        "API list, inbound+user_out (no match)": f"{api}?direction=inbound&call_type=user_out",
    }


def measure_pages(tenant, operator, admin, cold_runs: int = 5, warm_runs: int = 20) -> dict:
    results = {}
    for name, url in page_urls(tenant, operator).items():
        cold, warm = [], []
        for _ in range(cold_runs):
            connections.close_all()  # a new backend: empty relation and plan caches
            client = Client()
            client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
            connections.close_all()
            began = time.perf_counter()
            response = client.get(url)
            cold.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        for _ in range(warm_runs):
            began = time.perf_counter()
            client.get(url)
            warm.append((time.perf_counter() - began) * 1000)
        results[name] = (p95(cold), p95(warm), statistics.median(warm))
    return results


def retention_now(tenants) -> tuple[datetime, str]:
    """A "now" at which exactly the oldest month is past every tenant's cut-off."""
    oldest = partitions.partitions()[0]
    days = max(call_record_retention_days(t) for t, _o, _a in tenants)
    return oldest.end + timedelta(days=days, seconds=1), oldest.name


def drop_oldest(now: datetime) -> list[retention.DroppedMonth]:
    return retention.drop_expired_partitions(now)
