"""Who a verified ID token of a tenant's provider may sign in (portal.services.sso.sso_user).

The provider is run by the tenant's own admins: it may vouch for people the tenant invited, and
for anyone in a domain platform staff verified as the tenant's — never beyond that.
"""

import pytest

from portal.choices import AuditAction, OperatorRole, TenantRole
from portal.models import AuditEvent, Membership, User
from portal.services.sso import SSORefused, sso_user
from tests.factories import membership, operator_membership
from tests.sso.conftest import verified_domain

pytestmark = pytest.mark.django_db


def claims(email: str, **extra) -> dict:
    return {"sub": email, "email": email, "email_verified": True, **extra}


def refused(tenant, token: dict) -> str:
    with pytest.raises(SSORefused) as exc:
        sso_user(tenant, token)
    event = AuditEvent.objects.filter(action=AuditAction.SSO_REFUSED, tenant=tenant).latest("id")
    assert event.details["reason"] == exc.value.reason  # recorded although the sign-in rolled back
    return exc.value.reason


def test_an_invited_member_signs_in_without_a_verified_domain(world):
    assert sso_user(world.tenant_a, claims("alice@contoso.test")) == (world.alice, None)


def test_a_member_of_other_tenants_too_needs_the_tenants_verified_domain(world):
    membership(world.victor, world.tenant_b, TenantRole.VIEWER)  # victor also sees Fabrikam
    assert refused(world.tenant_a, claims("victor@contoso.test")) == "account_reaches_beyond"
    verified_domain(world.tenant_a, "contoso.test", by=world.sam)
    assert sso_user(world.tenant_a, claims("victor@contoso.test")) == (world.victor, None)


def test_an_invited_outsider_cannot_be_vouched_for_by_a_providers_admin(world):
    """Contoso's admins invite bob (Fabrikam's admin): Contoso's provider must not sign bob in,
    or whoever runs it could become bob and reach Fabrikam."""
    membership(world.bob, world.tenant_a, TenantRole.VIEWER)
    assert refused(world.tenant_a, claims("bob@fabrikam.test")) == "account_reaches_beyond"


def test_platform_and_operator_staff_never_sign_in_through_a_tenant(world):
    membership(world.sam, world.tenant_a, TenantRole.ADMIN)
    operator_membership(world.alice, world.operator_o, OperatorRole.ANALYST)
    verified_domain(world.tenant_a, "platform.test", by=world.sam)
    assert refused(world.tenant_a, claims("sam@platform.test")) == "staff_account"
    assert refused(world.tenant_a, claims("alice@contoso.test")) == "staff_account"


def test_a_verified_domain_lets_a_new_person_join_as_viewer_once(world):
    verified_domain(world.tenant_a, "contoso.test", by=world.sam)
    user, joined = sso_user(world.tenant_a, claims("Nina@Contoso.test", name="Nina N"))
    assert (user.email, user.full_name, user.has_usable_password()) == (
        "nina@contoso.test",
        "Nina N",
        False,
    )
    assert joined.role == TenantRole.VIEWER
    assert sso_user(world.tenant_a, claims("nina@contoso.test")) == (user, None)
    assert AuditEvent.objects.filter(action=AuditAction.SSO_MEMBER_JOINED).count() == 1


def test_an_existing_account_in_a_verified_domain_joins_too(world):
    outsider = User.objects.create_user("omar@contoso.test")
    verified_domain(world.tenant_a, "contoso.test", by=world.sam)
    assert sso_user(world.tenant_a, claims("omar@contoso.test"))[0] == outsider
    assert Membership.objects.get(user=outsider).tenant == world.tenant_a


def test_a_pending_domain_or_another_tenants_domain_admits_nobody(world):
    from portal.services.sso import add_domain

    add_domain(world.tenant_a, domain="contoso.test", by=world.alice)  # not verified
    verified_domain(world.tenant_b, "fabrikam.test", by=world.sam)
    assert refused(world.tenant_a, claims("nina@contoso.test")) == "not_invited"
    assert refused(world.tenant_a, claims("fred@fabrikam.test")) == "not_invited"
    assert not User.objects.filter(email__in=["nina@contoso.test", "fred@fabrikam.test"]).exists()


def test_an_address_the_provider_did_not_verify_or_did_not_send_is_refused(world):
    assert (
        refused(world.tenant_a, claims("alice@contoso.test", email_verified=False))
        == "email_unverified"
    )
    assert refused(world.tenant_a, {"sub": "123"}) == "no_email"


def test_entra_ids_preferred_username_serves_as_the_address(world):
    token = {"sub": "x", "preferred_username": "alice@contoso.test", "name": "Alice"}
    assert sso_user(world.tenant_a, token)[0] == world.alice


def test_a_deactivated_account_is_refused(world):
    User.objects.filter(pk=world.alice.pk).update(is_active=False)
    assert refused(world.tenant_a, claims("alice@contoso.test")) == "inactive"
