"""Lock-out that protects, not punishes (docs/security.md, "Lock-out").

Failures lock an account from the address they came from, or — when they come from everywhere —
the account for a growing cool-off; never an address alone. The client address is read from the
trusted proxy chain, so spoofed ``X-Forwarded-For`` entries change nothing.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.permissions import client_ip

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


def sign_in(client: Client, email: str, password: str, address: str, **headers):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def fail(times: int, email: str = "alice@contoso.test", address: str = ATTACKER, **headers):
    client = Client()
    responses = [sign_in(client, email, "wrong-password", address, **headers) for _ in range(times)]
    return responses[-1]


def test_failures_from_one_address_do_not_lock_the_owner_out_of_their_own(
    world, settings, password
):
    assert fail(settings.AXES_FAILURE_LIMIT).status_code == 429
    assert sign_in(Client(), "alice@contoso.test", password, ATTACKER).status_code == 429
    response = sign_in(Client(), "alice@contoso.test", password, OWNER)
    assert response.status_code == 302 and response["Location"] == "/"


def test_failures_from_one_address_never_lock_other_accounts_there(world, settings, password):
    """An office behind one NAT: one person's typos lock nobody else out."""
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT * 2):
        sign_in(client, f"guess{i}@contoso.test", "wrong-password", ATTACKER)
    response = sign_in(Client(), "victor@contoso.test", password, ATTACKER)
    assert response.status_code == 302


def test_the_account_name_is_counted_whatever_its_case(world, settings, password):
    for i in range(settings.AXES_FAILURE_LIMIT):
        fail(1, email="ALICE@contoso.test" if i % 2 else "alice@Contoso.TEST")
    assert sign_in(Client(), "alice@contoso.test", password, ATTACKER).status_code == 429


def test_failures_from_everywhere_lock_the_account_everywhere_for_a_while(
    world, settings, password
):
    for i in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        fail(1, address=f"192.0.2.{i + 1}")
    response = sign_in(Client(), "alice@contoso.test", password, OWNER)
    assert response.status_code == 429
    # A refused attempt counts as a failure too: the cool-off doubled from 15 minutes.
    assert "Try again in 30 minutes" in response.content.decode()
    # Victor is not affected.
    assert sign_in(Client(), "victor@contoso.test", password, OWNER).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert sign_in(Client(), "alice@contoso.test", password, OWNER).status_code == 302


def test_the_cool_off_doubles_with_every_failure_past_the_limit(world, settings, password):
    assert "Try again in 15 minutes" in fail(settings.AXES_FAILURE_LIMIT).content.decode()
    assert "Try again in 30 minutes" in fail(1).content.decode()
    assert "Try again in 60 minutes" in fail(1).content.decode()
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=59)):
        # Still refused, and the refused attempt doubles the cool-off once more.
        assert "Try again in 120 minutes" in fail(1).content.decode()
    with time_machine.travel(start + timedelta(minutes=59 + 121)):
        assert sign_in(Client(), "alice@contoso.test", password, ATTACKER).status_code == 302


def test_the_cool_off_stops_at_its_ceiling(world, settings):
    settings.LOGIN_COOLOFF_MAX = timedelta(minutes=40)
    fail(settings.AXES_FAILURE_LIMIT + 5)
    assert "Try again in 40 minutes" in fail(1).content.decode()


# --- the client address from the trusted proxy chain -----------------------------------------


def _through(proxies: int, client_address: str, spoofed: str = "") -> dict:
    """The request the app sees when ``client_address`` comes through ``proxies`` proxies.

    The client may send its own ``X-Forwarded-For`` (``spoofed``); each proxy appends the address
    it received from; REMOTE_ADDR is the last proxy.
    """
    if proxies == 0:
        headers = {"HTTP_X_FORWARDED_FOR": spoofed} if spoofed else {}
        return {"address": client_address, **headers}
    hops = [client_address] + [f"10.0.0.{i}" for i in range(1, proxies)]
    chain = ([spoofed] if spoofed else []) + hops
    return {"address": f"10.0.0.{proxies}", "HTTP_X_FORWARDED_FOR": ", ".join(chain)}


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_client_ip_reads_the_entry_the_outermost_trusted_proxy_wrote(rf, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    seen = _through(proxies, ATTACKER, spoofed=OWNER)
    request = rf.get("/", REMOTE_ADDR=seen.pop("address"), **seen)
    assert client_ip(request) == ATTACKER


@pytest.mark.parametrize("proxies", [1, 2])
def test_a_garbage_or_short_forwarded_chain_falls_back_to_the_peer(rf, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="")) == "10.0.0.9"
    forwarded = ", ".join(["not-an-address"] * proxies)
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == "10.0.0.9"


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_behind_proxies_spoofed_addresses_neither_lock_the_owner_nor_free_the_attacker(
    world, settings, password, proxies
):
    settings.TRUSTED_PROXY_COUNT = proxies
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        # Each attempt claims to come from somewhere else, the owner's address included.
        seen = _through(proxies, ATTACKER, spoofed=OWNER if i % 2 else f"192.0.2.{i}")
        sign_in(client, "alice@contoso.test", "wrong-password", seen.pop("address"), **seen)
    seen = _through(proxies, ATTACKER, spoofed="192.0.2.200")
    locked = sign_in(Client(), "alice@contoso.test", password, seen.pop("address"), **seen)
    assert locked.status_code == 429
    seen = _through(proxies, OWNER)
    owner = sign_in(Client(), "alice@contoso.test", password, seen.pop("address"), **seen)
    assert owner.status_code == 302


# --- the e-mail ------------------------------------------------------------------------------


def test_a_lock_mails_the_owner_once_with_a_working_reset_link(world, settings, client):
    fail(settings.AXES_FAILURE_LIMIT + 3)  # the lock, then three refused attempts
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@contoso.test"]
    assert "blocked" in message.subject
    assert "You can still sign in from your usual network." in message.body
    assert ATTACKER not in message.body
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    path = link.removeprefix(settings.SITE_URL)
    form = client.get(path, follow=True)
    assert form.status_code == 200
    assert "new_password1" in form.content.decode()


def test_an_account_wide_lock_mails_the_owner_again_saying_so(world, settings):
    for i in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        fail(1, address=f"192.0.2.{i + 1}")
    assert len(mail.outbox) == 1  # one address never reached the limit, the account did
    assert "from every network" in mail.outbox[0].body


def test_locking_an_unknown_account_mails_nobody(world, settings):
    fail(settings.AXES_FAILURE_LIMIT, email="nobody@contoso.test")
    assert mail.outbox == []
