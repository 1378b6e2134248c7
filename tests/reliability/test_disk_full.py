"""A full disk (issue 16 item 3): recognised, the partial file deleted at once, the job failed
at once with a message that says so, staff alerted at ERROR and by e-mail, and the next job
unaffected. The ENOSPC comes from the kernel: writes to ``/dev/full``."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from exports import runner, services, storage
from exports.models import ExportJob


@pytest.fixture
def request_job(world, published):
    def _request(dataset):
        return services.request_export(
            tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
            datasets=[dataset], start=timezone.now() - timedelta(days=1), end=timezone.now(),
            format="csv",
        )[0]  # fmt: skip

    return _request


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _check_failed(job, caplog, outbox_before):
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 1  # no retry: retrying can't help
    assert job.error_message == runner.STORAGE_FULL
    assert "storage is full" in job.error_message
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == [f"export {job.pk}: storage full (ENOSPC); failed"]
    alerts = [m for m in mail.outbox[outbox_before:] if "storage is full" in m.subject]
    assert [m.to for m in alerts] == [["sam@platform.test"]]


def test_a_full_temporary_disk_fails_the_job_at_once_and_the_next_job_runs(
    world, request_job, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    real_temp_path = storage.temp_path

    def on_a_full_disk(job_id, kind="zip"):
        path = real_temp_path(job_id, kind)
        path.unlink()
        path.symlink_to("/dev/full")  # every write to it: ENOSPC
        return path

    job = request_job("call_records")
    monkeypatch.setattr(storage, "temp_path", on_a_full_disk)
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        assert runner.run_export(job.pk) == "failed"
    _check_failed(job, caplog, 0)
    assert list(storage.local_temp_dir().iterdir()) == []  # nothing left behind

    monkeypatch.setattr(storage, "temp_path", real_temp_path)  # space was freed
    other = request_job("numbers")
    assert runner.run_export(other.pk) == "succeeded"


def test_a_full_export_storage_deletes_the_partial_upload(
    world, request_job, settings, tmp_path, caplog, django_capture_on_commit_callbacks
):
    root = tmp_path / "full-exports"
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {"BACKEND": "tests.reliability.fullstorage.FullDiskStorage",
                    "OPTIONS": {"location": str(root), "base_url": None}},
    }  # fmt: skip
    job = request_job("call_records")
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        assert runner.run_export(job.pk) == "failed"
    _check_failed(job, caplog, 0)
    assert _files(root) == []  # the KiB that did land was deleted
    assert not ExportJob.objects.filter(pk=job.pk).exclude(file_name="").exists()
