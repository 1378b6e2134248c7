"""PostgreSQL itself refuses every bad row (issue 2, item 4): not only forms and services.

Each case starts from a row that the database accepts (proved by the first test) and changes
one field; the assertion names the exact constraint that refuses it.
"""

from datetime import timedelta

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from portal import models
from portal.choices import AuditAction
from portal.services import record_event
from tests.factories import UserFactory
from tests.foundation.helpers import refused_by

T0 = timezone.now().replace(microsecond=0) - timedelta(days=30)


def _ack(w, tenant=None, operator=None):
    return models.Acknowledgement.objects.create(
        tenant=tenant or w.tenant_b,
        operator=operator,
        kind=models.Acknowledgement.Kind.ASSIGN,
        user=w.bob,
        text_version="assign-test",
        text_sha256="0" * 64,
    )


def _number(w, **over):
    fields = {
        "telephone_number": "+442079460123",
        "tenant": w.tenant_a,
        "operator": w.operator_o,
        "iso_country_code": "GB",
    }
    return models.PhoneNumber.objects.create(**(fields | over))


BUILDERS = {
    "PhoneNumber": _number,
    "Acknowledgement": lambda w, **over: models.Acknowledgement.objects.create(
        **{
            "tenant": w.tenant_b,
            "kind": "enable",
            "user": w.bob,
            "text_version": "enable-test",
            "text_sha256": "0" * 64,
        }
        | over
    ),
    "OperatorAssignment": lambda w, **over: models.OperatorAssignment.objects.create(
        **{
            "tenant": w.tenant_b,
            "operator": w.operator_o,
            "contact_full_name": "Bob Admin",
            "contact_email": "bob@fabrikam.test",
            "contact_phone": "+493012345678",
            "company_size": "1-50",
            "acknowledgement": _ack(w),
        }
        | over
    ),
    "AssignmentCountry": lambda w, **over: models.AssignmentCountry.objects.create(
        **{"assignment": w.assignment, "operator": w.operator_o, "country": "FR"} | over
    ),
    "AssignmentPeriod": lambda w, **over: models.AssignmentPeriod.objects.create(
        **{
            "assignment": w.assignment,
            "started_at": T0,
            "ended_at": T0 + timedelta(hours=1),
            "countries": ["GB"],
        }
        | over
    ),
    "EnablementPeriod": lambda w, **over: models.EnablementPeriod.objects.create(
        **{
            "tenant": w.tenant_a,
            "started_at": T0,
            "ended_at": T0 + timedelta(hours=1),
            "acknowledgement": _ack(w, tenant=w.tenant_a),
        }
        | over
    ),
    "PhoneNumberPeriod": lambda w, **over: models.PhoneNumberPeriod.objects.create(
        **{
            "number": _number(w, telephone_number="+442079460999"),
            "operator": w.operator_o,
            "started_at": T0,
            "ended_at": T0 + timedelta(days=1),
        }
        | over
    ),
    "CallRecord": lambda w, **over: models.CallRecord.objects.create(
        **{
            "tenant": w.tenant_a,
            "operator": w.operator_o,
            "call_id": "call-1",
            "leg": 0,
            "call_type": "user_out",
            "direction": "outbound",
            "invite_time": T0,
            "start_time": T0 + timedelta(seconds=2),
            "end_time": T0 + timedelta(seconds=62),
            "duration_seconds": 60,
            "final_sip_code": 200,
            "tenant_country": "GB",
            "external_country": "DE",
            "destination_context": "international",
            "caller_connection_type": "wifi",
            "callee_connection_type": "wired",
            "packet_loss_avg": 0.0,
            "packet_loss_max": 1.0,
            "mos_avg": 4.2,
        }
        | over
    ),
    "EmergencyLocation": lambda w, **over: models.EmergencyLocation.objects.create(
        **{
            "tenant": w.tenant_a,
            "company_name": "Contoso",
            "country": "GB",
            "latitude": "51.500000",
            "longitude": "-0.120000",
        }
        | over
    ),
    "Tenant": lambda w, **over: models.Tenant.objects.create(
        **{"name": "Northwind", "slug": "northwind", "country": "FR"} | over
    ),
    "Operator": lambda w, **over: models.Operator.objects.create(
        **{
            "name": "Operator N",
            "slug": "operator-n",
            "privacy_policy_url": "https://n.example/privacy",
            "terms_url": "https://n.example/terms",
        }
        | over
    ),
    "OperatorCountry": lambda w, **over: models.OperatorCountry.objects.create(
        **{"operator": w.operator_u, "country": "FR"} | over
    ),
    "Membership": lambda w, **over: models.Membership.objects.create(
        **{"user": w.uma, "tenant": w.tenant_a, "role": "viewer"} | over
    ),
    "OperatorMembership": lambda w, **over: models.OperatorMembership.objects.create(
        **{"user": w.alice, "operator": w.operator_u, "role": "analyst"} | over
    ),
}


@pytest.mark.parametrize("model", sorted(BUILDERS))
def test_the_valid_row_of_each_case_is_accepted(world, model):
    row = BUILDERS[model](world)
    assert type(row).objects.filter(pk=row.pk).count() == 1


def case(constraint, model, **over):
    value = ",".join(f"{k}={v!r}" for k, v in over.items() if not callable(v))
    return pytest.param(constraint, model, over, id=f"{constraint}[{value}]")


E164 = [
    case("phone_number_e164", "PhoneNumber", telephone_number=v)
    for v in ["4930123456789", "+04930123456", "+49 30 1234567", "+49-30-1234", "+4930abc", "+", ""]
] + [
    case("assignment_contact_phone_e164", "OperatorAssignment", contact_phone=v)
    for v in ["030 1234567", "+49 30 123", "0049301234567", "+0301234"]
]

COUNTRIES = [
    case(name, model, **{field: value})
    for name, model, field, values in [
        ("phone_number_country_iso", "PhoneNumber", "iso_country_code", ["gb", "G1", ""]),
        ("assignment_country_iso", "AssignmentCountry", "country", ["fr", "F1", ""]),
        ("operator_country_iso", "OperatorCountry", "country", ["fr", "1F", ""]),
        ("emergency_location_country_iso", "EmergencyLocation", "country", ["gb", ""]),
        ("call_record_tenant_country_iso", "CallRecord", "tenant_country", ["gb", ""]),
        ("call_record_external_country_iso", "CallRecord", "external_country", ["de", "D"]),
    ]
    for value in values
]

ENUMS = [
    case(name, model, **{field: "bogus"})
    for name, model, field in [
        ("assignment_status_valid", "OperatorAssignment", "status"),
        ("assignment_relationship_valid", "OperatorAssignment", "relationship_status"),
        ("assignment_company_size_valid", "OperatorAssignment", "company_size"),
        ("assignment_period_reason_valid", "AssignmentPeriod", "end_reason"),
        ("call_record_type_valid", "CallRecord", "call_type"),
        ("call_record_direction_valid", "CallRecord", "direction"),
        ("call_record_duration_source_valid", "CallRecord", "duration_source"),
        ("call_record_dest_valid", "CallRecord", "destination_context"),
        ("call_record_caller_conn", "CallRecord", "caller_connection_type"),
        ("call_record_callee_conn", "CallRecord", "callee_connection_type"),
        ("call_record_quality_valid", "CallRecord", "quality"),
        ("emergency_location_status_valid", "EmergencyLocation", "validation_status"),
        ("phone_number_usage_valid", "PhoneNumber", "usage"),
        ("phone_number_pstn_valid", "PhoneNumber", "pstn_assignment_status"),
        ("phone_number_activation_valid", "PhoneNumber", "activation_state"),
        ("membership_role_valid", "Membership", "role"),
        ("operator_membership_role_valid", "OperatorMembership", "role"),
        ("acknowledgement_kind_valid", "Acknowledgement", "kind"),
    ]
] + [
    # An enum value must also not be spelled with another case or padded.
    case("assignment_status_valid", "OperatorAssignment", status="Active"),
    case("call_record_direction_valid", "CallRecord", direction="inbound "),
]

ONE_SECOND = timedelta(seconds=1)
ORDERED = [
    case("enablement_period_ordered", "EnablementPeriod", ended_at=T0 - ONE_SECOND),
    case("assignment_period_ordered", "AssignmentPeriod", ended_at=T0 - ONE_SECOND),
    case("phone_number_period_ordered", "PhoneNumberPeriod", ended_at=T0 - ONE_SECOND),
    case(
        "phone_number_acquired_before_released",
        "PhoneNumber",
        acquired_at=T0,
        released_at=T0 - ONE_SECOND,
    ),
    case("call_record_start_after_invite", "CallRecord", start_time=T0 - ONE_SECOND),
    case(
        "call_record_end_after_invite",
        "CallRecord",
        start_time=None,
        end_time=T0 - ONE_SECOND,
    ),
    case("call_record_end_after_start", "CallRecord", end_time=T0 + ONE_SECOND),
    case("call_record_failure_after_invite", "CallRecord", failure_time=T0 - ONE_SECOND),
]

RANGES = [
    case("call_record_packet_loss_avg_range", "CallRecord", packet_loss_avg=-0.01),
    case("call_record_packet_loss_avg_range", "CallRecord", packet_loss_avg=1.01),
    case("call_record_packet_loss_max_range", "CallRecord", packet_loss_max=-0.5),
    case("call_record_packet_loss_max_range", "CallRecord", packet_loss_max=1.5),
    case("call_record_mos_range", "CallRecord", mos_avg=0.99),
    case("call_record_mos_range", "CallRecord", mos_avg=5.01),
    case("call_record_sip_code_range", "CallRecord", final_sip_code=99),
    case("call_record_sip_code_range", "CallRecord", final_sip_code=700),
    case("portal_callrecord_duration_seconds_check", "CallRecord", duration_seconds=-1),
    case("emergency_location_latitude_range", "EmergencyLocation", latitude="-90.000001"),
    case("emergency_location_latitude_range", "EmergencyLocation", latitude="90.000001"),
    case("emergency_location_longitude_range", "EmergencyLocation", longitude="180.000001"),
    case("emergency_location_longitude_range", "EmergencyLocation", longitude="-180.5"),
]

RELATIONSHIP = [
    case(
        "assignment_relationship_reason_required",
        "OperatorAssignment",
        relationship_status=status,
        relationship_reason="",
    )
    for status in ["declined", "terminated"]
]


@pytest.mark.parametrize(
    ("constraint", "model", "over"), E164 + COUNTRIES + ENUMS + ORDERED + RANGES + RELATIONSHIP
)
def test_the_database_refuses_a_row_that_breaks_a_check(world, constraint, model, over):
    refused_by(constraint, lambda: BUILDERS[model](world, **over))


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("+1", True), ("+999999999999999", True), ("+9999999999999999", False)],
)
def test_e164_allows_one_to_fifteen_digits_and_the_column_refuses_more(world, value, accepted):
    if accepted:
        assert _number(world, telephone_number=value).telephone_number == value
    else:
        with pytest.raises(DataError), transaction.atomic():
            _number(world, telephone_number=value)


def test_the_database_refuses_a_tenant_country_that_is_not_an_iso_code(world):
    # The CountryField upper-cases on assignment, so write around it as a bug or raw SQL would.
    for value in ["gb", "G1", ""]:
        refused_by(
            "tenant_country_iso",
            lambda value=value: models.Tenant.objects.filter(pk=world.tenant_a.pk).update(
                country=value
            ),
        )


@pytest.mark.parametrize(
    ("constraint", "model", "duplicate"),
    [
        ("portal_tenant_slug_key", "Tenant", lambda w: {"slug": w.tenant_a.slug}),
        (
            "portal_tenant_microsoft_tenant_id_key",
            "Tenant",
            lambda w: {"microsoft_tenant_id": w.tenant_a.microsoft_tenant_id},
        ),
        ("portal_operator_slug_key", "Operator", lambda w: {"slug": w.operator_o.slug}),
        ("portal_operator_name_key", "Operator", lambda w: {"name": w.operator_o.name}),
        ("assignment_unique", "OperatorAssignment", lambda w: {"tenant": w.tenant_a}),
        ("assignment_country_unique", "AssignmentCountry", lambda w: {"country": "GB"}),
        ("operator_country_unique", "OperatorCountry", lambda w: {"country": "GB"}),
        ("membership_unique", "Membership", lambda w: {"user": w.alice, "role": "admin"}),
        (
            "operator_membership_unique",
            "OperatorMembership",
            lambda w: {"user": w.uma, "operator": w.operator_u},
        ),
    ],
)
def test_the_database_refuses_a_second_row_with_the_same_natural_key(
    world, constraint, model, duplicate
):
    refused_by(constraint, lambda: BUILDERS[model](world, **duplicate(world)))


def test_a_telephone_number_is_unique_across_tenants_and_operators(world):
    _number(world)
    refused_by(
        "portal_phonenumber_telephone_number_key",
        lambda: _number(world, tenant=world.tenant_b, operator=world.operator_u),
    )


def test_a_call_leg_is_unique_per_tenant_call_id_and_leg(world):
    BUILDERS["CallRecord"](world)
    # Same call id and leg in another tenant, or another leg of the same call: both fine.
    BUILDERS["CallRecord"](world, tenant=world.tenant_b)
    BUILDERS["CallRecord"](world, leg=1)
    refused_by("call_record_leg_unique", lambda: BUILDERS["CallRecord"](world))


def test_an_emergency_location_id_is_unique(world):
    location = BUILDERS["EmergencyLocation"](world)
    refused_by(
        "portal_emergencylocation_location_id_key",
        lambda: BUILDERS["EmergencyLocation"](
            world, tenant=world.tenant_b, location_id=location.location_id
        ),
    )


def test_an_assignment_has_at_most_one_open_period(world):
    assert world.assignment.periods.filter(ended_at__isnull=True).count() == 1
    refused_by(
        "assignment_one_open_period",
        lambda: BUILDERS["AssignmentPeriod"](world, started_at=timezone.now(), ended_at=None),
    )


def test_a_tenant_has_at_most_one_open_enablement_period(world):
    assert world.tenant_a.enablement_periods.filter(ended_at__isnull=True).count() == 1
    refused_by(
        "enablement_one_open_period",
        lambda: BUILDERS["EnablementPeriod"](world, started_at=timezone.now(), ended_at=None),
    )


def test_a_number_has_at_most_one_open_period(world):
    number = _number(world)
    models.PhoneNumberPeriod.objects.create(number=number, operator=world.operator_o, started_at=T0)
    refused_by(
        "phone_number_one_open_period",
        lambda: models.PhoneNumberPeriod.objects.create(
            number=number, operator=world.operator_u, started_at=T0 + ONE_SECOND
        ),
    )


def test_an_assignment_country_the_operator_does_not_serve_is_refused(world):
    assert "ES" not in world.operator_o.country_codes
    refused_by(
        "assignment_country_served_by_operator",
        lambda: BUILDERS["AssignmentCountry"](world, country="ES"),
    )


def test_an_assignment_country_naming_another_operator_than_its_assignment_is_refused(world):
    # Operator U serves FR too, so only the "same operator" key can refuse this row.
    models.OperatorCountry.objects.create(operator=world.operator_u, country="FR")
    refused_by(
        "assignment_country_same_operator",
        lambda: BUILDERS["AssignmentCountry"](world, operator=world.operator_u, country="FR"),
    )


def test_an_operator_cannot_stop_serving_a_country_an_assignment_uses(world):
    refused_by(
        "assignment_country_served_by_operator",
        lambda: models.OperatorCountry.objects.filter(
            operator=world.operator_o, country="DE"
        ).delete(),
    )


@pytest.mark.django_db(transaction=True)
def test_the_composite_foreign_key_refuses_the_row_at_commit():
    # Outside a test transaction: what a real request would hit when its transaction commits.
    from portal.models import AssignmentCountry, Operator, OperatorAssignment
    from tests.factories import OperatorFactory, TenantFactory

    user = UserFactory()
    tenant = TenantFactory()
    operator = OperatorFactory(countries=["GB"])
    ack = models.Acknowledgement.objects.create(
        tenant=tenant, kind="assign", user=user, text_version="v", text_sha256="0" * 64
    )
    assignment = OperatorAssignment.objects.create(
        tenant=tenant,
        operator=operator,
        contact_full_name="A",
        contact_email="a@example.test",
        company_size="1-50",
        acknowledgement=ack,
    )
    with pytest.raises(Exception) as excinfo, transaction.atomic():
        AssignmentCountry.objects.create(assignment=assignment, operator=operator, country="FR")
    assert excinfo.value.__cause__.diag.constraint_name == "assignment_country_served_by_operator"
    assert AssignmentCountry.objects.count() == 0
    assert Operator.objects.count() == 1


# --- the audit log is append-only -------------------------------------------------------------


@pytest.fixture
def event(world):
    return record_event(
        AuditAction.TENANT_UPDATED, actor=world.sam, tenant=world.tenant_a, summary="renamed"
    )


def _refused_by_trigger(write) -> None:
    refusal = pytest.raises(IntegrityError, match="audit events are append-only")
    with refusal as excinfo, transaction.atomic():
        write()
    assert excinfo.value.__cause__.sqlstate == "23001"


def test_an_audit_event_cannot_be_updated_through_a_queryset(event):
    _refused_by_trigger(
        lambda: models.AuditEvent.objects.filter(pk=event.pk).update(action="tenant.created")
    )
    assert models.AuditEvent.objects.get(pk=event.pk).action == "tenant.updated"


def test_an_audit_event_cannot_be_deleted_through_a_queryset(event):
    _refused_by_trigger(lambda: models.AuditEvent.objects.filter(pk=event.pk).delete())
    assert models.AuditEvent.objects.filter(pk=event.pk).count() == 1


def test_an_audit_event_cannot_be_updated_or_deleted_in_raw_sql(event):
    def update():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE portal_auditevent SET actor_label = 'x' WHERE id = %s", [event.pk]
            )

    def delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM portal_auditevent")

    _refused_by_trigger(update)
    _refused_by_trigger(delete)
    assert models.AuditEvent.objects.get(pk=event.pk).actor_label == "Sam Staff"


def test_an_audit_event_cannot_be_saved_again_or_deleted_as_an_instance(event):
    event.actor_label = "someone else"
    with pytest.raises(RuntimeError, match="Audit events are append-only."):
        event.save()
    with pytest.raises(RuntimeError, match="Audit events are append-only."):
        event.delete()
    assert models.AuditEvent.objects.get(pk=event.pk).actor_label == "Sam Staff"


def test_deleting_a_tenant_keeps_its_audit_events(world, event):
    tenant_id = world.tenant_b.pk
    kept = record_event(AuditAction.TENANT_CREATED, actor=world.sam, tenant=world.tenant_b)
    world.tenant_b.delete()
    assert models.AuditEvent.objects.get(pk=kept.pk).tenant_id == tenant_id
