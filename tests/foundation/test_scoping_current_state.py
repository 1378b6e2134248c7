"""I1 and I2 for what is shared *now*: numbers, emergency locations, tenants, operators, assignments.

Numbers and locations have no history of their own in the share: the operator receives the ones
in its current scope, so each step of the story below checks the exact set at that moment.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from portal import services
from portal.choices import PstnAssignmentStatus
from portal.models import EmergencyLocation, Operator, OperatorAssignment, PhoneNumber, Tenant
from tests.factories import (
    EmergencyLocationFactory,
    PhoneNumberFactory,
    membership,
    operator_membership,
    tell_users,
)

T = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # after the world was built


def step(n: int):
    return time_machine.travel(T + timedelta(hours=n), tick=False)


@pytest.fixture
def inventory(world):
    """Numbers and locations of both tenants; labels are the place names. Tenant A's users
    were told (its notice names O for GB and DE)."""
    tell_users(world.tenant_a, world.alice)
    a, b, o, u = world.tenant_a, world.tenant_b, world.operator_o, world.operator_u
    locations = {
        label: EmergencyLocationFactory(tenant=tenant, place_name=label, country=country)
        for label, tenant, country in [
            ("a_gb", a, "GB"),
            ("a_de", a, "DE"),
            ("a_fr", a, "FR"),
            ("a_shared_gb_de", a, "GB"),
            ("a_unused", a, "GB"),
            ("a_used_by_u", a, "GB"),
            ("b_de", b, "DE"),
        ]
    }
    numbers = {}
    for label, tenant, operator, country, location in [
        ("+442079460001", a, o, "GB", "a_gb"),
        ("+442079460002", a, o, "GB", "a_shared_gb_de"),
        ("+4930123456001", a, o, "DE", "a_de"),
        ("+4930123456002", a, o, "DE", "a_shared_gb_de"),
        ("+33142868001", a, o, "FR", "a_fr"),
        ("+442079460003", a, o, "GB", None),
        ("+442079460009", a, u, "GB", "a_used_by_u"),
        ("+4930123456009", b, o, "DE", "b_de"),
    ]:
        numbers[label] = PhoneNumberFactory(
            telephone_number=label,
            tenant=tenant,
            operator=operator,
            iso_country_code=country,
            emergency_location=locations[location] if location else None,
        )
    return numbers


def numbers_shared(operator, tenant) -> list[str]:
    qs = PhoneNumber.objects.shareable_with(operator, tenant)
    return sorted(qs.values_list("telephone_number", flat=True))


def locations_shared(operator, tenant) -> list[str]:
    qs = EmergencyLocation.objects.shareable_with(operator, tenant)
    return sorted(qs.values_list("place_name", flat=True))


GB_DE_NUMBERS = ["+442079460001", "+442079460002", "+442079460003", "+4930123456001",
                 "+4930123456002"]  # fmt: skip
GB_DE_LOCATIONS = ["a_de", "a_gb", "a_shared_gb_de"]


def test_numbers_and_locations_follow_the_current_scope_through_every_change(world, inventory):
    o, a = world.operator_o, world.tenant_a
    assert numbers_shared(o, a) == GB_DE_NUMBERS
    assert locations_shared(o, a) == GB_DE_LOCATIONS

    with step(1):
        services.suspend_assignment(world.assignment, by=world.alice)
        tell_users(a, world.alice)
        assert (numbers_shared(o, a), locations_shared(o, a)) == ([], [])
    with step(2):
        services.resume_assignment(world.assignment, by=world.alice)
        tell_users(a, world.alice)
        assert (numbers_shared(o, a), locations_shared(o, a)) == (GB_DE_NUMBERS, GB_DE_LOCATIONS)
    with step(3):
        services.disable_operator_connect(a, by=world.alice)
        tell_users(a, world.alice)
        assert (numbers_shared(o, a), locations_shared(o, a)) == ([], [])
    with step(4):
        services.enable_operator_connect(a, by=world.alice, acknowledged=True)
        tell_users(a, world.alice)
        assert (numbers_shared(o, a), locations_shared(o, a)) == (GB_DE_NUMBERS, GB_DE_LOCATIONS)
    with step(5):
        services.change_assignment_countries(world.assignment, countries=["FR"], by=world.alice)
        tell_users(a, world.alice)
        assert numbers_shared(o, a) == ["+33142868001"]
        assert locations_shared(o, a) == ["a_fr"]
    with step(6):
        services.change_assignment_countries(
            world.assignment, countries=["GB", "FR"], by=world.alice
        )
        tell_users(a, world.alice)
        assert numbers_shared(o, a) == [
            "+33142868001",
            "+442079460001",
            "+442079460002",
            "+442079460003",
        ]
        # Used by a GB number (shared) and a DE number (not): shared once.
        assert locations_shared(o, a) == ["a_fr", "a_gb", "a_shared_gb_de"]
    with step(7):
        services.remove_assignment(world.assignment, by=world.alice)
        tell_users(a, world.alice)
        assert (numbers_shared(o, a), locations_shared(o, a)) == ([], [])


def test_an_operator_never_assigned_receives_no_numbers_or_locations(world, inventory):
    for tenant in (world.tenant_a, world.tenant_b):
        assert numbers_shared(world.operator_u, tenant) == []
        assert locations_shared(world.operator_u, tenant) == []


def test_another_tenants_numbers_and_locations_never_leak(world, inventory):
    services.enable_operator_connect(world.tenant_b, by=world.bob, acknowledged=True)
    services.assign_operator(
        world.tenant_b,
        world.operator_o,
        countries=["DE"],
        contact_full_name="Bob",
        contact_email="bob@fabrikam.test",
        company_size="1-50",
        acknowledged=True,
        by=world.bob,
    )
    tell_users(world.tenant_b, world.bob)
    assert numbers_shared(world.operator_o, world.tenant_b) == ["+4930123456009"]
    assert locations_shared(world.operator_o, world.tenant_b) == ["b_de"]
    assert numbers_shared(world.operator_o, world.tenant_a) == GB_DE_NUMBERS
    assert locations_shared(world.operator_o, world.tenant_a) == GB_DE_LOCATIONS


def test_a_tenant_that_assigned_but_never_enabled_shares_nothing(world, inventory):
    services.assign_operator(
        world.tenant_b,
        world.operator_o,
        countries=["DE"],
        contact_full_name="Bob",
        contact_email="bob@fabrikam.test",
        company_size="1-50",
        acknowledged=True,
        by=world.bob,
    )
    assert numbers_shared(world.operator_o, world.tenant_b) == []
    assert locations_shared(world.operator_o, world.tenant_b) == []


# --- tenants, operators and assignments visible to people ---------------------------------------


def _slugs(qs) -> list[str]:
    return sorted(qs.values_list("slug", flat=True))


@pytest.mark.parametrize(
    ("persona", "visible", "administered"),
    [
        ("alice", ["contoso"], ["contoso"]),
        ("victor", ["contoso"], []),
        ("bob", ["fabrikam"], ["fabrikam"]),
        ("oscar", [], []),  # operator staff are not tenant members
        ("uma", [], []),
        ("sam", ["contoso", "fabrikam"], ["contoso", "fabrikam"]),
    ],
)
def test_tenants_visible_to_and_administered_by_each_persona(world, persona, visible, administered):
    user = getattr(world, persona)
    assert _slugs(Tenant.objects.visible_to(user)) == visible
    assert _slugs(Tenant.objects.administered_by(user)) == administered


def test_anonymous_and_deactivated_users_see_no_tenants_or_operators(world):
    from django.contrib.auth.models import AnonymousUser

    world.alice.is_active = False
    world.alice.save()
    world.sam.is_active = False
    world.sam.save()
    for user in (AnonymousUser(), world.alice, world.sam):
        assert Tenant.objects.visible_to(user).count() == 0
        assert Tenant.objects.administered_by(user).count() == 0
        assert Operator.objects.staffed_by(user).count() == 0
        assert OperatorAssignment.objects.visible_to(user).count() == 0


def test_a_member_of_two_tenants_sees_each_once(world):
    membership(world.victor, world.tenant_b, "admin")
    assert _slugs(Tenant.objects.visible_to(world.victor)) == ["contoso", "fabrikam"]
    assert _slugs(Tenant.objects.administered_by(world.victor)) == ["fabrikam"]


def test_tenants_assigning_and_sharing_with_an_operator_follow_its_status(world):
    o = world.operator_o
    assert (_slugs(Tenant.objects.assigning(o)), _slugs(Tenant.objects.sharing_with(o))) == (
        ["contoso"],
        ["contoso"],
    )
    services.suspend_assignment(world.assignment, by=world.alice)
    assert (_slugs(Tenant.objects.assigning(o)), _slugs(Tenant.objects.sharing_with(o))) == (
        ["contoso"],
        [],
    )
    services.resume_assignment(world.assignment, by=world.alice)
    services.disable_operator_connect(world.tenant_a, by=world.alice)
    assert (_slugs(Tenant.objects.assigning(o)), _slugs(Tenant.objects.sharing_with(o))) == (
        ["contoso"],
        [],
    )
    services.remove_assignment(world.assignment, by=world.alice)
    assert (_slugs(Tenant.objects.assigning(o)), _slugs(Tenant.objects.sharing_with(o))) == (
        [],
        [],
    )
    assert _slugs(Tenant.objects.assigning(world.operator_u)) == []


def test_a_tenant_assigning_two_operators_appears_once_for_each(world):
    services.assign_operator(
        world.tenant_a,
        world.operator_u,
        countries=["GB"],
        contact_full_name="Alice",
        contact_email="alice@contoso.test",
        company_size="1-50",
        acknowledged=True,
        by=world.alice,
    )
    assert _slugs(Tenant.objects.assigning(world.operator_u)) == ["contoso"]
    assert _slugs(Tenant.objects.sharing_with(world.operator_u)) == ["contoso"]
    assert _slugs(Tenant.objects.sharing_with(world.operator_o)) == ["contoso"]


@pytest.mark.parametrize(
    ("persona", "operators"),
    [
        ("oscar", ["operator-o"]),
        ("olivia", ["operator-o"]),
        ("uma", ["operator-u"]),
        ("alice", []),
        ("sam", ["operator-o", "operator-u"]),
    ],
)
def test_operators_staffed_by_each_persona(world, persona, operators):
    assert _slugs(Operator.objects.staffed_by(getattr(world, persona))) == operators


def test_someone_working_for_two_operators_sees_both_once(world):
    operator_membership(world.oscar, world.operator_u)
    assert _slugs(Operator.objects.staffed_by(world.oscar)) == ["operator-o", "operator-u"]
    assert _slugs(Operator.objects.administered_by(world.olivia)) == ["operator-o"]
    assert _slugs(Operator.objects.administered_by(world.oscar)) == []


def _pairs(qs) -> list[tuple[str, str]]:
    return sorted(qs.values_list("tenant__slug", "operator__slug"))


@pytest.fixture
def second_assignment(world):
    """Fabrikam assigns operator U, so each side has something of its own."""
    return services.assign_operator(
        world.tenant_b,
        world.operator_u,
        countries=["DE"],
        contact_full_name="Bob",
        contact_email="bob@fabrikam.test",
        company_size="1-50",
        acknowledged=True,
        by=world.bob,
    )


@pytest.mark.parametrize(
    ("persona", "pairs"),
    [
        ("alice", [("contoso", "operator-o")]),
        ("victor", [("contoso", "operator-o")]),
        ("bob", [("fabrikam", "operator-u")]),
        ("oscar", [("contoso", "operator-o")]),
        ("uma", [("fabrikam", "operator-u")]),
        ("sam", [("contoso", "operator-o"), ("fabrikam", "operator-u")]),
    ],
)
def test_assignments_visible_to_each_persona(world, second_assignment, persona, pairs):
    assert _pairs(OperatorAssignment.objects.visible_to(getattr(world, persona))) == pairs


def test_a_person_in_a_tenant_and_an_operator_sees_each_assignment_once(world, second_assignment):
    operator_membership(world.alice, world.operator_o)
    membership(world.uma, world.tenant_a, "viewer")
    assert _pairs(OperatorAssignment.objects.visible_to(world.alice)) == [("contoso", "operator-o")]
    assert _pairs(OperatorAssignment.objects.visible_to(world.uma)) == [
        ("contoso", "operator-o"),
        ("fabrikam", "operator-u"),
    ]


def test_user_assigned_numbers_are_those_with_a_user_assignment_only(world, inventory):
    PhoneNumber.objects.filter(telephone_number="+442079460001").update(
        pstn_assignment_status=PstnAssignmentStatus.USER
    )
    PhoneNumber.objects.filter(telephone_number="+442079460002").update(
        pstn_assignment_status=PstnAssignmentStatus.VOICE_APP
    )
    assert list(
        PhoneNumber.objects.assigned_to_users().values_list("telephone_number", flat=True)
    ) == ["+442079460001"]
