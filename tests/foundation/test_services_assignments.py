"""A tenant's operators: add, change countries, contact, suspend, resume, remove, relationship.

Each service: the state it leaves, exactly one audit event with its sentence, and each refusal
with its user-safe message and nothing changed (issue 2, item 5; invariants I2, I4).
"""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from portal import services
from portal.acknowledgements import ASSIGN_TEXT
from portal.choices import AuditAction, PstnAssignmentStatus
from portal.errors import Conflict, DomainError
from portal.models import AssignmentPeriod, OperatorAssignment
from tests.factories import OperatorFactory, PhoneNumberFactory
from tests.foundation.helpers import audit_mark, database_state, events_since

NOW = datetime(2027, 5, 4, 8, 0, tzinfo=UTC)  # after the world was built
LATER = NOW + timedelta(days=3)

CONTACT = {
    "contact_full_name": "  Alice Admin ",
    "contact_email": "alice@contoso.test",
    "company_size": "251-1000",
    "contact_phone": "+44 20 7946 0000",
}


def _assign(world, operator=None, countries=("de", "GB"), **over):
    return services.assign_operator(
        world.tenant_a,
        operator or world.operator_u,
        countries=list(countries),
        **(CONTACT | {"acknowledged": True, "by": world.alice, "ip": "192.0.2.10"} | over),
    )


def _user_number(world, number, country, *, tenant=None, operator=None, status=None):
    return PhoneNumberFactory(
        telephone_number=number,
        tenant=tenant or world.tenant_a,
        operator=operator or world.operator_o,
        iso_country_code=country,
        pstn_assignment_status=status or PstnAssignmentStatus.USER,
    )


def _refused(exc_type, message, call, **attrs):
    before = database_state()
    with pytest.raises(exc_type) as excinfo:
        call()
    assert excinfo.value.message == message
    for name, value in attrs.items():
        assert getattr(excinfo.value, name) == value
    assert database_state() == before


# --- assign -------------------------------------------------------------------------------------


def test_assigning_an_operator_stores_contact_countries_period_acknowledgement_and_one_event(
    world,
):
    mark = audit_mark()
    with time_machine.travel(NOW, tick=False):
        assignment = _assign(world)

    assignment = OperatorAssignment.objects.get(pk=assignment.pk)
    assert (assignment.status, assignment.relationship_status) == ("active", "pending")
    assert (assignment.contact_full_name, assignment.contact_phone) == (
        "Alice Admin",
        "+442079460000",
    )
    assert (assignment.company_size, assignment.created_by) == ("251-1000", world.alice)
    assert assignment.country_codes == ["DE", "GB"]
    [period] = assignment.periods.all()
    assert (period.started_at, period.ended_at, period.countries) == (NOW, None, ["DE", "GB"])
    ack = assignment.acknowledgement
    assert (ack.kind, ack.tenant, ack.operator, ack.user) == (
        "assign",
        world.tenant_a,
        world.operator_u,
        world.alice,
    )
    assert (ack.text_version, ack.acknowledged_at, ack.ip_address) == (
        "assign-2026-11",
        NOW,
        "192.0.2.10",
    )
    assert ack.text_sha256 == hashlib.sha256(ASSIGN_TEXT.text.encode()).hexdigest()

    [event] = events_since(mark)
    assert (event.action, event.actor, event.tenant, event.operator) == (
        AuditAction.ASSIGNMENT_ADDED,
        world.alice,
        world.tenant_a,
        world.operator_u,
    )
    assert (event.target_type, event.target_id) == ("operatorassignment", str(assignment.pk))
    assert event.details == {
        "countries": ["DE", "GB"],
        "acknowledgement_version": ASSIGN_TEXT.version,
        "acknowledgement_sha256": ack.text_sha256,
    }
    assert event.sentence == "Alice Admin added operator Operator U for DE, GB"


@pytest.mark.parametrize(
    ("over", "exc_type", "message", "field"),
    [
        (
            {"acknowledged": False},
            DomainError,
            "Please accept the data transfer notice to add this operator.",
            "acknowledged",
        ),
        ({"countries": []}, DomainError, "Choose at least one country.", "countries"),
        ({"countries": ["GB", "ES"]}, DomainError, "Operator U does not serve ES.", "countries"),
        ({"countries": ["XX"]}, DomainError, "Unknown country code: XX.", "countries"),
        (
            {"contact_full_name": "   "},
            DomainError,
            "Enter the contact's full name.",
            "contact_full_name",
        ),
        (
            {"contact_email": "alice"},
            DomainError,
            "Enter the contact's e-mail address.",
            "contact_email",
        ),
        ({"company_size": ""}, DomainError, "Choose the company size.", "company_size"),
        (
            {"contact_phone": "12"},
            DomainError,
            "Enter a phone number in international format, e.g. +44 20 7946 0000.",
            "contact_phone",
        ),
        (
            {"contact_phone": "+44 20 1"},
            DomainError,
            "This phone number is not valid.",
            "contact_phone",
        ),
    ],
)
def test_assigning_with_bad_input_is_refused_with_its_message_and_changes_nothing(
    world, over, exc_type, message, field
):
    countries = over.pop("countries", ["GB"])
    _refused(exc_type, message, lambda: _assign(world, countries=countries, **over), field=field)


def test_assigning_an_operator_twice_is_refused_and_records_no_acknowledgement(world):
    _refused(
        Conflict,
        "Operator O is already one of your operators.",
        lambda: _assign(world, operator=world.operator_o),
        code="already_assigned",
    )


def test_assigning_an_inactive_operator_is_refused(world):
    retired = OperatorFactory(name="Retired Telecom", slug="retired", is_active=False)
    _refused(
        DomainError,
        "Retired Telecom is not available in the directory.",
        lambda: _assign(world, operator=retired, countries=["GB"]),
    )


def test_assigning_a_removed_operator_again_reuses_the_row_and_opens_a_new_period(world):
    with time_machine.travel(NOW, tick=False):
        services.remove_assignment(world.assignment, by=world.alice)
    with time_machine.travel(LATER, tick=False):
        again = _assign(world, operator=world.operator_o, countries=["FR"])
    assert again.pk == world.assignment.pk
    assert again.country_codes == ["FR"]
    periods = list(again.periods.values_list("ended_at", "end_reason", "countries"))
    assert periods == [(NOW, "removed", ["DE", "GB"]), (None, "", ["FR"])]
    assert (again.status, again.acknowledgement.acknowledged_at) == ("active", LATER)


# --- countries ----------------------------------------------------------------------------------


def test_changing_countries_closes_the_period_opens_a_new_one_and_writes_one_event(world):
    mark = audit_mark()
    with time_machine.travel(NOW, tick=False):
        services.change_assignment_countries(
            world.assignment, countries=["fr", "GB"], by=world.alice, ip="192.0.2.1"
        )
    assignment = OperatorAssignment.objects.get(pk=world.assignment.pk)
    assert assignment.country_codes == ["FR", "GB"]
    periods = list(assignment.periods.values_list("ended_at", "end_reason", "countries"))
    assert periods == [(NOW, "countries_changed", ["DE", "GB"]), (None, "", ["FR", "GB"])]
    assert AssignmentPeriod.objects.get(assignment=assignment, ended_at=None).started_at == NOW
    [event] = events_since(mark)
    assert (event.action, event.actor, event.operator) == (
        AuditAction.ASSIGNMENT_COUNTRIES,
        world.alice,
        world.operator_o,
    )
    assert event.details == {
        "summary": "added FR; removed DE",
        "countries": ["FR", "GB"],
        "previous_countries": ["DE", "GB"],
    }
    assert event.sentence == "Alice Admin changed countries of Operator O (added FR; removed DE)"


def test_changing_countries_of_a_suspended_operator_opens_no_period_until_resumed(world):
    with time_machine.travel(NOW, tick=False):
        services.suspend_assignment(world.assignment, by=world.alice)
    services.change_assignment_countries(world.assignment, countries=["FR"], by=world.alice)
    assert world.assignment.periods.filter(ended_at=None).count() == 0
    with time_machine.travel(LATER, tick=False):
        services.resume_assignment(world.assignment, by=world.alice)
    assert world.assignment.periods.get(ended_at=None).countries == ["FR"]


@pytest.mark.parametrize(
    ("countries", "message"),
    [
        (["GB", "ES"], "Operator O does not serve ES."),
        (["DE", "GB"], "The countries are unchanged."),
        ([], "Choose at least one country."),
    ],
)
def test_changing_to_bad_countries_is_refused_and_changes_nothing(world, countries, message):
    _refused(
        DomainError,
        message,
        lambda: services.change_assignment_countries(
            world.assignment, countries=countries, by=world.alice
        ),
        field="countries",
    )


def test_dropping_a_country_that_still_has_user_assigned_numbers_is_refused_naming_them(world):
    _user_number(world, "+4930123456789", "DE")
    _user_number(world, "+4930123456700", "DE")
    # These do not block: another country, not assigned to a user, another operator, tenant.
    _user_number(world, "+442079460001", "GB")
    _user_number(world, "+4930123456701", "DE", status=PstnAssignmentStatus.VOICE_APP)
    _user_number(world, "+4930123456702", "DE", operator=world.operator_u)
    _user_number(world, "+4930123456703", "DE", tenant=world.tenant_b)
    _refused(
        Conflict,
        "You can't remove DE yet: 2 number(s) from Operator O are still assigned to users "
        "(+4930123456700, +4930123456789). Unassign these numbers from their users and release "
        "them to the operator first.",
        lambda: services.change_assignment_countries(
            world.assignment, countries=["GB"], by=world.alice
        ),
        code="numbers_assigned",
    )


def test_changing_countries_of_a_removed_operator_is_refused(world):
    services.remove_assignment(world.assignment, by=world.alice)
    _refused(
        DomainError,
        "This operator was removed. Add it again to use it.",
        lambda: services.change_assignment_countries(
            world.assignment, countries=["GB"], by=world.alice
        ),
    )


# --- contact ------------------------------------------------------------------------------------


def test_changing_the_contact_stores_it_and_writes_one_event(world):
    mark = audit_mark()
    services.change_assignment_contact(
        world.assignment,
        contact_full_name="Carol Contact",
        contact_email="carol@contoso.test",
        company_size="51-250",
        by=world.alice,
    )
    assignment = OperatorAssignment.objects.get(pk=world.assignment.pk)
    assert (
        assignment.contact_full_name,
        assignment.contact_email,
        assignment.company_size,
        assignment.contact_phone,
    ) == ("Carol Contact", "carol@contoso.test", "51-250", "")
    [event] = events_since(mark)
    assert event.sentence == "Alice Admin changed contact details for Operator O"
    assert event.details == {}


def test_changing_the_contact_to_an_invalid_one_is_refused(world):
    _refused(
        DomainError,
        "Choose the company size.",
        lambda: services.change_assignment_contact(
            world.assignment,
            contact_full_name="Carol",
            contact_email="carol@contoso.test",
            company_size="huge",
            by=world.alice,
        ),
        field="company_size",
    )


# --- suspend, resume, remove --------------------------------------------------------------------


def test_suspending_closes_the_period_and_writes_one_event(world):
    mark = audit_mark()
    with time_machine.travel(NOW, tick=False):
        services.suspend_assignment(world.assignment, by=world.alice, ip="192.0.2.2")
    assignment = OperatorAssignment.objects.get(pk=world.assignment.pk)
    assert (assignment.status, assignment.status_changed_at) == ("suspended", NOW)
    [period] = assignment.periods.all()
    assert (period.ended_at, period.ended_by, period.end_reason) == (NOW, world.alice, "suspended")
    [event] = events_since(mark)
    assert (event.action, event.tenant, event.operator) == (
        AuditAction.ASSIGNMENT_SUSPENDED,
        world.tenant_a,
        world.operator_o,
    )
    assert event.sentence == "Alice Admin suspended Operator O for DE, GB"


def test_suspending_a_suspended_operator_is_refused(world):
    services.suspend_assignment(world.assignment, by=world.alice)
    _refused(
        Conflict,
        "Operator O is not active, so it can't be suspended.",
        lambda: services.suspend_assignment(world.assignment, by=world.alice),
    )


def test_resuming_opens_a_period_for_the_configured_countries_and_writes_one_event(world):
    with time_machine.travel(NOW, tick=False):
        services.suspend_assignment(world.assignment, by=world.alice)
    mark = audit_mark()
    with time_machine.travel(LATER, tick=False):
        services.resume_assignment(world.assignment, by=world.victor)
    assignment = OperatorAssignment.objects.get(pk=world.assignment.pk)
    assert (assignment.status, assignment.status_changed_at) == ("active", LATER)
    periods = list(assignment.periods.values_list("started_at", "ended_at", "countries"))
    assert periods[1:] == [(LATER, None, ["DE", "GB"])]
    assert periods[0][1] == NOW
    [event] = events_since(mark)
    assert (event.action, event.actor) == (AuditAction.ASSIGNMENT_RESUMED, world.victor)
    assert event.sentence == "Victor Viewer resumed Operator O for DE, GB"


def test_resuming_an_active_operator_is_refused(world):
    _refused(
        Conflict,
        "Operator O is not suspended, so it can't be resumed.",
        lambda: services.resume_assignment(world.assignment, by=world.alice),
    )


def test_removing_closes_the_period_and_writes_one_event(world):
    _user_number(world, "+442079460001", "GB", status=PstnAssignmentStatus.UNASSIGNED)
    mark = audit_mark()
    with time_machine.travel(NOW, tick=False):
        services.remove_assignment(world.assignment, by=world.alice)
    assignment = OperatorAssignment.objects.get(pk=world.assignment.pk)
    assert (assignment.status, assignment.status_changed_at) == ("removed", NOW)
    [period] = assignment.periods.all()
    assert (period.ended_at, period.end_reason) == (NOW, "removed")
    [event] = events_since(mark)
    assert event.action == AuditAction.ASSIGNMENT_REMOVED
    assert event.sentence == "Alice Admin removed Operator O for DE, GB"


def test_removing_a_suspended_operator_keeps_its_closed_period(world):
    with time_machine.travel(NOW, tick=False):
        services.suspend_assignment(world.assignment, by=world.alice)
    with time_machine.travel(LATER, tick=False):
        services.remove_assignment(world.assignment, by=world.alice)
    periods = list(world.assignment.periods.values_list("ended_at", "end_reason"))
    assert periods == [(NOW, "suspended")]


def test_removing_with_numbers_still_assigned_to_users_is_refused_naming_them(world):
    for n in range(12):
        _user_number(world, f"+4420794600{n:02d}", "GB")
    _refused(
        Conflict,
        "You can't remove Operator O yet: 12 number(s) from Operator O are still assigned to "
        "users (+442079460000, +442079460001, +442079460002, +442079460003, +442079460004, "
        "+442079460005, +442079460006, +442079460007, +442079460008, +442079460009 and 2 more). "
        "Unassign these numbers from their users and release them to the operator first.",
        lambda: services.remove_assignment(world.assignment, by=world.alice),
        code="numbers_assigned",
    )


def test_removing_twice_is_refused(world):
    services.remove_assignment(world.assignment, by=world.alice)
    _refused(
        Conflict,
        "Operator O was already removed.",
        lambda: services.remove_assignment(world.assignment, by=world.alice),
    )


# --- the operator's side of the relationship ------------------------------------------------------


def test_the_operator_signs_the_agreement_and_one_event_is_written(world):
    mark = audit_mark()
    with time_machine.travel(NOW, tick=False):
        services.set_relationship_status(
            world.assignment, status="agreement_signed", reason="ignored", by=world.olivia
        )
    assignment = OperatorAssignment.objects.get(pk=world.assignment.pk)
    assert (assignment.relationship_status, assignment.relationship_reason) == (
        "agreement_signed",
        "",
    )
    assert (assignment.relationship_changed_at, assignment.relationship_changed_by) == (
        NOW,
        world.olivia,
    )
    [event] = events_since(mark)
    assert (
        event.sentence == "Olivia OpAdmin set the relationship status of Contoso (Agreement signed)"
    )
    assert event.details == {
        "summary": "Agreement signed",
        "status": "agreement_signed",
        "sharing": "unchanged",  # pending did not block sharing, so signing reopens nothing
    }


@pytest.mark.parametrize("status", ["declined", "terminated"])
def test_the_operator_declines_or_terminates_with_a_reason(world, status):
    services.set_relationship_status(
        world.assignment, status=status, reason=" No contract ", by=world.olivia
    )
    assignment = OperatorAssignment.objects.get(pk=world.assignment.pk)
    assert (assignment.relationship_status, assignment.relationship_reason) == (
        status,
        "No contract",
    )


@pytest.mark.parametrize("status", ["declined", "terminated"])
def test_declining_or_terminating_without_a_reason_is_refused(world, status):
    _refused(
        DomainError,
        "Give a reason for declining or terminating.",
        lambda: services.set_relationship_status(
            world.assignment, status=status, reason="  ", by=world.olivia
        ),
        field="reason",
    )


@pytest.mark.parametrize("status", ["pending", "bogus"])
def test_setting_the_relationship_to_pending_or_an_unknown_status_is_refused(world, status):
    _refused(
        DomainError,
        "Choose agreement signed, declined or terminated.",
        lambda: services.set_relationship_status(world.assignment, status=status, by=world.olivia),
        field="status",
    )
