"""One ZIP per job: a file per dataset, then ``manifest.json`` describing them (I6)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from exports.engine import EXPORTERS
from exports.engine.columns import time_text
from exports.engine.sources import open_source

if TYPE_CHECKING:
    from exports.models import ExportJob

FORMAT_VERSION = 1
COMPRESS_LEVEL = 1  # the fastest deflate: call records compress ~10x even so
MANIFEST_NAME = "manifest.json"


class _HashingEntry:
    """Counts and hashes the uncompressed bytes of one ZIP entry as they pass."""

    def __init__(self, fh):
        self.fh = fh
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.bytes += len(data)
        self.fh.write(data)


@dataclass
class Tracker:
    """Rows done out of rows expected; calls ``report(done, total)`` as rows stream by.

    ``total`` is the planner's estimate (no counting pass over the rows), so ``done`` may pass
    it: the lease caps the percentage below 100 until the job is published.
    """

    report: Callable[[int, int], None]
    total: int = 0
    done: int = 0

    def __call__(self, rows: int) -> None:
        self.done += rows
        self.report(self.done, self.total)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def build_manifest(job: ExportJob, files: list[dict], notice: Any) -> dict[str, Any]:
    requester = job.requested_by
    return {
        "format_version": FORMAT_VERSION,
        "job_id": str(job.id),
        "tenant": {
            "name": job.tenant.name,
            "slug": job.tenant.slug,
            "microsoft_tenant_id": str(job.tenant.microsoft_tenant_id),
        },
        "operator": {"name": job.operator.name, "slug": job.operator.slug},
        "requested_by": {
            "name": requester.display_name if requester else "",
            "email": requester.email if requester else "",
            "side": job.requested_via,
        },
        "datasets": list(job.datasets),
        "format": job.format,
        # None for an export without call records: the range applies to call records only.
        "time_range": (
            {"start": time_text(job.start), "end": time_text(job.end)}
            if job.start and job.end
            else None
        ),
        # Scheduled runs: the watermark range on ingestion time ("time_range" is then the same
        # window; call times are not limited by it). Null for an export someone asked for.
        "watermark": (
            {
                "on": "ingested_at",
                "from": time_text(job.ingested_from),
                "until": time_text(job.ingested_until),
                "schedule": str(job.schedule_id) if job.schedule_id else None,
            }
            if job.ingested_from is not None and job.ingested_until is not None
            else None
        ),
        "masked_external_digits": job.mask_external_digits,
        "generated_at": time_text(timezone.now()),
        "notice_version": _notice_summary(notice),
        "files": files,
    }


def _notice_summary(notice: Any) -> dict[str, Any] | None:
    if notice is None:
        return None
    effective = getattr(notice, "effective_at", None) or getattr(notice, "published_at", None)
    return {
        "number": getattr(notice, "number", None),
        "sha256": getattr(notice, "sha256", ""),
        "effective_at": time_text(effective) if effective else None,
    }


def write_archive(
    job: ExportJob,
    path: Path,
    *,
    notice: Any,
    report: Callable[[int, int], None],
    subjects: Path | None = None,
    keep_alive: Callable[[], contextlib.AbstractContextManager] | None = None,
) -> dict[str, Any]:
    """Write the job's ZIP to the local ``path``; return its manifest.

    With ``subjects``, also write there the people the files hold, from the same snapshot
    (``exports/engine/subjects.py``), for the runner to record when it publishes the file. It is
    aggregated while the files stream; ``keep_alive()`` holds the job's lease if the files are
    done first (the aggregation reports no progress).
    """
    exporters = [EXPORTERS[d] for d in job.datasets]
    tracker = Tracker(report)
    files = []
    with open_source(job) as source:
        pending = source.start_subjects(exporters, subjects) if subjects is not None else None
        try:
            tracker.total = sum(source.estimate(e) for e in exporters)
            report(0, tracker.total)
            with zipfile.ZipFile(
                path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
            ) as zf:
                for exporter in exporters:
                    name = exporter.file_name(job.format)
                    with zf.open(name, "w", force_zip64=True) as fh:
                        entry = _HashingEntry(fh)
                        rows = source.stream(exporter, entry, tracker)
                    files.append(
                        {
                            "name": name,
                            "dataset": exporter.dataset,
                            "rows": rows,
                            "bytes": entry.bytes,
                            "sha256": entry.sha256.hexdigest(),
                            "columns": exporter.header,
                        }
                    )
                manifest = build_manifest(job, files, notice)
                zf.writestr(
                    MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
                )
        except BaseException:
            if pending is not None:
                pending.cancel()
            raise
        if pending is not None:
            with (keep_alive or contextlib.nullcontext)():
                pending.wait()
    return manifest
