"""Scratch data and measurements for ``manage.py bench_export`` and the worker tests.

Seeds call records with PostgreSQL ``COPY … FROM STDIN`` in a scratch tenant ("bench-export")
whose operator ("bench-operator") has shared GB calls since 2020, so every seeded row is in the
operator's share.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection, transaction

from exports.models import ExportJob
from notices.services import publish_notice
from portal import partitions, services
from portal.choices import CompanySize, TenantRole
from portal.models import (
    CallRecord,
    Membership,
    Operator,
    OperatorCountry,
    Tenant,
    User,
)
from portal.models.calls import CALL_RECORD_COLUMNS

SINCE = datetime(2020, 1, 1, tzinfo=UTC)
RANGE_START = datetime(2025, 1, 1, tzinfo=UTC)
RANGE_END = datetime(2026, 1, 1, tzinfo=UTC)  # 365 days: inside EXPORT_MAX_SPAN_DAYS
SEED_BATCH = 50_000

COLUMNS = CALL_RECORD_COLUMNS

OSES = ["Windows 11", "macOS 15", "iOS 18", "Android 15"]
PLATFORMS = ["windows", "macOS", "iOS", "android", "web", "ipPhone"]
CONNECTIONS = ["wired", "wifi", "mobile", "unknown"]
NAMES = ["Anna Schmidt", "Ben O'Brien", "Chloé Martin", "Dev Patel", 'Eve "Evie" Smith']


def scratch(slug: str = "bench-export") -> tuple[Tenant, Operator, User]:
    """The scratch tenant, its operator and admin, sharing GB calls since 2020 (idempotent)."""
    admin, _ = User.objects.get_or_create(
        email=f"admin@{slug}.invalid", defaults={"full_name": "Bench Admin"}
    )
    operator, _ = Operator.objects.get_or_create(
        slug=f"{slug}-operator",
        defaults={
            "name": f"{slug.title()} Operator",
            "privacy_policy_url": "https://operator.example/privacy",
            "terms_url": "https://operator.example/terms",
        },
    )
    OperatorCountry.objects.get_or_create(operator=operator, country="GB")
    tenant, created = Tenant.objects.get_or_create(
        slug=slug,
        defaults={
            "name": slug.title(),
            "country": "GB",
            "privacy_contact_name": "Privacy Officer",
            "privacy_contact_email": f"privacy@{slug}.invalid",
        },
    )
    Membership.objects.get_or_create(user=admin, tenant=tenant, defaults={"role": TenantRole.ADMIN})
    if created:
        # Scratch history, built on its date: sharing (and the notice naming the operator)
        # began in 2020, so the seeded calls are all shared.
        with time_machine.travel(SINCE, tick=False):
            services.enable_operator_connect(tenant, by=admin, acknowledged=True)
            services.assign_operator(
                tenant, operator, countries=["GB"], contact_full_name="Bench Admin",
                contact_email=admin.email, company_size=CompanySize.S51_250, acknowledged=True,
                by=admin,
            )  # fmt: skip
            publish_notice(tenant, by=admin)
    return tenant, operator, admin


def _parties(rng: random.Random, n: int, outbound: bool) -> tuple[str, str]:
    """(caller, callee): the user's own number (one per user, like their UPN) on their side, a
    random external number on the other."""
    rng.randrange(10**7, 10**8)  # keeps the random sequence (and every other value) as before
    own, external = f"+4420700{n % 5000:05d}", f"+4479{rng.randrange(10**7, 10**8)}"
    return (own, external) if outbound else (external, own)


def _line(
    rng: random.Random,
    tenant_id: int,
    operator_id: int,
    n: int,
    span_s: int,
    *,
    start: datetime = RANGE_START,
    calls: str = "call-",
) -> str:
    invite = start + timedelta(seconds=rng.randrange(span_s))
    began = invite + timedelta(seconds=rng.randrange(1, 8))
    duration = rng.randrange(5, 3600)
    ended = began + timedelta(seconds=duration)
    outbound = rng.random() < 0.5
    name = NAMES[n % len(NAMES)]
    jitter = round(rng.uniform(1, 40), 2)
    loss = round(rng.uniform(0, 0.2), 4)
    rtt = round(rng.uniform(10, 600), 1)
    values = [
        str(uuid.UUID(int=rng.getrandbits(128), version=4)), str(tenant_id), str(operator_id),
        f"{calls}{n:09d}", "0", str(uuid.UUID(int=rng.getrandbits(128), version=4)), r"\N",
        f"user{n % 5000}@bench.invalid", name, *_parties(rng, n, outbound),
        "user_out" if outbound else "user_in", "outbound" if outbound else "inbound",
        invite.isoformat(), began.isoformat(), ended.isoformat(), r"\N", str(duration),
        "microsoft", "t", "200", "OK", r"\N", "domestic", "GB", "GB",
        f"10.{n % 250}.{rng.randrange(250)}.{rng.randrange(1, 250)}",
        f"192.0.2.{rng.randrange(1, 250)}", OSES[n % 4], OSES[(n + 1) % 4],
        PLATFORMS[n % 6], "pstn", CONNECTIONS[n % 4], "unknown",
        str(jitter), str(round(jitter * 1.8, 2)), str(loss), str(min(1.0, loss * 2)),
        str(rtt), str(round(rtt * 1.5, 1)), str(round(rng.uniform(1, 5), 2)),
        "poor" if rtt > 500 or loss > 0.1 or jitter > 30 else "good", "f", r"\N",
    ]  # fmt: skip
    return "\t".join(values) + "\n"


def seed_call_records(
    tenant: Tenant,
    operator: Operator,
    rows: int,
    *,
    seed: int = 1,
    start: datetime = RANGE_START,
    end: datetime = RANGE_END,
) -> int:
    """Top the scratch tenant's calls in [start, end) up to ``rows`` with COPY FROM STDIN;
    return how many were added."""
    have = CallRecord.objects.filter(
        tenant=tenant, invite_time__gte=start, invite_time__lt=end
    ).count()
    missing = rows - have
    if missing <= 0:
        return 0
    rng = random.Random(f"{seed}-{tenant.pk}-{have}")  # distinct ids per scratch tenant
    span_s = int((end - start).total_seconds()) - 7200
    # Call ids are numbered per window: another window's legs keep theirs.
    calls = "call-" if start == RANGE_START else f"call-{start:%Y%m%d%H%M}-"
    sql = f"COPY portal_callrecord ({', '.join(COLUMNS)}) FROM STDIN"
    partitions.ensure_range(start, end)  # COPY into the parent needs the months
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(sql) as copy:
            for batch in range(have, rows, SEED_BATCH):
                stop = min(rows, batch + SEED_BATCH)
                copy.write(
                    "".join(
                        _line(rng, tenant.pk, operator.pk, n, span_s, start=start, calls=calls)
                        for n in range(batch, stop)
                    )
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE portal_callrecord")
    return missing


def bench_job(tenant: Tenant, operator: Operator, admin: User, fmt: str) -> ExportJob:
    """A queued job for all seeded call records, as ``request_export`` would create it."""
    return ExportJob.objects.create(
        tenant=tenant, operator=operator, requested_by=admin, requested_via="tenant",
        datasets=["call_records"], start=RANGE_START, end=RANGE_END, format=fmt,
        mask_external_digits=tenant.mask_external_digits,
        dedupe_key=uuid.uuid4().hex,  # never deduplicated: each run measures afresh
    )  # fmt: skip
