"""Private storage of export files: Django ``STORAGES["exports"]`` (I5, STYLE §10).

Filesystem by default, S3-compatible when configured. Nothing here assumes the web process and
the worker share a disk: the worker builds the ZIP in a local temporary file and *uploads* it;
the web process reads it back through the storage API.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.utils import timezone
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from exports.choices import ExportStatus
from exports.models import ExportJob
from exports.processes import owner_is_dead

logger = logging.getLogger(__name__)


def export_storage() -> Storage:
    return storages["exports"]


def new_file_name(job_id) -> str:
    """``<job uuid>/<random>.zip``: unguessable, unique per attempt, grouped per job."""
    return f"{job_id}/{secrets.token_urlsafe(18)}.zip"


def local_temp_dir() -> Path:
    path = Path(settings.VAR_DIR) / "tmp" / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


TEMP_SUFFIX = ".part"


def temp_path(job_id, kind: str = "zip") -> Path:
    """A new local working file of one attempt: ``<job id>-<random>.<kind>.part``.

    Every working file of a job (the ZIP, the subjects list) starts with the job id and ends in
    ``.part``, so one glob finds what an interrupted attempt left, whatever it was writing.
    """
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed at once; the path is used)
        dir=local_temp_dir(), prefix=f"{job_id}-", suffix=f".{kind}{TEMP_SUFFIX}", delete=False
    )
    handle.close()
    return Path(handle.name)


def delete_job_temp(job_id) -> int:
    """Delete this host's temporary files of one job (left by an interrupted attempt)."""
    removed = 0
    for path in local_temp_dir().glob(f"{job_id}-*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed += 1
    return removed


def clean_local_temp(older_than_seconds: float | None = None) -> int:
    """Delete this host's working files (ZIPs, subject lists) no live attempt is writing.

    See docs/reliability.md.

    A file is an orphan when its job is not running, when the process holding the job's lease
    was one of this host's and is dead (SIGKILL, OOM), or when nobody wrote to it for longer
    than ``older_than_seconds`` (default: two leases — a writer renews its lease far more
    often). Run by every sweep, on whichever worker host runs it.
    """
    if older_than_seconds is None:
        older_than_seconds = 2 * settings.EXPORT_LEASE_SECONDS
    cutoff = time.time() - older_than_seconds
    paths = list(local_temp_dir().glob(f"*{TEMP_SUFFIX}"))
    ids = {p.name[:36] for p in paths}
    owners = {
        str(pk): owner
        for pk, owner in ExportJob.objects.filter(
            pk__in=[i for i in ids if _is_uuid(i)], status=ExportStatus.RUNNING
        ).values_list("pk", "lease_owner")
    }
    removed = 0
    for path in paths:
        owner = owners.get(path.name[:36])
        with contextlib.suppress(FileNotFoundError):
            if owner is None or owner_is_dead(owner) or path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    if removed:
        logger.info("removed %d orphaned temporary export files", removed)
    return removed


def abort_stale_uploads(older_than_seconds: float | None = None) -> int:
    """Abort the bucket's unfinished multipart uploads that no live attempt will complete.

    A worker killed while uploading a large ZIP leaves an unfinished multipart upload: no
    listing shows it, yet the bucket keeps (and bills) its parts. One is stale when it started
    more than ``older_than_seconds`` ago (default: two leases) and its job is not running — or,
    even if the job is running, when it started a day ago (no attempt uploads that long). Run by
    the expiry purge; a filesystem storage has none. Returns how many were aborted.
    """
    storage = export_storage()
    if not isinstance(storage, S3Storage):
        return 0
    if older_than_seconds is None:
        older_than_seconds = 2 * settings.EXPORT_LEASE_SECONDS
    now = timezone.now()
    cutoff, day_ago = now - timedelta(seconds=older_than_seconds), now - timedelta(days=1)
    prefix = f"{storage.location.strip('/')}/" if storage.location.strip("/") else ""
    client = storage.connection.meta.client
    with storage_errors():
        pages = client.get_paginator("list_multipart_uploads").paginate(
            Bucket=storage.bucket_name, Prefix=prefix
        )
        uploads = [u for page in pages for u in page.get("Uploads", [])]
    job_ids = {u["Key"][len(prefix) :].split("/", 1)[0] for u in uploads}
    running = {
        str(pk)
        for pk in ExportJob.objects.filter(
            pk__in=[i for i in job_ids if _is_uuid(i)], status=ExportStatus.RUNNING
        ).values_list("pk", flat=True)
    }
    aborted = 0
    for upload in uploads:
        job_id = upload["Key"][len(prefix) :].split("/", 1)[0]
        if upload["Initiated"] >= cutoff or (job_id in running and upload["Initiated"] >= day_ago):
            continue
        with storage_errors():
            client.abort_multipart_upload(
                Bucket=storage.bucket_name, Key=upload["Key"], UploadId=upload["UploadId"]
            )
        aborted += 1
    if aborted:
        logger.info("aborted %d unfinished uploads of export files", aborted)
    return aborted


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def upload(path: Path, name: str) -> str:
    """Copy the finished local file into storage under ``name``; return the stored name."""
    with open(path, "rb") as fh, storage_errors():
        stored = export_storage().save(name, File(fh, name=Path(name).name))
    if stored != name:  # never expected: names are random; refuse to publish a surprise
        delete(stored)
        raise OSError("Storage renamed the export file.")
    return stored


@contextlib.contextmanager
def storage_errors():
    """Raise an object store's failures (unreachable, refused) as ``OSError``, like a disk's:
    the runner then retries (``TRANSIENT``) instead of failing the job for good, and a download
    answers as for a missing file instead of a 500."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise FileNotFoundError(str(exc)) from exc
        raise OSError(f"export storage: {exc}") from exc
    except BotoCoreError as exc:
        raise OSError(f"export storage: {exc}") from exc


def open_file(name: str) -> IO[bytes]:
    """A readable handle on a stored file, for streaming it to the person downloading it.

    On S3 this is the object's HTTP body, read as it is sent on: django-storages' ``open``
    would first copy the whole object into the web process's memory (its spool never spills
    to disk by default), so a 1 GiB export would cost 1 GiB of RAM per download. A missing
    object raises ``FileNotFoundError`` and any other storage failure ``OSError``, as the
    filesystem does.
    """
    storage = export_storage()
    if not isinstance(storage, S3Storage):
        return storage.open(name, "rb")
    key = storage._normalize_name(clean_name(name))
    with storage_errors():
        response = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=key)
    return response["Body"]


def delete(name: str) -> None:
    if name:
        with storage_errors():
            export_storage().delete(name)


def delete_job_files(job_id) -> int:
    """Delete every file stored for a job, including leftovers of interrupted attempts."""
    storage = export_storage()
    try:
        _dirs, files = storage.listdir(str(job_id))
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for file_name in files:
        storage.delete(f"{job_id}/{file_name}")
    return len(files)


def orphan_file_names(job_id, keep: str) -> list[str]:
    storage = export_storage()
    try:
        _dirs, files = storage.listdir(str(job_id))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [f"{job_id}/{f}" for f in files if f"{job_id}/{f}" != keep]
