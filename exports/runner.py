"""Running one export job exactly once (invariant I6, STYLE §7–9).

claim (conditional UPDATE) → re-check permission and notice → build the ZIP locally while
renewing the lease → upload → publish (conditional UPDATE with file name and checksum, plus the
success audit event, in one transaction). Whoever loses a conditional UPDATE stops and cleans up.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import threading
import time
from datetime import timedelta
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from exports import notifications, storage
from exports.choices import ExportStatus
from exports.engine.archive import file_sha256, write_archive
from exports.engine.subjects import load_subjects
from exports.models import ExportJob
from exports.permissions import check_may_request
from exports.processes import owner_is_dead, worker_name
from portal.choices import AuditAction
from portal.errors import DomainError
from portal.services.audit import record_event

logger = logging.getLogger(__name__)

TRANSIENT: tuple[type[Exception], ...] = (OperationalError, InterfaceError, OSError)
try:  # the PostgreSQL source reads through a raw psycopg connection
    import psycopg
except ImportError:  # pragma: no cover - psycopg is a requirement
    pass
else:
    TRANSIENT += (psycopg.OperationalError, psycopg.InterfaceError)
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
STORAGE_FULL = (
    "The export could not be saved because the export storage is full. Platform staff have "
    "been alerted; request it again later."
)
GENERIC_FAILURE = "The export failed because of an internal error. Please request it again."


class LeaseLost(Exception):
    """Another worker took the job over, or it was cancelled: stop without publishing."""


class TransientExportError(Exception):
    """A passing failure (database, storage): the job went back to the queue; retry later."""


def lease_seconds() -> int:
    return settings.EXPORT_LEASE_SECONDS


def claim(job_id, worker: str) -> ExportJob | None:
    """Take the job if it is queued, or running under a lease that lapsed or whose owner is a
    dead process of this host; else None."""
    now = timezone.now()
    claimable = Q(status=ExportStatus.QUEUED) | Q(
        status=ExportStatus.RUNNING, lease_expires_at__lt=now
    )
    owner = (
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING)
        .values_list("lease_owner", flat=True)
        .first()
    )
    if owner and owner_is_dead(owner):
        # Conditional on that very owner: of two takers, one wins.
        claimable |= Q(status=ExportStatus.RUNNING, lease_owner=owner)
        logger.warning("export %s: its worker process died; taking it over", job_id)
    claimed = (
        ExportJob.objects.filter(pk=job_id)
        .filter(claimable)
        .update(
            status=ExportStatus.RUNNING,
            lease_owner=worker,
            lease_expires_at=now + timedelta(seconds=lease_seconds()),
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            started_at=Coalesce(F("started_at"), now),
            progress=0,
        )
    )
    if not claimed:
        return None
    return ExportJob.objects.select_related("tenant", "operator", "requested_by").get(pk=job_id)


class Lease:
    """The worker's hold on a job: renewed with progress about every 1 % or heartbeat."""

    def __init__(self, job: ExportJob, owner: str):
        self.job = job
        self.owner = owner
        self.percent = -1
        self.renewed = time.monotonic()
        self.interval = max(1.0, lease_seconds() / 4)

    def _mine(self):
        return ExportJob.objects.filter(
            pk=self.job.pk, lease_owner=self.owner, status=ExportStatus.RUNNING
        )

    def renew(self, **fields) -> None:
        now = timezone.now()
        if not self._mine().update(
            lease_expires_at=now + timedelta(seconds=lease_seconds()), heartbeat_at=now, **fields
        ):
            raise LeaseLost
        self.renewed = time.monotonic()

    def report(self, done: int, total: int) -> None:
        """``total`` is an estimate (``write_archive``): the percentage stays below 100 until
        the file is published, and ``rows_total`` says the rows written so far, never a guess."""
        percent = min(99, done * 100 // total) if total else 0
        if percent > self.percent:
            self.percent = percent
            self.renew(progress=percent, rows_total=done)
        elif time.monotonic() - self.renewed >= self.interval:
            self.renew()

    @contextlib.contextmanager
    def kept_alive(self):
        """Renew the lease from a helper thread (its own connection) while the caller works
        without progress to report — waiting for the subject aggregation after the files."""
        stop = threading.Event()

        def beat() -> None:
            try:
                while not stop.wait(self.interval):
                    now = timezone.now()
                    self._mine().update(
                        lease_expires_at=now + timedelta(seconds=lease_seconds()), heartbeat_at=now
                    )
            except Exception:  # noqa: BLE001 (the main thread's next renew() decides)
                logger.warning("export %s: could not renew the lease from the helper", self.job.pk)
            finally:
                connections.close_all()

        thread = threading.Thread(target=beat, name=f"lease-{self.job.pk}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def release(self) -> None:
        """Give the job back to the queue (a transient error; the task retries)."""
        self._mine().update(status=ExportStatus.QUEUED, lease_owner="", lease_expires_at=None)


def publish(
    job: ExportJob,
    lease: Lease,
    *,
    name: str,
    size: int,
    sha256: str,
    manifest,
    subjects: Path | None = None,
) -> None:
    """Mark the job succeeded with its file and checksum — only if the lease is still ours.

    ``subjects``: the people the file holds (``exports/engine/subjects.py``), recorded in the
    same transaction, so the access report lists exactly the published files.
    """
    now = timezone.now()
    counts = {f["dataset"]: f["rows"] for f in manifest["files"]}
    notice = manifest.get("notice_version") or {}
    with transaction.atomic():
        # The last hand-over before the file can reach the operator: the gate must still be
        # open (I3). A DomainError here fails the job and the unpublished file is deleted.
        check_may_request(job.requested_by, job.tenant, job.operator, job.requested_via)
        if not lease._mine().update(
            status=ExportStatus.SUCCEEDED,
            progress=100,
            file_name=name,
            file_size=size,
            file_sha256=sha256,
            manifest=manifest,
            row_counts=counts,
            rows_total=sum(counts.values()),
            notice_version=notice.get("number"),
            finished_at=now,
            expires_at=now + settings.EXPORT_TTL,
            lease_owner="",
            lease_expires_at=None,
            error_message="",
        ):
            raise LeaseLost
        if subjects is not None:
            load_subjects(subjects)
        record_event(
            AuditAction.EXPORT_SUCCEEDED,
            actor=None,
            tenant=job.tenant,
            operator=job.operator,
            target=job,
            target_label=f"for {job.operator.name}",
            summary=f"{sum(counts.values())} rows",
            job=str(job.id),
            rows=counts,
            bytes=size,
            sha256=sha256,
            notice_version=notice.get("number"),
        )
        transaction.on_commit(lambda: notifications.export_finished(job.pk), robust=True)


def fail(job: ExportJob, owner: str | None, message: str, *, reason: str) -> bool:
    """Mark the job failed with a message safe to show; False if it was not ours to fail."""
    scope = ExportJob.objects.filter(pk=job.pk)
    scope = (
        scope.filter(lease_owner=owner, status=ExportStatus.RUNNING)
        if owner
        else scope.filter(status=ExportStatus.QUEUED)
    )
    with transaction.atomic():
        if not scope.update(
            status=ExportStatus.FAILED,
            error_message=message,
            finished_at=timezone.now(),
            lease_owner="",
            lease_expires_at=None,
        ):
            return False
        record_event(
            AuditAction.EXPORT_FAILED,
            actor=None,
            tenant=job.tenant,
            operator=job.operator,
            target=job,
            target_label=f"for {job.operator.name}",
            job=str(job.id),
            reason=reason,
        )
        transaction.on_commit(lambda: notifications.export_finished(job.pk), robust=True)
    return True


def run_export(job_id, *, worker: str | None = None) -> str:
    """Run the job if this worker can claim it. Returns what happened, for logs and tests."""
    worker = worker or worker_name()
    job = claim(job_id, worker)
    if job is None:
        logger.info("export %s: not claimable (finished, cancelled or running elsewhere)", job_id)
        return "skipped"
    # A worker of this host that died on this job left its temporary file: it goes now.
    storage.delete_job_temp(job.id)
    lease = Lease(job, worker)
    tmp: Path | None = None
    subjects: Path | None = None
    uploaded = ""
    try:
        notice = check_may_request(job.requested_by, job.tenant, job.operator, job.requested_via)
        tmp = storage.temp_path(job.id)
        subjects = storage.temp_path(job.id, kind="subjects")
        manifest = write_archive(
            job, tmp, notice=notice, report=lease.report, subjects=subjects,
            keep_alive=lease.kept_alive,
        )  # fmt: skip
        size, sha256 = tmp.stat().st_size, file_sha256(tmp)
        lease.renew()  # cancelled or taken over meanwhile? then do not upload at all
        # Named before the upload: a half-written upload (a full disk) is deleted below too.
        uploaded = storage.new_file_name(job.id)
        uploaded = storage.upload(tmp, uploaded)
        publish(
            job, lease, name=uploaded, size=size, sha256=sha256, manifest=manifest,
            subjects=subjects,
        )  # fmt: skip
        uploaded = ""  # published: from now on the file belongs to the job row
        for leftover in storage.orphan_file_names(job.id, keep=job_file(job.pk)):
            storage.delete(leftover)  # the partial upload of a worker that died
        logger.info("export %s: succeeded (%s bytes)", job.id, size)
        return "succeeded"
    except LeaseLost:
        logger.warning("export %s: lease lost (cancelled or taken over); stopped", job.id)
        return "lost"
    except DomainError as exc:
        fail(job, worker, exc.message, reason=exc.code)
        logger.info("export %s: refused (%s)", job.id, exc.code)
        return "failed"
    except TRANSIENT as exc:
        if storage_full(exc):
            # Retrying cannot help until someone frees space, and a retry would hold a worker
            # and leave another partial file: fail now, delete what was written, tell staff.
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            if fail(job, worker, STORAGE_FULL, reason="storage_full"):
                transaction.on_commit(lambda: notifications.storage_full(job.pk), robust=True)
            logger.error("export %s: storage full (%s); failed", job.id, errno.errorcode.get(
                storage_full(exc), "ENOSPC"))  # fmt: skip
            return "failed"
        logger.warning("export %s: transient %s; will retry", job.id, type(exc).__name__)
        with contextlib.suppress(*TRANSIENT):  # else the sweeper re-queues it later
            lease.release()
        raise TransientExportError(type(exc).__name__) from exc
    except Exception:
        logger.exception("export %s: failed", job.id)
        fail(job, worker, GENERIC_FAILURE, reason="error")
        return "failed"
    finally:
        for path in (tmp, subjects):
            if path is not None:
                path.unlink(missing_ok=True)
        # Even when interrupted right after publishing (SystemExit on SIGTERM), never delete a
        # file the row points to: ask the database, the source of truth.
        if uploaded and job_file(job.pk) != uploaded:
            try:
                storage.delete(uploaded)
            except OSError:
                logger.warning("export %s: could not delete an unpublished file", job_id)


def storage_full(exc: BaseException | None) -> int:
    """The errno (ENOSPC, EDQUOT) if ``exc`` or what caused it says the disk is full, else 0."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            return exc.errno
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return 0


def job_file(job_id) -> str:
    return ExportJob.objects.filter(pk=job_id).values_list("file_name", flat=True).first() or ""


def give_up(job_id) -> bool:
    """After the last retry of a transient error: fail the (re-queued) job."""
    job = ExportJob.objects.select_related("tenant", "operator").filter(pk=job_id).first()
    if job is None:
        return False
    storage.delete_job_temp(job.pk)
    return fail(
        job, None, "The export failed repeatedly because a service was unavailable. Try again.",
        reason="unavailable",
    )  # fmt: skip


# --- the Celery task ----------------------------------------------------------------------------

MAX_RETRIES = 5


def backoff(retries: int) -> int:
    """10 s, 20 s, 40 s, 80 s, 160 s."""
    return min(600, 10 * 2**retries)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, name="exports.tasks.run_export")
def run_export_task(self, job_id: str) -> str:
    """The worker's entry point: ``run_export`` with retries for transient failures.

    Defined beside what it runs, not in ``tasks.py``: ``services.send`` enqueues it, and
    ``tasks.py`` depends on ``services`` (its sweeps), so the request side imports the runner,
    never the other way round (docs/architecture.md, import contracts). Its name stays
    ``exports.tasks.run_export``: messages already queued keep working.
    """
    try:
        return run_export(job_id, worker=worker_name())
    except TransientExportError as exc:
        if self.request.retries >= self.max_retries:
            give_up(job_id)
            return "failed"
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
