"""Measurements for ``manage.py bench_retention`` and ``manage.py bench_access`` (PostgreSQL).

Both work in scratch tenants (``bench-retention``, ``bench-access``) created like the export
benchmark's (``demo/bench_export.py``), and print what docs/privacy.md reports.
"""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import timedelta

from django.db import connection

from demo.bench_export import RANGE_START, scratch, seed_call_records
from exports.choices import ExportStatus
from exports.models import ExportJob, ExportSubject
from portal.choices import AuditAction
from portal.models import AuditEvent, CallRecord
from privacy import retention
from privacy.access import find_exports
from privacy.subjects import parse_subject


def _size(table: str) -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_total_relation_size(%s)", [table])
        return cur.fetchone()[0]


def _dead(table: str) -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", [table])
        row = cur.fetchone()
        return row[0] if row else 0


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def bench_retention(rows: int, out) -> dict:
    """Seed ``rows`` call records over 365 days, purge as of a day that makes half of them
    expired, and measure the purge."""
    tenant, operator, _ = scratch("bench-retention")
    CallRecord.objects.filter(tenant=tenant).delete()
    seed_call_records(tenant, operator, rows, seed=7)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE portal_callrecord")
    before_rows = CallRecord.objects.filter(tenant=tenant).count()
    size_before = _size("portal_callrecord")
    now = RANGE_START + timedelta(days=182) + timedelta(days=365)  # cutoff: mid-range (GB: 365)
    batches: list[float] = []
    result = retention.purge_tenant_call_records(
        tenant, now=now, on_batch=lambda n, s: batches.append(s)
    )
    size_after_purge = _size("portal_callrecord")
    dead_after_purge = _dead("portal_callrecord")
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE portal_callrecord")
    vacuum_s = time.monotonic() - t0
    size_after_vacuum = _size("portal_callrecord")
    dead_after_vacuum = _dead("portal_callrecord")
    after_rows = CallRecord.objects.filter(tenant=tenant).count()
    figures = {
        "rows_before": before_rows,
        "deleted": result.deleted,
        "rows_after": after_rows,
        "batches": result.batches,
        "seconds": round(result.seconds, 2),
        "rows_per_second": round(result.deleted / result.seconds) if result.seconds else 0,
        "longest_batch_ms": round(result.longest_batch_ms, 1),
        "median_batch_ms": round(statistics.median(batches) * 1000, 1) if batches else 0,
        "table_before": _mib(size_before),
        "table_after_purge": _mib(size_after_purge),
        "table_after_vacuum": _mib(size_after_vacuum),
        "vacuum_seconds": round(vacuum_s, 1),
        "dead_rows_after_purge": dead_after_purge,
        "dead_rows_after_vacuum": dead_after_vacuum,
    }
    for k, v in figures.items():
        out.write(f"{k:>20}: {v}\n")
    return figures


def bench_access(
    rows: int, out, *, audit_rows: int = 1_000_000, jobs: int = 500, hits: int = 40, runs: int = 20
) -> dict:
    """Seed ``rows`` ExportSubject rows over ``jobs`` exports (plus ``hits`` rows of one person,
    each export with two downloads) and ``audit_rows`` other audit events of the tenant (a third
    of them downloads of other files), then time the person's report."""
    tenant, operator, admin = scratch("bench-access")
    ExportSubject.objects.filter(tenant=tenant).delete()
    ExportJob.objects.filter(tenant=tenant).delete()
    now = RANGE_START + timedelta(days=400)
    made = ExportJob.objects.bulk_create(
        ExportJob(
            tenant=tenant,
            operator=operator,
            requested_by=admin,
            requested_via="tenant",
            datasets=["call_records", "numbers"],
            start=RANGE_START,
            end=RANGE_START + timedelta(days=30),
            format="csv",
            status=ExportStatus.EXPIRED,
            finished_at=now + timedelta(minutes=i),
            notice_version=1,
            dedupe_key=uuid.uuid4().hex,
        )  # fmt: skip
        for i in range(jobs)
    )
    ids = [str(j.pk) for j in made]
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO exports_exportsubject "
            "(export_id, tenant_id, kind, value_hash, call_records, numbers) "
            "SELECT (%s::uuid[])[1 + i %% %s], %s, CASE WHEN i %% 2 = 0 THEN 'number' ELSE 'upn' "
            "END, encode(sha256(('bench-' || i)::bytea), 'hex'), 1 + i %% 7, i %% 2 "
            "FROM generate_series(1, %s) AS i",
            [ids, jobs, tenant.pk, rows],
        )
        cur.execute(
            "INSERT INTO portal_auditevent (occurred_at, actor_label, tenant_id, operator_id, "
            "action, target_type, target_id, target_label, details) "
            "SELECT now() - i * interval '1 second', 'Bench', %s, %s, "
            "(ARRAY['export.downloaded', 'data.ingested', 'export.succeeded'])[1 + i %% 3], "
            "'exportjob', md5(i::text), '', '{}'::jsonb FROM generate_series(1, %s) AS i",
            [tenant.pk, operator.pk, audit_rows],
        )
    seed_s = time.monotonic() - t0
    person = parse_subject(number="+442079460123")
    ExportSubject.objects.bulk_create(
        ExportSubject(
            export_id=ids[i * (jobs // hits)],
            tenant=tenant,
            kind=person.kind,
            value_hash=person.hash,
            call_records=3 + i,
            numbers=1,
        )  # fmt: skip
        for i in range(hits)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=AuditAction.EXPORT_DOWNLOADED,
            tenant=tenant,
            operator=operator,
            actor=admin,
            actor_label="Bench Admin",
            target_type="exportjob",
            target_id=ids[i * (jobs // hits)],
            ip_address="192.0.2.1",
        )  # fmt: skip
        for i in range(hits)
        for _ in range(2)
    )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE exports_exportsubject")
        cur.execute("ANALYZE portal_auditevent")
    index_rows = ExportSubject.objects.count()
    audit_events = AuditEvent.objects.filter(tenant=tenant).count()
    timings = []
    for _ in range(runs):
        t0 = time.monotonic()
        found = find_exports(tenant, person)
        timings.append(time.monotonic() - t0)
    assert len(found) == hits and all(len(e.downloads) == 2 for e in found)
    with connection.cursor() as cur:
        cur.execute(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM exports_exportsubject "
            "WHERE tenant_id = %s AND kind = %s AND value_hash = %s",
            [tenant.pk, person.kind, person.hash],
        )
        plan = "\n".join(r[0] for r in cur.fetchall())
    figures = {
        "index_rows": index_rows,
        "audit_events_of_tenant": audit_events,
        "seed_seconds": round(seed_s, 1),
        "exports_found": len(found),
        "first_ms": round(timings[0] * 1000, 1),
        "median_ms": round(statistics.median(timings) * 1000, 1),
        "max_ms": round(max(timings) * 1000, 1),
        "table_size": _mib(_size("exports_exportsubject")),
    }
    for k, v in figures.items():
        out.write(f"{k:>20}: {v}\n")
    out.write(plan + "\n")
    return figures
