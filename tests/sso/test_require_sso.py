"""A tenant that requires SSO: its members can no longer sign in with a password."""

import pytest
from django.urls import reverse

from portal.choices import AuditAction, TenantRole
from portal.errors import DomainError
from portal.models import AuditEvent, TenantSSO
from portal.services.sso import configure_sso
from tests.factories import membership

pytestmark = pytest.mark.django_db

REQUIRED = "Contoso requires single sign-on: use “Sign in with your organization (SSO)” below"


@pytest.fixture
def required(world):
    config = TenantSSO(
        tenant=world.tenant_a,
        issuer="https://idp.contoso.test",
        client_id="portal",
        enabled=True,
        require_sso=True,
    )
    config.client_secret = "s3cret"
    config.save()
    return config


def sign_in(client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_a_member_of_a_tenant_requiring_sso_is_refused_a_password_sign_in(
    world, required, client, password
):
    response = sign_in(client, "alice@contoso.test", password)
    assert response.status_code == 200
    assert REQUIRED in response.context["form"].non_field_errors()[0]
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=AuditAction.SSO_PASSWORD_REFUSED)
    assert (event.actor, event.tenant) == (world.alice, world.tenant_a)


def test_the_refusal_is_the_same_whatever_the_password(world, required, client):
    """The password is never checked for these accounts: no oracle for guessing it."""
    response = sign_in(client, "alice@contoso.test", "a-wrong-password")
    assert REQUIRED in response.context["form"].non_field_errors()[0]


def test_the_login_page_links_to_sso(client):
    response = client.get(reverse("login"))
    assert f'href="{reverse("sso_discover")}"' in response.content.decode()
    assert "Sign in with your organization (SSO)" in response.content.decode()


def test_other_tenants_members_and_platform_staff_keep_their_passwords(
    world, required, client, password
):
    membership(world.sam, world.tenant_a, TenantRole.ADMIN)
    assert sign_in(client, "bob@fabrikam.test", password).status_code == 302
    client.logout()
    assert sign_in(client, "sam@platform.test", password).status_code == 302


def test_turning_sso_off_gives_passwords_back(world, required, client, password):
    TenantSSO.objects.filter(pk=required.pk).update(require_sso=False)
    assert sign_in(client, "alice@contoso.test", password).status_code == 302


def test_sso_cannot_be_required_while_it_is_off(world):
    with pytest.raises(DomainError, match="Turn SSO on before requiring it"):
        configure_sso(
            world.tenant_a,
            issuer="https://idp.contoso.test",
            client_id="portal",
            client_secret="s3cret",
            enabled=False,
            require_sso=True,
            by=world.alice,
        )
