"""Guardrails shown before the click: a blocked action says so and offers the way forward."""

import pytest

from portal.choices import PstnAssignmentStatus, TenantRole
from tests.factories import PhoneNumberFactory, UserFactory, membership

pytestmark = pytest.mark.django_db


def test_remove_page_offers_no_form_while_numbers_are_assigned(world, alice_client):
    PhoneNumberFactory(tenant=world.tenant_a, operator=world.operator_o, iso_country_code="GB",
                       pstn_assignment_status=PstnAssignmentStatus.USER)  # fmt: skip
    html = alice_client.get("/t/contoso/operators/operator-o/remove/").content.decode()
    assert "Removal is not possible yet" in html
    assert 'name="confirm"' not in html and "Remove Operator O</button>" not in html
    assert "/t/contoso/operators/operator-o/suspend/" in html


def test_remove_page_offers_the_form_when_nothing_blocks(world, alice_client):
    html = alice_client.get("/t/contoso/operators/operator-o/remove/").content.decode()
    assert "Removal is not possible yet" not in html
    assert 'name="confirm"' in html


def test_the_only_admin_is_offered_neither_remove_nor_demote(world, alice_client):
    html = alice_client.get("/t/contoso/members/").content.decode()
    assert "The only admin can&#x27;t be removed" in html or "The only admin can't" in html
    assert html.count('name="role"') == 1  # Victor's row only
    assert html.count("danger-link") == 1  # Victor's row only


def test_a_second_admin_unlocks_both(world, alice_client):
    membership(UserFactory(email="ada@contoso.test"), world.tenant_a, TenantRole.ADMIN)
    html = alice_client.get("/t/contoso/members/").content.decode()
    assert "The only admin" not in html
    assert html.count('name="role"') == 3


def test_remove_confirmation_of_the_only_admin_says_why_instead(world, alice_client):
    response = alice_client.post("/t/contoso/members/remove/", {"email": "alice@contoso.test"})
    html = response.content.decode()
    assert "is the only admin" in html and 'name="confirm"' not in html
