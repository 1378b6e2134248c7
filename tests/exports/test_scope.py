"""The exported rows are exactly the operator's share (I2): a hand-built scope matrix."""

import csv
import io
import json

import pytest

from tests.exports.conftest import make_job, read_zip, run, utc
from tests.factories import CallRecordFactory, EmergencyLocationFactory, PhoneNumberFactory

# The PostgreSQL path reads through its own connection: rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

# call_id → shared with operator O for Northwind? (the history fixture explains the windows)
CALLS = {
    "before-enablement": (utc(2025, 12, 15), "GB", True, False),
    "jan-gb": (utc(2026, 1, 15), "GB", True, True),
    "jan-de": (utc(2026, 1, 15), "DE", True, True),
    "jan-fr-not-assigned-country": (utc(2026, 1, 15), "FR", True, False),
    "feb-de-country-dropped": (utc(2026, 2, 15), "DE", True, False),
    "feb-gb": (utc(2026, 2, 15), "GB", True, True),
    "mar-gb-suspended": (utc(2026, 3, 15), "GB", True, False),
    "apr-gb-resumed": (utc(2026, 4, 15), "GB", True, True),
    "may-gb-oc-disabled": (utc(2026, 5, 15), "GB", True, False),
    "jun-gb-enabled-again": (utc(2026, 6, 15), "GB", True, True),
    "jan-gb-other-operator": (utc(2026, 1, 15), "GB", False, False),
}


@pytest.fixture
def matrix(world, history):
    for call_id, (when, country, own, _shared) in CALLS.items():
        CallRecordFactory(
            tenant=history.tenant,
            operator=world.operator_o if own else world.operator_u,
            invite_time=when,
            tenant_country=country,
            call_id=call_id,
        )
    # Another tenant's call carried by O in a shared month: never Northwind's export.
    CallRecordFactory(
        tenant=world.tenant_b, operator=world.operator_o, invite_time=utc(2026, 1, 15),
        call_id="other-tenant",
    )  # fmt: skip
    return history


def _rows(job, name):
    text = read_zip(job)[name].decode()
    if name.endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text)))
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_exported_call_records_are_exactly_the_share_windows(world, matrix, fmt):
    job = run(make_job(matrix.tenant, world.operator_o, world.oscar, fmt=fmt))
    assert job.status == "succeeded", job.error_message
    exported = {row["call_id"] for row in _rows(job, f"call_records.{fmt}")}
    assert exported == {cid for cid, (*_, shared) in CALLS.items() if shared}


def test_time_range_cuts_the_share_further(world, matrix):
    job = run(
        make_job(matrix.tenant, world.operator_o, world.oscar,
                 start=utc(2026, 1, 20), end=utc(2026, 6, 1))
    )  # fmt: skip
    exported = {row["call_id"] for row in _rows(job, "call_records.csv")}
    assert exported == {"feb-gb", "apr-gb-resumed"}


def test_numbers_and_locations_are_the_operators_current_share(world, matrix):
    tenant, o, u = matrix.tenant, world.operator_o, world.operator_u
    used_gb = EmergencyLocationFactory(tenant=tenant, company_name="Northwind GB")
    used_de = EmergencyLocationFactory(tenant=tenant, company_name="Northwind DE", country="DE")
    EmergencyLocationFactory(tenant=tenant, company_name="Unused")
    PhoneNumberFactory(tenant=tenant, operator=o, telephone_number="+442071111111",
                       emergency_location=used_gb)  # fmt: skip
    PhoneNumberFactory(tenant=tenant, operator=o, telephone_number="+493011111111",
                       iso_country_code="DE", emergency_location=used_de)  # fmt: skip
    PhoneNumberFactory(tenant=tenant, operator=u, telephone_number="+442072222222")
    PhoneNumberFactory(tenant=world.tenant_b, operator=o, telephone_number="+442073333333")
    job = run(make_job(tenant, o, world.oscar, datasets=["numbers", "emergency_locations"]))
    numbers = {r["telephone_number"] for r in _rows(job, "numbers.csv")}
    locations = {r["company_name"] for r in _rows(job, "emergency_locations.csv")}
    assert numbers == {"+442071111111"}
    assert locations == {"Northwind GB"}
    assert set(read_zip(job)) == {"numbers.csv", "emergency_locations.csv", "manifest.json"}
