"""Ingest respects tenancy: operators the tenant chose, Validated addresses, the tenant's audit.

Every case runs on both engines. On the postgresql engine a rejected file must be refused by the
bulk path itself (else it would have written it): the report then comes from the row-by-row check
and ``report.engine`` says "portable"; an accepted file must stay on the bulk path.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from portal import services
from portal.choices import AuditAction, ValidationStatus
from portal.ingest.report import Reject
from portal.ingest.validate import VALIDATED_REASON
from portal.models import AuditEvent, CallRecord, EmergencyLocation, PhoneNumber
from tests.factories import EmergencyLocationFactory, PhoneNumberFactory
from tests.ingest.conftest import (
    LOCATION_ID,
    assign,
    call_row,
    encode,
    location_row,
    number_row,
    run,
)

FORMATS = ["csv", "ndjson"]
SECOND = "+442079460002"
NO_ASSIGNMENT = "tenant contoso has no assignment with operator operator-u"
REMOVED = (
    "tenant contoso removed its assignment with operator operator-u: "
    "only a released number (released_at) may name it"
)


def second_line(fmt: str) -> int:
    """The second row's line: the CSV header is line 1, NDJSON has none."""
    return 3 if fmt == "csv" else 2


def _accepted(report, engine: str) -> None:
    assert report.ok, report.rejects
    assert report.engine == engine  # the bulk path did not refuse a valid file


def _refused(report, engine: str, rejects: list[Reject]) -> None:
    assert not report.ok
    assert report.rejects == rejects
    assert report.engine == "portable"  # on postgresql: the bulk path refused it too
    assert (report.inserted, report.updated, report.unchanged, report.tenants) == (0, 0, 0, {})
    assert not AuditEvent.objects.filter(action=AuditAction.INGESTED).exists()


# --- (a) a number names an operator the tenant chose ----------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_number_of_an_operator_the_tenant_never_chose_is_a_reject(world, engine, fmt):
    rows = [number_row(), number_row(telephone_number=SECOND, operator="operator-u")]

    report = run("numbers", encode(rows, fmt), fmt, engine)

    _refused(report, engine, [Reject(second_line(fmt), "operator", NO_ASSIGNMENT)])
    assert not PhoneNumber.objects.exists()  # all or nothing: the first row was valid


def test_the_tenant_is_the_row_s_own_not_any_tenant(world, engine):
    """Fabrikam never chose Operator O, although Contoso did."""
    rows = [number_row(tenant="fabrikam")]

    report = run("numbers", encode(rows, "csv"), "csv", engine)

    reason = "tenant fabrikam has no assignment with operator operator-o"
    _refused(report, engine, [Reject(2, "operator", reason)])


def test_a_tenant_named_by_its_microsoft_id_is_checked_too(world, engine):
    tenant = str(world.tenant_a.microsoft_tenant_id)
    rows = [number_row(tenant=tenant, operator="operator-u")]

    report = run("numbers", encode(rows, "csv"), "csv", engine)

    reason = f"tenant {tenant} has no assignment with operator operator-u"
    _refused(report, engine, [Reject(2, "operator", reason)])


def test_a_suspended_assignment_still_carries_its_numbers(world, engine):
    services.suspend_assignment(world.assignment, by=world.alice)

    report = run("numbers", encode([number_row()], "csv"), "csv", engine)

    _accepted(report, engine)
    assert PhoneNumber.objects.get().operator == world.operator_o


def test_a_removed_assignment_takes_only_released_numbers(world, engine, operator_u_assigned):
    services.remove_assignment(operator_u_assigned, by=world.alice)
    current = number_row(operator="operator-u")
    released = number_row(
        telephone_number=SECOND, operator="operator-u", released_at="2025-01-01T00:00:00Z"
    )

    refused = run("numbers", encode([released, current], "csv"), "csv", engine)
    _refused(refused, engine, [Reject(3, "operator", REMOVED)])
    assert not PhoneNumber.objects.exists()

    report = run("numbers", encode([released], "csv"), "csv", engine)
    _accepted(report, engine)
    assert PhoneNumber.objects.get().released_at is not None


def test_moving_a_stored_number_to_an_unchosen_operator_is_refused(world, engine):
    PhoneNumberFactory(telephone_number=SECOND, tenant=world.tenant_a, operator=world.operator_o)

    report = run("numbers", encode([number_row(telephone_number=SECOND, operator="operator-u")],
                                   "csv"), "csv", engine)  # fmt: skip

    _refused(report, engine, [Reject(2, "operator", NO_ASSIGNMENT)])
    assert PhoneNumber.objects.get().operator == world.operator_o


def test_call_records_may_name_an_operator_without_assignment(world, engine):
    """History Microsoft reports: kept; the sharing gate never exports it without an
    assignment period covering the call (docs/ingest.md, "Tenancy")."""
    report = run("call-records", encode([call_row(operator="operator-u")], "csv"), "csv", engine)

    _accepted(report, engine)
    assert CallRecord.objects.get().operator == world.operator_u


# --- (b) a Validated emergency address is immutable -----------------------------------------


@pytest.fixture
def validated(world):
    """A stored Validated location, with the same values as ``location_row(location_id=…)``."""
    return EmergencyLocationFactory(
        tenant=world.tenant_a,
        location_id=LOCATION_ID,
        **{k: v for k, v in _stored_row().items() if k not in ("location_id", "tenant")},
    )


def _stored_row(**overrides) -> dict:
    return location_row(location_id=str(LOCATION_ID), **overrides)


NEW_LOCATION = location_row()  # another, new location: valid on its own


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("status", ["NotValidated", "Failed", ""])
def test_changing_a_validated_address_without_revalidation_is_a_reject(
    world, engine, fmt, validated, status
):
    rows = [
        NEW_LOCATION,
        _stored_row(street_name="Baker Lane", postal_code="NW1 6XF", validation_status=status),
    ]

    report = run("emergency-locations", encode(rows, fmt), fmt, engine)

    line = second_line(fmt)
    _refused(
        report,
        engine,
        [
            Reject(line, "street_name", VALIDATED_REASON),
            Reject(line, "postal_code", VALIDATED_REASON),
        ],
    )
    stored = EmergencyLocation.objects.get()  # the new location of the first row: not written
    assert (stored.street_name, stored.validation_status) == ("Baker", "Validated")


@pytest.mark.parametrize(
    "change",
    [
        {"company_name": "Contoso Group"},
        {"house_number": "222"},
        {"city": "Londres"},
        {"country": "IE"},
        {"latitude": "51.523768"},
        {"longitude": "", "latitude": ""},
    ],
)
def test_every_address_field_is_kept(world, engine, validated, change):
    row = _stored_row(validation_status="NotValidated", **change)

    report = run("emergency-locations", encode([row], "csv"), "csv", engine)

    assert not report.ok and report.engine == "portable"
    assert {r.field for r in report.rejects} == set(change)


def test_a_row_without_the_status_column_is_not_a_revalidation(world, engine, validated):
    row = _stored_row(city="Leeds")
    del row["validation_status"]

    report = run("emergency-locations", encode([row], "csv"), "csv", engine)

    _refused(report, engine, [Reject(2, "city", VALIDATED_REASON)])


def test_a_row_revalidated_by_microsoft_may_change_the_address(world, engine, validated):
    row = _stored_row(street_name="Baker Lane", validation_status="Validated")

    report = run("emergency-locations", encode([row], "csv"), "csv", engine)

    _accepted(report, engine)
    assert report.updated == 1
    assert EmergencyLocation.objects.get().street_name == "Baker Lane"


def test_place_description_and_status_of_a_validated_location_may_change(world, engine, validated):
    row = _stored_row(
        place_name="3rd floor", elin="ELIN-7", description="Head office",
        validation_status="NotValidated",
    )  # fmt: skip

    report = run("emergency-locations", encode([row], "csv"), "csv", engine)

    _accepted(report, engine)
    stored = EmergencyLocation.objects.get()
    assert (stored.place_name, stored.validation_status) == ("3rd floor", "NotValidated")


def test_the_same_coordinates_written_differently_are_no_change(world, engine, validated):
    row = _stored_row(latitude="+51.523767", longitude="-0.158555", validation_status="Failed")

    report = run("emergency-locations", encode([row], "csv"), "csv", engine)

    _accepted(report, engine)
    assert EmergencyLocation.objects.get().latitude == Decimal("51.523767")


def test_a_location_not_validated_may_change(world, engine, validated):
    EmergencyLocation.objects.update(validation_status=ValidationStatus.NOT_VALIDATED)
    row = _stored_row(street_name="Baker Lane", validation_status="NotValidated")

    report = run("emergency-locations", encode([row], "csv"), "csv", engine)

    _accepted(report, engine)
    assert EmergencyLocation.objects.get().street_name == "Baker Lane"


# --- (c) one audit event per tenant the ingest touched --------------------------------------


def _tenant_events(tenant) -> list[dict]:
    return [
        e.details for e in AuditEvent.objects.for_tenant(tenant).filter(action=AuditAction.INGESTED)
    ]


def _counts(rows_total, inserted, updated, unchanged, moved_away=0) -> dict:
    return {
        "rows_total": rows_total,
        "inserted": inserted,
        "updated": updated,
        "unchanged": unchanged,
        "moved_away": moved_away,
    }


@pytest.fixture
def fabrikam_chose_o(world):
    return assign(world.tenant_b, world.operator_o, world.bob)


def test_each_tenant_gets_its_own_event_with_its_own_counts(world, engine, fabrikam_chose_o):
    rows = [
        number_row(),
        number_row(telephone_number=SECOND),
        number_row(telephone_number="+4930901820", tenant="fabrikam"),
    ]
    run("numbers", encode(rows, "csv"), "csv", engine, by=world.sam, source="n.csv")
    rows[1]["city"] = "Leeds"

    report = run("numbers", encode(rows, "csv"), "csv", engine, by=world.sam, source="n.csv")

    _accepted(report, engine)
    a, b = world.tenant_a.pk, world.tenant_b.pk
    assert report.tenants == {a: _counts(2, 0, 1, 1), b: _counts(1, 0, 0, 1)}
    newest = AuditEvent.objects.for_tenant(world.tenant_a).first()
    assert (newest.action, newest.actor, newest.target_label) == (
        AuditAction.INGESTED, world.sam, "phone numbers",
    )  # fmt: skip
    assert newest.details == {
        "summary": "2 phone numbers: 0 new, 1 changed, 1 unchanged",
        "kind": "numbers",
        "format": "csv",
        "source": "n.csv",
        **_counts(2, 0, 1, 1),
    }
    assert [e["summary"] for e in _tenant_events(world.tenant_a)] == [
        "2 phone numbers: 0 new, 1 changed, 1 unchanged",
        "2 phone numbers: 2 new, 0 changed, 0 unchanged",
    ]
    assert [e["summary"] for e in _tenant_events(world.tenant_b)] == [
        "1 phone numbers: 0 new, 0 changed, 1 unchanged",
        "1 phone numbers: 1 new, 0 changed, 0 unchanged",
    ]
    platform = AuditEvent.objects.filter(action=AuditAction.INGESTED, tenant=None).first()
    assert (platform.details["tenants"], platform.details["updated"]) == (2, 1)


def test_a_ported_number_is_in_the_old_tenant_s_log_too(world, engine, fabrikam_chose_o):
    PhoneNumberFactory(telephone_number=SECOND, tenant=world.tenant_a, operator=world.operator_o)
    rows = [number_row(telephone_number=SECOND, tenant="fabrikam")]

    report = run("numbers", encode(rows, "csv"), "csv", engine, by=world.sam)

    _accepted(report, engine)
    assert report.tenants == {
        world.tenant_a.pk: _counts(0, 0, 0, 0, moved_away=1),
        world.tenant_b.pk: _counts(1, 0, 1, 0),
    }
    assert _tenant_events(world.tenant_a)[0]["summary"] == (
        "1 phone numbers moved to another tenant"
    )
    assert _tenant_events(world.tenant_b)[0]["summary"] == (
        "1 phone numbers: 0 new, 1 changed, 0 unchanged"
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_call_records_and_locations_count_per_tenant(world, engine, fmt):
    other = {"tenant": "fabrikam", "tenant_country": "DE"}
    calls = [
        call_row(),
        call_row(id="1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b", call_id="call-2"),
        call_row(id="2f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b", call_id="call-3", **other),
    ]
    run("call-records", encode(calls, fmt), fmt, engine)
    calls[2]["duration_seconds"] = "61"
    calls.append(call_row(id="3f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b", call_id="call-4"))

    report = run("call-records", encode(calls, fmt), fmt, engine)

    _accepted(report, engine)
    a, b = world.tenant_a.pk, world.tenant_b.pk
    assert report.tenants == {a: _counts(3, 1, 0, 2), b: _counts(1, 0, 1, 0)}
    assert [e["rows_total"] for e in _tenant_events(world.tenant_b)] == [1, 1]

    locations = [location_row(), location_row(location_id=str(LOCATION_ID), tenant="fabrikam")]
    report = run("emergency-locations", encode(locations, fmt), fmt, engine)
    assert report.tenants == {a: _counts(1, 1, 0, 0), b: _counts(1, 1, 0, 0)}


def test_a_refused_file_writes_no_event(world, engine):
    rows = [number_row(), number_row(telephone_number="12")]

    report = run("numbers", encode(rows, "csv"), "csv", engine, by=world.sam)

    assert not report.ok
    assert not AuditEvent.objects.filter(action=AuditAction.INGESTED).exists()


def test_the_event_shows_in_the_tenant_s_audit_page_and_api(world, client, fabrikam_chose_o):
    rows = [number_row(), number_row(telephone_number="+4930901820", tenant="fabrikam")]
    run("numbers", encode(rows, "csv"), "csv", by=world.sam, source="n.csv")
    sentence = (
        "Sam Staff ingested data phone numbers (1 phone numbers: 1 new, 0 changed, 0 unchanged)"
    )

    client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("tenant:audit", kwargs={"tenant_slug": "contoso"}))
    assert [e.sentence for e in page.context["page"].object_list][0] == sentence
    body = client.get("/api/v1/tenants/contoso/audit-events/").json()
    event = body["results"][0]
    assert (event["action"], event["sentence"]) == ("data.ingested", sentence)
    assert event["details"]["source"] == "n.csv"

    # Each tenant sees its own event only: one each, never the other's or the platform's.
    client.force_login(world.bob, backend="django.contrib.auth.backends.ModelBackend")
    body = client.get("/api/v1/tenants/fabrikam/audit-events/").json()
    ingested = [e for e in body["results"] if e["action"] == "data.ingested"]
    assert len(ingested) == 1 and ingested[0]["details"]["rows_total"] == 1
    assert client.get("/api/v1/tenants/contoso/audit-events/").status_code == 404
