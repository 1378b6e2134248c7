"""``manage.py bench_export --rows 2000000``: export speed and memory at millions of rows.

Seeds (or reuses) call records in a scratch tenant, then for CSV and NDJSON:

1. runs a real export job (the worker's code path: claim, COPY → ZIP, upload, publish) in a fresh
   child process and reads that process's peak RSS;
2. runs a bare ``COPY (same SELECT) TO STDOUT`` into a plain file, in the same run;

and prints rows/s, the ratio export ÷ bare COPY and the peak RSS. PostgreSQL only.
"""

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from exports import benchmark, runner, storage
from exports.engine import EXPORTERS
from exports.engine.sources import PostgresSource
from exports.models import ExportJob


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class Command(BaseCommand):
    help = "Benchmark exports: rows/s, ratio to a bare COPY, peak RSS (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=2_000_000)
        parser.add_argument("--formats", default="csv,ndjson")
        parser.add_argument("--seed-only", action="store_true", help="Only seed; no export.")
        parser.add_argument("--slug", default="bench-export", help="Scratch tenant slug.")
        parser.add_argument("--run-job", help="(internal) run one job in this process")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("bench_export measures PostgreSQL COPY: set DATABASE_URL.")
        if opts["run_job"]:
            return self._child(opts["run_job"])
        tenant, operator, admin = benchmark.scratch(opts["slug"])
        started = time.monotonic()
        added = benchmark.seed_call_records(tenant, operator, opts["rows"])
        self.stdout.write(
            f"call records: {opts['rows']:,} in the scratch tenant "
            f"({added:,} seeded by COPY in {time.monotonic() - started:.1f} s)"
        )
        if opts["seed_only"]:
            return None
        for fmt in opts["formats"].split(","):
            self._measure(tenant, operator, admin, fmt.strip())
        return None

    def _child(self, job_id: str) -> None:
        started = time.monotonic()
        outcome = runner.run_export(job_id)
        self.stdout.write(json.dumps({
            "outcome": outcome, "seconds": time.monotonic() - started, "rss_mib": _peak_rss_mib(),
        }))  # fmt: skip

    def _measure(self, tenant, operator, admin, fmt: str) -> None:
        job = benchmark.bench_job(tenant, operator, admin, fmt)
        child = subprocess.run(
            [sys.executable, "manage.py", "bench_export", "--run-job", str(job.pk)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        result = json.loads(child.stdout.strip().splitlines()[-1])
        job.refresh_from_db()
        if result["outcome"] != "succeeded":
            raise CommandError(f"The {fmt} export did not succeed: {job.error_message}")
        rows = job.rows_total
        bare_s, bare_bytes = self._bare_copy(job)
        export_rate, bare_rate = rows / result["seconds"], rows / bare_s
        self.stdout.write(
            f"{fmt.upper():6} export: {rows:,} rows in {result['seconds']:.1f} s = "
            f"{export_rate:,.0f} rows/s; ZIP {job.file_size / 2**20:,.1f} MiB "
            f"({job.manifest['files'][0]['bytes'] / 2**20:,.1f} MiB uncompressed)\n"
            f"{fmt.upper():6} bare COPY to a file: {bare_s:.1f} s = {bare_rate:,.0f} rows/s "
            f"({bare_bytes / 2**20:,.1f} MiB)\n"
            f"{fmt.upper():6} ratio export/bare COPY: {export_rate / bare_rate:.2f} (goal ≥ 0.5); "
            f"worker peak RSS: {result['rss_mib']:.0f} MiB (goal ≤ 200)"
        )
        storage.delete_job_files(job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status="expired")

    def _bare_copy(self, job: ExportJob) -> tuple[float, int]:
        """The same COPY statement, straight into an uncompressed local file."""
        exporter = EXPORTERS["call_records"]
        with tempfile.TemporaryDirectory() as tmp, PostgresSource(job) as source:
            path = Path(tmp) / "bare.out"
            sql, params = source.sql(exporter)
            started = time.monotonic()
            with open(path, "wb") as out, source.raw.cursor() as cur, cur.copy(sql, params) as cp:
                for data in cp:
                    out.write(data)
            return time.monotonic() - started, path.stat().st_size
