"""manage.py bench_ingest --rows N: ingest N call records from CSV, next to a bare COPY of the file.

The file (realistic call records) is generated once under VAR_DIR/bench/ and reused. The bench
tenant's call records are deleted first so the timed run inserts every row; a second, timed run
of the same file shows the idempotent path (every row unchanged).
"""

from __future__ import annotations

import csv
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.test.utils import override_settings

from portal.ingest import ingest
from portal.ingest.specs import CALL_RECORDS
from portal.models import CallRecord, Operator, OperatorCountry, Tenant

TENANT_SLUG = "bench-tenant"
OPERATOR_SLUG = "bench-operator"

OSES = ["Windows 11", "Windows 10", "macOS 15", "macOS 14", "iOS 18", "Android 15", "Linux", ""]
PLATFORMS = ["windows", "windows", "macOS", "iOS", "android", "web", "ipPhone", "roomSystem"]
CONNECTIONS = ["wired", "wifi", "wifi", "mobile", "tunnel", "unknown"]
CALL_TYPES = ["user_out"] * 5 + ["user_in"] * 4 + ["conf_out", "ucap_in", "user_out_transfer"]
FIRST = ["Anna", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro", "Ines", "Jonas"]
LAST = ["Schmidt", "O'Neil", "Müller", "Smith", "García", "Nowak", "Rossi", "Kim"]
FAILURES = [(486, "Busy Here"), (480, "Temporarily Unavailable"), (404, "Not Found"), (487, "")]


def _ip(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return f"2001:db8:{rng.randrange(1, 0xFFFF):x}::{rng.randrange(1, 0xFFFF):x}"
    return f"{rng.choice((10, 172, 192))}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def generate(path: Path, rows: int, seed: int = 20261128) -> None:
    """Write ``rows`` plausible call records (of the bench tenant and operator) to ``path``."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    columns = [f.name for f in CALL_RECORDS.fields if f.name != "emergency_location_id"]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        step = 300 * 86400 / max(rows, 1)  # ~300 days of traffic, in time order like an export
        for n in range(rows):
            invite = start + timedelta(seconds=n * step + rng.random())
            ok = rng.random() > 0.12
            duration = int(rng.expovariate(1 / 180)) if ok else 0
            answer = invite + timedelta(seconds=rng.randrange(1, 15)) if ok else None
            end = answer + timedelta(seconds=duration) if answer else None
            sip, phrase = (200, "OK") if ok else rng.choice(FAILURES)
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if n % 5000 == 0:
                name = '=HYPERLINK("http://example.test","click")'
            elif n % 7 == 0:
                name = f"{rng.choice(LAST)}, {rng.choice(FIRST)}"
            poor = rng.random() < 0.06
            call_type = rng.choice(CALL_TYPES)
            values = {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "tenant": TENANT_SLUG,
                "operator": OPERATOR_SLUG,
                "call_id": f"{rng.getrandbits(64):016x}",
                "leg": "0",
                "correlation_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "user_object_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "user_upn": f"user{rng.randrange(5000)}@bench.example",
                "user_display_name": name,
                "caller_number": f"+4420{rng.randrange(10**8):08d}",
                "callee_number": f"+49{rng.randrange(10**10):010d}",
                "call_type": call_type,
                "direction": "inbound" if call_type.endswith("_in") else "outbound",
                "invite_time": _ts(invite),
                "start_time": _ts(answer) if answer else "",
                "end_time": _ts(end) if end else "",
                "failure_time": "" if ok else _ts(invite + timedelta(seconds=rng.randrange(1, 30))),
                "duration_seconds": str(duration),
                "duration_source": "microsoft",
                "success": "true" if ok else "false",
                "final_sip_code": str(sip),
                "final_sip_phrase": phrase,
                "microsoft_sub_code": str(rng.choice((0, 560486, 510404))),
                "destination_context": rng.choice(("domestic", "international")),
                "external_country": rng.choice(("DE", "GB", "FR", "US")),
                "tenant_country": "GB",
                "caller_ip": _ip(rng),
                "callee_ip": _ip(rng),
                "caller_os": rng.choice(OSES),
                "callee_os": rng.choice(OSES),
                "caller_platform": rng.choice(PLATFORMS),
                "callee_platform": rng.choice(PLATFORMS),
                "caller_connection_type": rng.choice(CONNECTIONS),
                "callee_connection_type": rng.choice(CONNECTIONS),
                "jitter_avg_ms": f"{rng.uniform(1, 45 if poor else 12):.2f}",
                "jitter_max_ms": f"{rng.uniform(12, 90):.2f}",
                "packet_loss_avg": f"{rng.uniform(0, 0.2 if poor else 0.02):.4f}",
                "packet_loss_max": f"{rng.uniform(0.02, 0.3):.4f}",
                "rtt_avg_ms": f"{rng.uniform(20, 600 if poor else 120):.1f}",
                "rtt_max_ms": f"{rng.uniform(120, 900):.1f}",
                "mos_avg": f"{rng.uniform(2.0 if poor else 3.6, 4.5):.2f}",
                "quality": "poor" if poor else "good",
                "is_emergency": "false",
            }
            writer.writerow([values[c] for c in columns])
    tmp.replace(path)


class Command(BaseCommand):
    help = "Time ingesting N call records against a bare COPY of the same CSV file."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--regenerate", action="store_true", help="write a new file")
        parser.add_argument(
            "--ordinary",
            action="store_true",
            help="never drop and rebuild the indexes: time the path of a batch small next to the "
            "table (INGEST_REBUILD_MIN_ROWS)",
        )

    def handle(self, *args, rows: int, regenerate: bool, ordinary: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_ingest measures the PostgreSQL engine: set DATABASE_URL.")
        path = Path(settings.VAR_DIR) / "bench" / f"call-records-{rows}.csv"
        if regenerate or not path.exists():
            began = time.perf_counter()
            generate(path, rows)
            self.stdout.write(f"generated {path} in {time.perf_counter() - began:.1f} s")
        size = path.stat().st_size
        tenant = self._bench_world()
        CallRecord.objects.filter(tenant=tenant).delete()
        if not connection.in_atomic_block:  # VACUUM cannot run in a transaction (tests)
            with connection.cursor() as cur:
                # An earlier run's million dead rows would otherwise bloat this run's inserts.
                cur.execute("VACUUM ANALYZE portal_callrecord")
        self._checkpoint()

        with self.settings_for(size, rebuild=not ordinary):
            ingest_s, report = self._time_ingest(path)
            self._checkpoint()
            again_s, again = self._time_ingest(path)
        copy_s = self._time_bare_copy(path)
        floor_s = self._time_table_floor(tenant)

        ingest_rate = report.rows_total / ingest_s
        copy_rate = rows / copy_s
        self.stdout.write(f"file: {rows:,} call records, {size / 1e6:.0f} MB")
        self.stdout.write(
            f"ingest (insert):    {ingest_s:7.2f} s  {ingest_rate:10,.0f} rows/s  "
            f"[{report.summary()}; engine {report.engine}]"
        )
        self.stdout.write(
            f"ingest (unchanged): {again_s:7.2f} s  {again.rows_total / again_s:10,.0f} rows/s  "
            f"[{again.summary()}]"
        )
        self.stdout.write(f"bare COPY:          {copy_s:7.2f} s  {copy_rate:10,.0f} rows/s")
        self.stdout.write(
            f"typed INSERT floor: {floor_s:7.2f} s  {rows / floor_s:10,.0f} rows/s  "
            "[the same rows, already typed, into a copy of portal_callrecord: its indexes and "
            "checks, no foreign keys]"
        )
        self.stdout.write(f"ratio ingest / bare COPY: {ingest_rate / copy_rate:.2f}")
        self.stdout.write(
            f"ratio ingest / typed INSERT floor: {ingest_rate / (rows / floor_s):.2f}"
        )
        if not report.ok or report.inserted != rows:
            raise CommandError("the bench ingest did not insert every row")

    @staticmethod
    def settings_for(size: int, rebuild: bool = True) -> override_settings:
        """Let the bench file through even if it is larger than INGEST_MAX_BYTES."""
        limits = {"INGEST_MAX_BYTES": max(settings.INGEST_MAX_BYTES, size)}
        if not rebuild:
            limits["INGEST_REBUILD_MIN_ROWS"] = sys.maxsize
        return override_settings(**limits)

    def _bench_world(self) -> Tenant:
        tenant, _ = Tenant.objects.get_or_create(
            slug=TENANT_SLUG, defaults={"name": "Bench Tenant", "country": "GB"}
        )
        operator, _ = Operator.objects.get_or_create(
            slug=OPERATOR_SLUG,
            defaults={
                "name": "Bench Operator",
                "privacy_policy_url": "https://bench-operator.example/privacy",
                "terms_url": "https://bench-operator.example/terms",
            },
        )
        OperatorCountry.objects.get_or_create(operator=operator, country="GB")
        return tenant

    @staticmethod
    def _checkpoint() -> None:
        """Write out the previous step's dirty pages now, so that they don't slow the next one
        (a superuser's or pg_checkpoint's right: skipped without it)."""
        if connection.in_atomic_block:
            return
        try:
            with connection.cursor() as cur:
                cur.execute("CHECKPOINT")
        except DatabaseError:
            pass

    @staticmethod
    def _time_ingest(path: Path):
        began = time.perf_counter()
        with path.open("rb") as stream:
            report = ingest("call-records", stream, "csv", source="bench_ingest")
        return time.perf_counter() - began, report

    @staticmethod
    def _time_table_floor(tenant: Tenant) -> float:
        """What writing these rows costs the call-record table itself, with no ingest at all."""
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_floor")
            cur.execute("CREATE TABLE bench_floor (LIKE portal_callrecord INCLUDING ALL)")
            began = time.perf_counter()
            cur.execute(
                "INSERT INTO bench_floor SELECT * FROM portal_callrecord WHERE tenant_id = %s",
                [tenant.pk],
            )
            elapsed = time.perf_counter() - began
            cur.execute("DROP TABLE bench_floor")
        return elapsed

    @staticmethod
    def _time_bare_copy(path: Path) -> float:
        """COPY the file into a plain table of text columns: what ``psql \\copy`` does."""
        with path.open("r", encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        columns = ", ".join(f'"{c}" text' for c in header)
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_bare_copy")
            cur.execute(f"CREATE TABLE bench_bare_copy ({columns})")
        began = time.perf_counter()
        sql = "COPY bench_bare_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
        with connection.cursor() as cur, path.open("rb") as stream, cur.copy(sql) as copy:
            while chunk := stream.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - began
        with connection.cursor() as cur:
            cur.execute("DROP TABLE bench_bare_copy")
        return elapsed
