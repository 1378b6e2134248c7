"""``manage.py bench_export --rows 2000000``: the export engine against the true bare limit.

For CSV and NDJSON, alternating A/B over ``--runs`` rounds (so a noisy neighbour hurts both):

A. **the product**: a real export job run the worker's way (claim, COPY → ZIP, upload, publish)
   in a fresh child process, timed from the claim to the file being published;
B. **the bare limit**: ``psql -c "\\copy (SELECT <the same columns> FROM portal_callrecord WHERE
   <the same rows>) TO STDOUT" | gzip -1`` — a plain copy of the same rows with the same
   compression level, no formatting, no share-window join.

It prints min/median/max seconds of each, the ratio of the medians' speeds (goal ≥ 0.8), and the
worker's memory *growth* (peak RSS − RSS before the job) at two sizes, ``--rows`` and a fifth of
it (goal: flat, ≤ 16 MiB at both). PostgreSQL only; the scratch tenants are reused across runs.
"""

from __future__ import annotations

import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo import bench_export as benchmark
from exports import runner, storage
from exports.models import ExportJob
from portal.models.calls import CALL_RECORD_COLUMNS

RATIO_GOAL = 0.8
GROWTH_GOAL_MIB = 16


def _rss_mib() -> float:
    """Resident set size now (Linux /proc), MiB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _spread(values: list[float]) -> str:
    return (
        f"min {min(values):.2f} / median {statistics.median(values):.2f} / max {max(values):.2f} s"
    )


class Command(BaseCommand):
    help = "Benchmark exports against psql \\copy | gzip -1, alternating; memory growth at 2 sizes."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=2_000_000)
        parser.add_argument("--runs", type=int, default=3, help="A/B rounds per format")
        parser.add_argument("--formats", default="csv,ndjson")
        parser.add_argument("--seed-only", action="store_true", help="Only seed; no export.")
        parser.add_argument("--slug", default="bench-export", help="Scratch tenant slug.")
        parser.add_argument("--run-job", help="(internal) run one job in this process")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("bench_export measures PostgreSQL COPY: set DATABASE_URL.")
        if opts["run_job"]:
            return self._child(opts["run_job"])
        sizes = {"large": (opts["slug"], opts["rows"]),
                 "small": (f"{opts['slug']}-small", max(1, opts["rows"] // 5))}  # fmt: skip
        worlds = {}
        for name, (slug, rows) in sizes.items():
            tenant, operator, admin = benchmark.scratch(slug)
            started = time.monotonic()
            added = benchmark.seed_call_records(tenant, operator, rows)
            self.stdout.write(
                f"{name}: {rows:,} call records in {slug} "
                f"({added:,} seeded by COPY in {time.monotonic() - started:.1f} s)"
            )
            worlds[name] = (tenant, operator, admin)
        if opts["seed_only"]:
            return None
        self.stdout.write(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
        for fmt in [f.strip() for f in opts["formats"].split(",")]:
            self._compare(worlds["large"], fmt, opts["runs"])
            self._memory(worlds, fmt)
        self.stdout.write(f"load average after: {os.getloadavg()[0]:.2f}")
        return None

    # --- the child: one job, the worker's code path ----------------------------------------------

    def _child(self, job_id: str) -> None:
        before = _rss_mib()
        started = time.monotonic()
        outcome = runner.run_export(job_id)
        self.stdout.write(json.dumps({
            "outcome": outcome, "seconds": time.monotonic() - started,
            "growth_mib": _peak_rss_mib() - before,
        }))  # fmt: skip

    def _product(self, world, fmt: str) -> tuple[float, float, ExportJob]:
        tenant, operator, admin = world
        job = benchmark.bench_job(tenant, operator, admin, fmt)
        child = subprocess.run(
            [sys.executable, "manage.py", "bench_export", "--run-job", str(job.pk)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        result = json.loads(child.stdout.strip().splitlines()[-1])
        # A warm worker's whole job: claim, count, COPY → ZIP, upload, publish (not the child
        # process's start-up, which a running worker does not pay per job).
        seconds = result["seconds"]
        job.refresh_from_db()
        if result["outcome"] != "succeeded":
            raise CommandError(f"The {fmt} export did not succeed: {job.error_message}")
        storage.delete_job_files(job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status="expired")
        return seconds, result["growth_mib"], job

    # --- the bare limit: psql \copy | gzip -1 ------------------------------------------------------

    def _bare(self, tenant) -> tuple[float, int]:
        start, end = benchmark.RANGE_START.isoformat(), benchmark.RANGE_END.isoformat()
        select = (
            f"SELECT {', '.join(CALL_RECORD_COLUMNS)} FROM portal_callrecord "  # noqa: S608
            f"WHERE tenant_id = {int(tenant.pk)} AND invite_time >= '{start}' "
            f"AND invite_time < '{end}' ORDER BY invite_time, id"
        )
        params = connection.get_connection_params()
        env = {**os.environ, "PGHOST": str(params.get("host") or ""),
               "PGPORT": str(params.get("port") or ""), "PGUSER": str(params.get("user") or ""),
               "PGPASSWORD": str(params.get("password") or ""),
               "PGDATABASE": str(params.get("dbname") or "")}  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "bare.gz"
            meta = "\\copy (" + select + ") TO STDOUT"
            command = f"psql -X -q -c {shlex.quote(meta)} | gzip -1 > {out}"
            started = time.monotonic()
            subprocess.run(["bash", "-o", "pipefail", "-c", command], env=env, check=True)
            return time.monotonic() - started, out.stat().st_size

    # --- reports -----------------------------------------------------------------------------------

    def _compare(self, world, fmt: str, runs: int) -> None:
        product, bare = [], []
        job = None
        for _ in range(runs):
            seconds, _growth, job = self._product(world, fmt)
            product.append(seconds)
            bare_s, bare_bytes = self._bare(world[0])
            bare.append(bare_s)
        rows = job.rows_total
        ratio = statistics.median(bare) / statistics.median(product)
        verdict = "meets" if ratio >= RATIO_GOAL else "misses"
        self.stdout.write(
            f"{fmt.upper():6} product ({rows:,} rows, ZIP {job.file_size / 2**20:,.1f} MiB): "
            f"{_spread(product)} = {rows / statistics.median(product):,.0f} rows/s\n"
            f"{fmt.upper():6} psql \\copy | gzip -1 ({bare_bytes / 2**20:,.1f} MiB): "
            f"{_spread(bare)} = {rows / statistics.median(bare):,.0f} rows/s\n"
            f"{fmt.upper():6} ratio product/bare (medians, {runs} alternating runs): {ratio:.2f} "
            f"— {verdict} the goal ≥ {RATIO_GOAL}"
        )

    def _memory(self, worlds, fmt: str) -> None:
        growth = {}
        for name in ("small", "large"):
            _seconds, growth[name], job = self._product(worlds[name], fmt)
            growth[name] = (growth[name], job.rows_total)
        flat = all(g <= GROWTH_GOAL_MIB for g, _ in growth.values())
        self.stdout.write(
            f"{fmt.upper():6} worker memory growth: "
            + ", ".join(f"{g:.1f} MiB at {rows:,} rows" for g, rows in growth.values())
            + f" — {'meets' if flat else 'misses'} the goal ≤ {GROWTH_GOAL_MIB} MiB at both"
        )
