"""Enabling (with a recorded acknowledgement) and disabling Operator Connect."""

import pytest

from portal.acknowledgements import ENABLE_TEXT
from portal.choices import AuditAction
from portal.models import Acknowledgement, AuditEvent, EnablementPeriod
from tests.web.conftest import messages_of

pytestmark = pytest.mark.django_db


def test_enable_page_shows_exactly_the_text_being_acknowledged(world, login, url):
    html = login(world.bob).get(url("enable", world.tenant_b)).content.decode()
    for line in ENABLE_TEXT.text.split("\n"):
        text = line.removeprefix("- ").replace("'", "&#x27;")
        assert text in html, text
    assert ENABLE_TEXT.version in html
    assert 'type="checkbox" name="acknowledged"' in html and "required" in html


def test_enable_records_who_when_and_which_text(world, login, url):
    client = login(world.bob)
    response = client.post(
        url("enable", world.tenant_b),
        {"acknowledged": "on", "text_version": ENABLE_TEXT.version},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    assert response["Location"] == url("dashboard", world.tenant_b)
    world.tenant_b.refresh_from_db()
    assert world.tenant_b.operator_connect_enabled
    ack = Acknowledgement.objects.get(tenant=world.tenant_b, kind="enable")
    assert (ack.user, ack.text_version, ack.text_sha256) == (
        world.bob, ENABLE_TEXT.version, ENABLE_TEXT.sha256,
    )  # fmt: skip
    assert ack.ip_address == "203.0.113.9"
    event = AuditEvent.objects.for_tenant(world.tenant_b).get(action=AuditAction.OC_ENABLED)
    assert event.ip_address == "203.0.113.9"
    follow = client.get(response["Location"])
    assert "Operator Connect is now enabled" in messages_of(follow)[0]


def test_enable_without_the_checkbox_is_refused_with_a_field_error(world, login, url):
    response = login(world.bob).post(
        url("enable", world.tenant_b), {"text_version": ENABLE_TEXT.version}
    )
    assert response.status_code == 200
    assert "Please tick the box" in response.context["form"].errors["acknowledged"][0]
    assert 'aria-describedby="id_acknowledged_error"' in response.content.decode()
    world.tenant_b.refresh_from_db()
    assert not world.tenant_b.operator_connect_enabled
    assert not Acknowledgement.objects.filter(tenant=world.tenant_b).exists()


def test_enable_from_a_stale_page_is_refused(world, login, url):
    response = login(world.bob).post(
        url("enable", world.tenant_b), {"acknowledged": "on", "text_version": "enable-1999"}
    )
    assert response.status_code == 200
    assert "text_version" in response.context["form"].errors
    world.tenant_b.refresh_from_db()
    assert not world.tenant_b.operator_connect_enabled


def test_enabling_twice_shows_the_service_message_not_an_error_page(world, alice_client, url):
    response = alice_client.post(
        url("enable", world.tenant_a), {"acknowledged": "on", "text_version": ENABLE_TEXT.version}
    )
    assert response.status_code == 200
    assert "already enabled" in response.context["form"].non_field_errors()[0]


def test_disable_explains_the_consequence_and_needs_confirmation(world, alice_client, url):
    html = alice_client.get(url("disable", world.tenant_a)).content.decode()
    assert "at once for all operators" in html
    response = alice_client.post(url("disable", world.tenant_a), {})
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    world.tenant_a.refresh_from_db()
    assert world.tenant_a.operator_connect_enabled


def test_disable_takes_effect_immediately(world, alice_client, url):
    response = alice_client.post(url("disable", world.tenant_a), {"confirm": "on"})
    assert response.status_code == 302
    world.tenant_a.refresh_from_db()
    assert not world.tenant_a.operator_connect_enabled
    assert not EnablementPeriod.objects.filter(tenant=world.tenant_a).open().exists()
    html = alice_client.get(url("dashboard", world.tenant_a)).content.decode()
    assert "Disabled since" in html


def test_viewer_cannot_disable(world, login, url):
    response = login(world.victor).post(url("disable", world.tenant_a), {"confirm": "on"})
    assert response.status_code == 403
    world.tenant_a.refresh_from_db()
    assert world.tenant_a.operator_connect_enabled
