"""``ingest()``: the one service behind ``manage.py ingest`` and (later) the ingest API."""

from __future__ import annotations

import logging
import tempfile
from contextlib import ExitStack
from typing import BinaryIO

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from portal.choices import AuditAction
from portal.ingest.portable import Counts, run_portable
from portal.ingest.postgres import FastPathRefused, PostgresIngest, is_data_error
from portal.ingest.readers import CHUNK_BYTES, FORMATS, open_reader, too_large
from portal.ingest.report import IngestInputError, IngestReport, RejectCollector
from portal.ingest.specs import KINDS, KindSpec
from portal.ingest.validate import header_rejects
from portal.models import Tenant, User
from portal.services.audit import record_event

logger = logging.getLogger("portal.ingest")

ENGINES = ("auto", "postgresql", "portable")


def ingest(
    kind: str,
    stream: BinaryIO,
    fmt: str,
    *,
    by: User | None = None,
    source: str = "",
    engine: str = "auto",
) -> IngestReport:
    """Validate and upsert one file of ``kind`` ("numbers", "call-records", "emergency-locations").

    All or nothing: if any row is refused, nothing is written and the report lists the rejects
    (line, field, reason). Idempotent: rows equal to what is stored are left untouched. Raises
    ``IngestInputError`` when the input as a whole is unusable (too large, binary, no header).
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise IngestInputError(f"Unknown kind; use one of: {', '.join(KINDS)}.", code="kind")
    if fmt not in FORMATS:
        raise IngestInputError(f"Unknown format; use one of: {', '.join(FORMATS)}.", code="format")
    if engine not in ENGINES:
        raise IngestInputError(f"Unknown engine; use one of: {', '.join(ENGINES)}.", code="engine")
    on_postgres = connection.vendor == "postgresql"
    if engine == "postgresql" and not on_postgres:
        raise IngestInputError("The postgresql engine needs a PostgreSQL database.", code="engine")
    bulk = on_postgres and engine != "portable"
    max_bytes = settings.INGEST_MAX_BYTES
    now = timezone.now()

    with ExitStack() as stack:
        stream = _rewindable(stream, max_bytes, stack)
        start = stream.tell()
        rejects = RejectCollector(settings.INGEST_MAX_REJECTS)
        with transaction.atomic():
            if on_postgres:
                # Two ingests of one kind at once would race on number periods; take turns.
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"ingest:{kind}"])
            counts = _bulk(spec, stream, fmt, now, max_bytes) if bulk else None
            used = "postgresql" if counts is not None else "portable"
            if counts is None and bulk:
                # Refused by the bulk path: most likely there are rejects. Find them without
                # writing (a million ORM inserts to roll back would take minutes).
                stream.seek(start)
                checked = _portable(spec, stream, fmt, rejects, now, max_bytes, write=False)
                counts = checked if rejects else None
            if counts is None:
                stream.seek(start)
                counts = _portable(spec, stream, fmt, rejects, now, max_bytes)
            report = IngestReport(
                kind=kind,
                rows_total=counts.rows_total,
                inserted=counts.inserted,
                updated=counts.updated,
                unchanged=counts.unchanged,
                rejects=rejects.rejects(),
                rejects_total=rejects.total,
                engine=used,
                tenants={
                    tenant_id: {
                        "rows_total": c.rows,
                        "inserted": c.inserted,
                        "updated": c.updated,
                        "unchanged": c.unchanged,
                        "moved_away": c.moved_away,
                    }
                    for tenant_id, c in sorted(counts.tenants.items())
                },
            )
            if not report.ok:
                report.inserted = report.updated = report.unchanged = 0
                report.tenants = {}
                transaction.set_rollback(True)
                logger.info(
                    "ingest %s refused: %d rows, %d rejects, nothing written",
                    kind,
                    report.rows_total,
                    report.rejects_total,
                )
                return report
            # The platform's record of the file (staff), then one event per tenant it touched,
            # in that tenant's own audit log, with that tenant's counts only.
            record_event(
                AuditAction.INGESTED,
                actor=by,
                target_label=spec.label,
                summary=f"{report.rows_total} {spec.label}",
                kind=kind,
                format=fmt,
                source=source[:200],
                tenants=len(report.tenants),
                **{k: v for k, v in report.counts().items() if k != "rejected"},
            )
            _record_tenant_events(report, spec, fmt, by=by, source=source)
            logger.info(
                "ingest %s ok (%s): %d rows, %d inserted, %d updated, %d unchanged",
                kind,
                used,
                report.rows_total,
                report.inserted,
                report.updated,
                report.unchanged,
            )
            return report


def _record_tenant_events(
    report: IngestReport, spec: KindSpec, fmt: str, *, by: User | None, source: str
) -> None:
    tenants = Tenant.objects.in_bulk(report.tenants)
    for tenant_id, counts in report.tenants.items():
        moved = counts["moved_away"]
        if counts["rows_total"]:
            summary = (
                f"{counts['rows_total']} {spec.label}: {counts['inserted']} new, "
                f"{counts['updated']} changed, {counts['unchanged']} unchanged"
            )
            if moved:
                summary += f"; {moved} moved to another tenant"
        else:
            summary = f"{moved} {spec.label} moved to another tenant"
        record_event(
            AuditAction.INGESTED,
            actor=by,
            tenant=tenants[tenant_id],
            target_label=spec.label,
            summary=summary,
            kind=spec.name,
            format=fmt,
            source=source[:200],
            **counts,
        )


def _bulk(spec: KindSpec, stream: BinaryIO, fmt: str, now, max_bytes: int) -> Counts | None:
    """The PostgreSQL bulk path, or None when it hands the file to the row-by-row check."""
    try:
        with transaction.atomic():
            return PostgresIngest(spec, now, max_bytes).run(stream, fmt)
    except FastPathRefused:
        logger.info("ingest %s: bulk path declined the file; checking row by row", spec.name)
    except DatabaseError as exc:
        if not is_data_error(exc):
            raise
        logger.info("ingest %s: bulk path refused the data; checking row by row", spec.name)
    except Exception as exc:  # psycopg errors raised inside COPY are not wrapped by Django
        if not is_data_error(exc):
            raise
        logger.info("ingest %s: COPY refused the data; checking row by row", spec.name)
    return None


def _portable(
    spec: KindSpec,
    stream: BinaryIO,
    fmt: str,
    rejects: RejectCollector,
    now,
    max_bytes: int,
    *,
    write: bool = True,
) -> Counts:
    reader = open_reader(stream, fmt, max_bytes)
    if reader.columns is not None:
        header_rejects(spec, reader.columns, rejects)
        if rejects:
            return Counts()
    return run_portable(spec, reader, rejects, now, write=write)


def _rewindable(stream: BinaryIO, max_bytes: int, stack: ExitStack) -> BinaryIO:
    """The stream itself if it can seek (a file, an upload); else a private spooled copy."""
    try:
        if stream.seekable():
            return stream
    except (AttributeError, ValueError):
        pass
    spool = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
    total = 0
    while chunk := stream.read(CHUNK_BYTES):
        total += len(chunk)
        if total > max_bytes:
            raise too_large(max_bytes)
        spool.write(chunk)
    spool.seek(0)
    return spool
