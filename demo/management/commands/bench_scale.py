"""manage.py bench_scale --rows 10000000: build (or reuse) call records in monthly partitions,
then time a daily ingest, the pages and API lists, and retention of one month (demo/bench_scale.py).

Run it on a database of its own: it writes millions of rows (``make bench-scale
DATABASE_URL=…``). Not part of ``make test``.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo import bench_scale as bench
from portal import partitions
from portal.ingest import ingest
from portal.models import CallRecord


class Command(BaseCommand):
    help = "Scale benchmark: 10 M call records in monthly partitions (issue 17)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000_000)
        parser.add_argument("--batch", type=int, default=1_000_000)
        parser.add_argument("--skip-retention", action="store_true")
        parser.add_argument(
            "--only",
            choices=["all", "ingest"],
            default="all",
            help="ingest: time the daily batch only, then delete it again (the table keeps its "
            "size, so runs of two versions compare); no pages, no retention",
        )

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, rows: int, batch: int, skip_retention: bool, only: str, **options):
        if not partitions.is_partitioned():
            raise CommandError(
                "bench_scale needs PostgreSQL with migration 0018: set DATABASE_URL."
            )
        now = datetime.now(UTC)
        self.say(f"load average {bench.load()}; building {rows:,} call records …")
        began = time.monotonic()
        total = bench.build(rows, now, self.say)
        self.say(f"{total:,} call records of the scale tenants ({time.monotonic() - began:.0f} s)")
        tenants = bench.world()
        tenant, operator, admin = tenants[0]
        urls = bench.page_urls(tenant, operator)
        readers = [urls["dashboard"], urls["API list"]]

        # 1. the daily batch
        day = partitions.month_start(now) if now.day == 1 else now - timedelta(days=1)
        day = day.replace(hour=0, minute=0, second=0, microsecond=0)
        tag = f"daily-{now:%Y%m%d%H%M%S}"
        data = bench.daily_batch(batch, day, tag)
        bare = bench.bare_copy(data)
        stored = CallRecord.objects.count()
        self.say(f"ingest of {batch:,} rows into {stored:,}, load average {bench.load()} …")
        began = time.monotonic()
        report, watch, meanwhile = bench.during(
            lambda: ingest("call-records", io.BytesIO(data), "csv", source="bench_scale"),
            readers,
            admin,
        )
        took = time.monotonic() - began
        if not report.ok:
            raise CommandError(f"the daily batch was refused: {report.rejects[:3]}")
        lines = [
            "",
            f"| measure ({stored:,} rows before the batch) | result |",
            "|---|---|",
            f"| ingest of {batch:,} new rows ({report.engine}) | {took:.1f} s, "
            f"**{batch / took:,.0f} rows/s** (goal 80,000) |",
            f"| bare COPY of the same file into text columns | {bare:.1f} s, "
            f"{batch / bare:,.0f} rows/s |",
            f"| strongest lock the ingest held on the call-record tables | {watch.strongest} |",
            f"| longest lock wait of another session during the ingest | "
            f"{watch.longest_wait_s * 1000:.0f} ms |",
        ]
        for url in readers:
            times = meanwhile.times.get(url, [])
            lines.append(
                f"| {url} during the ingest | p95 {bench.p95(times):.0f} ms over {len(times)} "
                "requests |"
            )
        lines.append(f"| load average after the ingest | {bench.load()} |")
        self.say("\n".join(lines))
        if only == "ingest":
            began = time.monotonic()
            bench.forget_batch(tag, day)
            self.say(
                f"(the batch deleted again and its month vacuumed: {time.monotonic() - began:.0f} s)"
            )
            return

        # 2. pages and API lists
        self.say(f"\npages and API lists of {tenant.slug} (40 % of the rows), load {bench.load()}")
        self.say("| page | cold p95 | warm p95 | warm median |\n|---|---|---|---|")
        for name, (cold, warm, median) in bench.measure_pages(tenant, operator, admin).items():
            self.say(f"| {name} | {cold:.0f} ms | {warm:.0f} ms | {median:.0f} ms |")
        self.say(f"load average {bench.load()}")

        # 3. retention of the oldest month
        if skip_retention:
            return
        when, name = bench.retention_now(tenants)
        began = time.monotonic()
        dropped, watch, meanwhile = bench.during(lambda: bench.drop_oldest(when), readers, admin)
        took = time.monotonic() - began
        gone = sum(sum(m.rows_by_tenant.values()) for m in dropped)
        detail = ", ".join(
            f"{m.name}: detach {m.detach_ms:.0f} ms, rollup + drop {m.drop_ms:.0f} ms"
            for m in dropped
        )
        self.say(
            f"\nretention of {name}: {gone:,} rows in {took:.2f} s ({detail}); strongest lock "
            f"held {watch.strongest}; longest lock wait of another session "
            f"{watch.longest_wait_s * 1000:.0f} ms; dashboard p95 meanwhile "
            f"{bench.p95(meanwhile.times.get(readers[0], [])):.0f} ms; load {bench.load()}"
        )
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_class WHERE relname = %s", [name])
            assert cur.fetchone()[0] == 0
