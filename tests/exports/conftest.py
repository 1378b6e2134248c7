"""Fixtures of the export tests: a tenant with a history of share windows, rows inside and
outside them, a published notice, private storage in a temporary folder."""

import io
import json
import zipfile
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import time_machine

from exports import runner, storage
from exports.models import ExportJob
from notices.services import publish_notice
from portal import services
from portal.choices import CompanySize, Direction, TenantRole
from tests.factories import (
    CallRecordFactory,
    EmergencyLocationFactory,
    PhoneNumberFactory,
    TenantFactory,
    membership,
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports"), "base_url": None},
        },
    }
    settings.VAR_DIR = tmp_path


@pytest.fixture
def published(world):
    """Tenant A's notice names operator O (the world's assignment)."""
    return publish_notice(world.tenant_a, by=world.alice)


def _assign(tenant, operator, admin, countries):
    return services.assign_operator(
        tenant, operator, countries=countries, contact_full_name="Nina Admin",
        contact_email="nina@northwind.test", company_size=CompanySize.S51_250,
        acknowledged=True, by=admin,
    )  # fmt: skip


@pytest.fixture
def history(world):
    """Northwind (GB) and operator O, with a history that cuts share windows:

    Jan 1 enabled + O for GB, DE · Feb 1 countries → GB · Mar 1 suspended · Apr 1 resumed ·
    May 1 Operator Connect off · Jun 1 on again. Only [Jan 1, Feb 1) GB+DE, [Feb 1, Mar 1) GB,
    [Apr 1, May 1) GB and [Jun 1, now) GB are shared.
    """
    nina = world.alice.__class__.objects.create_user("nina@northwind.test", "x" * 20)
    with time_machine.travel(utc(2026, 1, 1, 0, 0), tick=False):
        tenant = TenantFactory(name="Northwind", slug="northwind", country="GB")
        membership(nina, tenant, TenantRole.ADMIN)
        services.enable_operator_connect(tenant, by=nina, acknowledged=True)
        assignment = _assign(tenant, world.operator_o, nina, ["GB", "DE"])
        # Users are told at once: version 1 names O for GB and DE, and stays in force through
        # the country change, the suspension and the off/on below (it over-discloses, never
        # under-discloses), so the windows are those of the periods.
        publish_notice(tenant, by=nina)
    with time_machine.travel(utc(2026, 2, 1), tick=False):
        services.change_assignment_countries(assignment, countries=["GB"], by=nina)
    with time_machine.travel(utc(2026, 3, 1), tick=False):
        services.suspend_assignment(assignment, by=nina)
    with time_machine.travel(utc(2026, 4, 1), tick=False):
        services.resume_assignment(assignment, by=nina)
    with time_machine.travel(utc(2026, 5, 1), tick=False):
        services.disable_operator_connect(tenant, by=nina)
    with time_machine.travel(utc(2026, 6, 1), tick=False):
        services.enable_operator_connect(tenant, by=nina, acknowledged=True)
    publish_notice(tenant, by=nina)
    return SimpleNamespace(tenant=tenant, nina=nina, assignment=assignment)


def call(tenant, operator, when, country="GB", **kw):
    """A call leg whose call_id says where it sits in the matrix."""
    return CallRecordFactory(
        tenant=tenant, operator=operator, invite_time=when, tenant_country=country, **kw
    )


def make_job(tenant, operator, by, *, datasets=("call_records",), fmt="csv", start=None,
             end=None, via="operator", mask=None) -> ExportJob:  # fmt: skip
    """A queued job row, as ``request_export`` would leave it (for engine-level tests)."""
    return ExportJob.objects.create(
        tenant=tenant, operator=operator, requested_by=by, requested_via=via,
        datasets=sorted(datasets), format=fmt,
        start=start or utc(2025, 1, 1), end=end or utc(2027, 1, 1),
        mask_external_digits=tenant.mask_external_digits if mask is None else mask,
        dedupe_key=f"test-{ExportJob.objects.count()}",
    )  # fmt: skip


def run(job: ExportJob) -> ExportJob:
    outcome = runner.run_export(job.pk)
    job.refresh_from_db()
    assert outcome in ("succeeded", "failed"), outcome
    return job


def read_zip(job: ExportJob) -> dict[str, bytes]:
    with storage.open_file(job.file_name) as fh:
        data = fh.read()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def manifest_of(job: ExportJob) -> dict:
    return json.loads(read_zip(job)["manifest.json"])


__all__ = ["Direction", "EmergencyLocationFactory", "PhoneNumberFactory", "call", "utc"]
