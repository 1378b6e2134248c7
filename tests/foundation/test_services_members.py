"""Who belongs to a tenant or an operator: add, change role, remove (issue 2, item 5)."""

import pytest

from portal import services
from portal.choices import AuditAction
from portal.errors import Conflict, DomainError
from portal.models import Membership, OperatorMembership, User
from tests.foundation.helpers import audit_mark, database_state, events_since


def _refused(exc_type, message, call, **attrs):
    before = database_state()
    with pytest.raises(exc_type) as excinfo:
        call()
    assert excinfo.value.message == message
    for name, value in attrs.items():
        assert getattr(excinfo.value, name) == value
    assert database_state() == before


def test_adding_a_new_person_creates_the_user_and_the_membership_and_one_event(world):
    mark = audit_mark()
    membership = services.add_member(
        world.tenant_a,
        email=" Nina@Contoso.TEST ",
        role="viewer",
        full_name=" Nina New ",
        by=world.alice,
    )
    user = User.objects.get(email="nina@contoso.test")
    assert (user.full_name, user.has_usable_password()) == ("Nina New", False)
    assert (membership.user, membership.tenant, membership.role) == (user, world.tenant_a, "viewer")
    [event] = events_since(mark)
    assert (event.action, event.actor, event.tenant, event.operator) == (
        AuditAction.MEMBER_ADDED,
        world.alice,
        world.tenant_a,
        None,
    )
    assert (event.target_type, event.details) == ("membership", {"role": "viewer"})
    assert event.sentence == "Alice Admin added member Nina New as viewer"


def test_adding_an_existing_user_to_another_tenant_reuses_the_user(world):
    services.add_member(world.tenant_b, email="ALICE@contoso.test", role="admin", by=world.bob)
    assert Membership.objects.get(tenant=world.tenant_b, user=world.alice).role == "admin"
    assert User.objects.filter(email__iexact="alice@contoso.test").count() == 1


def test_adding_a_member_twice_is_refused(world):
    _refused(
        Conflict,
        "victor@contoso.test is already a member.",
        lambda: services.add_member(
            world.tenant_a, email="Victor@contoso.test", role="admin", by=world.alice
        ),
        code="already_member",
        field="email",
    )


@pytest.mark.parametrize(
    ("email", "role", "message", "field"),
    [
        ("nina@contoso.test", "owner", "Choose a valid role.", "role"),
        ("nina", "viewer", "Enter an e-mail address.", "email"),
        ("  ", "viewer", "Enter an e-mail address.", "email"),
    ],
)
def test_adding_a_member_with_bad_input_is_refused(world, email, role, message, field):
    _refused(
        DomainError,
        message,
        lambda: services.add_member(world.tenant_a, email=email, role=role, by=world.alice),
        field=field,
    )


def test_changing_a_role_stores_it_and_writes_one_event(world):
    victor = Membership.objects.get(user=world.victor)
    mark = audit_mark()
    services.change_member_role(victor, role="admin", by=world.alice)
    assert Membership.objects.get(pk=victor.pk).role == "admin"
    [event] = events_since(mark)
    assert event.details == {"role": "admin", "previous_role": "viewer"}
    assert event.sentence == "Alice Admin changed the role of Victor Viewer to admin"


def test_the_last_admin_cannot_be_demoted(world):
    alice = Membership.objects.get(user=world.alice, tenant=world.tenant_a)
    _refused(
        Conflict,
        "The last admin can't be demoted. Make someone else an admin first.",
        lambda: services.change_member_role(alice, role="viewer", by=world.alice),
    )


def test_an_admin_can_be_demoted_when_another_admin_remains(world):
    services.change_member_role(
        Membership.objects.get(user=world.victor), role="admin", by=world.alice
    )
    alice = Membership.objects.get(user=world.alice, tenant=world.tenant_a)
    services.change_member_role(alice, role="viewer", by=world.victor)
    assert Membership.objects.get(pk=alice.pk).role == "viewer"


def test_another_tenants_admin_does_not_count_as_a_remaining_admin(world):
    bob = Membership.objects.get(user=world.bob, tenant=world.tenant_b)
    assert Membership.objects.filter(role="admin").count() == 2
    _refused(
        Conflict,
        "The last admin can't be removed. Make someone else an admin first.",
        lambda: services.remove_member(bob, by=world.bob),
    )


def test_an_unchanged_role_is_refused(world):
    _refused(
        DomainError,
        "The role is unchanged.",
        lambda: services.change_member_role(
            Membership.objects.get(user=world.victor), role="viewer", by=world.alice
        ),
        field="role",
    )


def test_removing_a_member_deletes_the_membership_and_writes_one_event(world):
    victor = Membership.objects.get(user=world.victor)
    mark = audit_mark()
    services.remove_member(victor, by=world.alice, ip="192.0.2.3")
    assert not Membership.objects.filter(pk=victor.pk).exists()
    assert User.objects.filter(pk=world.victor.pk).exists()
    [event] = events_since(mark)
    assert (event.action, event.target_id, event.ip_address) == (
        AuditAction.MEMBER_REMOVED,
        str(victor.pk),
        "192.0.2.3",
    )
    assert event.sentence == "Alice Admin removed member Victor Viewer"


def test_the_last_admin_cannot_be_removed(world):
    alice = Membership.objects.get(user=world.alice, tenant=world.tenant_a)
    _refused(
        Conflict,
        "The last admin can't be removed. Make someone else an admin first.",
        lambda: services.remove_member(alice, by=world.sam),
    )


def test_adding_an_operator_member_writes_one_event_on_the_operator(world):
    mark = audit_mark()
    membership = services.add_operator_member(
        world.operator_u, email="ursula@operator-u.test", role="admin", by=world.sam
    )
    assert (membership.operator, membership.role) == (world.operator_u, "admin")
    [event] = events_since(mark)
    assert (event.action, event.tenant, event.operator) == (
        AuditAction.OPERATOR_MEMBER_ADDED,
        None,
        world.operator_u,
    )
    assert event.sentence == "Sam Staff added operator member ursula@operator-u.test as admin"


def test_adding_an_operator_member_twice_or_with_a_tenant_role_is_refused(world):
    _refused(
        Conflict,
        "uma@operator-u.test is already a member.",
        lambda: services.add_operator_member(
            world.operator_u, email="uma@operator-u.test", role="analyst", by=world.sam
        ),
    )
    _refused(
        DomainError,
        "Choose a valid role.",
        lambda: services.add_operator_member(
            world.operator_u, email="new@operator-u.test", role="viewer", by=world.sam
        ),
        field="role",
    )


def test_removing_an_operator_member_writes_one_event(world):
    uma = OperatorMembership.objects.get(user=world.uma)
    mark = audit_mark()
    services.remove_operator_member(uma, by=world.sam)
    assert not OperatorMembership.objects.filter(pk=uma.pk).exists()
    [event] = events_since(mark)
    assert event.sentence == "Sam Staff removed operator member Uma Unassigned"


def _race(*calls):
    """Run ``calls`` at the same moment in threads with their own connections; return outcomes."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            call()
            outcomes[i] = "ok"
        except Exception as exc:  # the outcome is what the test asserts
            outcomes[i] = getattr(exc, "message", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["remove", "demote"])
def test_two_admins_removing_or_demoting_each_other_at_once_leave_one_admin(action):
    from tests.factories import TenantFactory, UserFactory, membership

    tenant = TenantFactory()
    first = membership(UserFactory(), tenant, "admin")
    second = membership(UserFactory(), tenant, "admin")

    def change(m):
        if action == "remove":
            return lambda: services.remove_member(m, by=m.user)
        return lambda: services.change_member_role(m, role="viewer", by=m.user)

    for _ in range(5):  # the race is decided by timing: give it several chances
        outcomes = _race(change(first), change(second))
        last = "removed" if action == "remove" else "demoted"
        assert sorted(outcomes) == [
            f"The last admin can't be {last}. Make someone else an admin first.",
            "ok",
        ]
        assert Membership.objects.filter(tenant=tenant, role="admin").count() == 1
        # Restore both admins for the next round.
        Membership.objects.filter(tenant=tenant).delete()
        first = membership(first.user, tenant, "admin")
        second = membership(second.user, tenant, "admin")


@pytest.mark.django_db(transaction=True)
def test_adding_the_same_person_twice_at_once_adds_one_membership():
    from tests.factories import TenantFactory, UserFactory

    tenant, admin = TenantFactory(), UserFactory()
    UserFactory(email="nina@example.test")

    def add():
        services.add_member(tenant, email="nina@example.test", role="viewer", by=admin)

    assert sorted(_race(add, add)) == ["nina@example.test is already a member.", "ok"]
    assert Membership.objects.filter(tenant=tenant).count() == 1
