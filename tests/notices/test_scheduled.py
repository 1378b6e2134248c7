"""Changes announced before they apply: a version published with a future effective date.

Until its date the version in force stays in force — on the public page, in the JSON, in the
feed and at the sharing gate — and the page announces the new one; from that instant on it is
the one in force, everywhere at once.
"""

import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree  # noqa: S405 — parses our own feed in tests

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from notices.models import NoticeVersion
from notices.services import notice_status
from portal import sharing
from portal.errors import DomainError
from tests.factories import OperatorFactory
from tests.notices.conftest import assign, publish

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
WHEN = datetime(2027, 1, 11, 0, 0, tzinfo=UTC)  # the scheduled version's effective time
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scheduled(world, clock):
    """Version 1 in force (Operator O); version 2 adds Operator U for DE, from ``WHEN``."""
    v1 = publish(world.tenant_a, world.alice)
    assign(world.tenant_a, world.operator_u, ["DE"], world.alice)
    v2 = publish(world.tenant_a, world.alice, effective_at=WHEN)
    return v1, v2


def _json(client, **headers):
    response = client.get("/notice/contoso.json", **headers)
    return response, json.loads(response.content)


def test_a_future_date_is_kept_and_the_version_in_force_stays(world, scheduled):
    v1, v2 = scheduled
    assert (v2.effective_at, v2.published_at) == (WHEN, START)
    assert NoticeVersion.objects.current_for(world.tenant_a) == v1
    assert NoticeVersion.objects.upcoming_for(world.tenant_a) == [v2]
    assert "Version 2, effective Jan. 11, 2027." in v2.content["en"]


def test_out_of_date_state_counts_the_scheduled_version(world, scheduled):
    status = notice_status(world.tenant_a)
    assert status.current.number == 1
    assert [v.number for v in status.upcoming] == [2]
    assert status.out_of_date is False
    assert status.can_publish is False


def test_a_past_or_missing_date_means_now(world, clock):
    version = publish(world.tenant_a, world.alice, effective_at=START - timedelta(days=3))
    assert version.effective_at == START


def test_more_than_a_year_ahead_is_refused(world, clock):
    with pytest.raises(DomainError, match="at most a year ahead"):
        publish(world.tenant_a, world.alice, effective_at=START + timedelta(days=400))
    assert not NoticeVersion.objects.for_tenant(world.tenant_a).exists()


def test_public_page_announces_then_switches_exactly_at_the_date(world, scheduled, client, clock):
    before = client.get("/notice/contoso/").content.decode()
    assert "Version 1 · in force from" in before
    assert "A new version takes effect on Jan. 11, 2027" in before
    assert "/notice/contoso/diff/?a=1&amp;b=2&amp;lang=en" in before
    assert "Operator U privacy policy" not in before

    clock.move_to(WHEN - timedelta(microseconds=1))
    assert "Version 1 · in force from" in client.get("/notice/contoso/").content.decode()

    clock.move_to(WHEN)
    after = client.get("/notice/contoso/").content.decode()
    assert "Version 2 · in force from Jan. 11, 2027" in after
    assert "A new version takes effect" not in after
    assert "Operator U privacy policy" in after


def test_the_banner_is_in_the_readers_language(world, scheduled, client):
    body = client.get("/notice/contoso/?lang=de").content.decode()
    assert "Eine neue Version gilt ab 11. Januar 2027" in body
    assert "was sich ändert" in body


def test_shared_caches_keep_the_page_no_longer_than_until_the_date(world, scheduled, client, clock):
    clock.move_to(WHEN - timedelta(seconds=42))
    response = client.get("/notice/contoso/")
    assert response["Cache-Control"] == "public, max-age=42, stale-while-revalidate=60"
    clock.move_to(WHEN)
    assert client.get("/notice/contoso/")["Cache-Control"].startswith("public, max-age=300")


def test_json_lists_the_upcoming_version_until_it_applies(world, scheduled, client, clock):
    _response, doc = _json(client)
    assert doc["version"] == 1
    assert [(u["version"], u["effective_at"]) for u in doc["upcoming"]] == [
        (2, "2027-01-11T00:00:00+00:00")
    ]
    assert doc["upcoming"][0]["diff_url"] == "/notice/contoso/diff/?a=1&b=2&lang=en"
    assert [(v["version"], v["in_force"], v["scheduled"]) for v in doc["versions"]] == [
        (2, False, True),
        (1, True, False),
    ]
    assert [o["name"] for o in doc["operators"]] == ["Operator O"]

    clock.move_to(WHEN)
    _response, doc = _json(client)
    assert doc["version"] == 2
    assert doc["upcoming"] == []
    assert [o["name"] for o in doc["operators"]] == ["Operator O", "Operator U"]


def test_feed_is_atom_and_follows_the_date(world, scheduled, client, clock):
    response = client.get("/notice/contoso/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert response["Cache-Control"].startswith("public")
    feed = ElementTree.fromstring(  # noqa: S314
        response.content
    )
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles == [
        "Version 2, takes effect on Jan. 11, 2027",
        "Version 1, in force from Jan. 4, 2027",
    ]
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert links[0] == "http://testserver/notice/contoso/v/2/?lang=en"

    clock.move_to(WHEN)
    feed = ElementTree.fromstring(  # noqa: S314
        client.get("/notice/contoso/feed.atom").content
    )
    first = feed.find(f"{ATOM}entry").findtext(f"{ATOM}title")
    assert first == "Version 2, in force from Jan. 11, 2027"


def test_feed_in_german(world, scheduled, client):
    feed = ElementTree.fromstring(  # noqa: S314
        client.get("/notice/contoso/feed.atom?lang=de").content
    )
    assert feed.findtext(f"{ATOM}title") == "Datenschutzhinweis: Operator Connect bei Contoso"
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Version 2, gilt ab 11. Januar 2027"


def test_public_diff_says_what_changes_in_the_readers_language(world, scheduled, client):
    response = client.get("/notice/contoso/diff/?a=1&b=2&lang=de")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")
    body = response.content.decode()
    assert "Was sich von Version 1 zu Version 2 ändert" in body
    assert "Operator U für DE hinzugefügt" in body
    assert "<ins>" in body
    again = client.get("/notice/contoso/diff/?a=1&b=2&lang=de", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize("query", ["", "a=1", "a=x&b=2", "a=0&b=1", "a=1&b=9"])
def test_public_diff_of_unknown_versions_is_404(world, scheduled, client, query):
    assert client.get(f"/notice/contoso/diff/?{query}").status_code == 404


def test_gate_opens_exactly_at_the_effective_date(world, scheduled, clock):
    tenant, operator_u = world.tenant_a, world.operator_u
    state = sharing.gate(tenant, operator_u)
    assert not state.is_open
    assert [b.code for b in state.blocks] == ["notice_missing_operator"]
    assert state.blocks[0].message.endswith(
        "Version 2, already published, names Operator U and takes effect on 11 Jan 2027, 00:00 UTC."
    )

    clock.move_to(WHEN - timedelta(microseconds=1))
    assert not sharing.gate(tenant, operator_u).is_open

    clock.move_to(WHEN)
    state = sharing.gate(tenant, operator_u)
    assert state.is_open
    assert state.notice.number == 2
    windows = sharing.share_windows(tenant, operator_u)
    assert [(w.start, w.end, w.countries) for w in windows] == [(WHEN, None, frozenset({"DE"}))]


def test_a_version_overtaken_before_its_date_never_takes_effect(world, scheduled, client, clock):
    """Publishing again with an earlier date supersedes the announced version."""
    operator_z = OperatorFactory(name="Operator Z", slug="operator-z", countries=["GB"])
    assign(world.tenant_a, operator_z, ["GB"], world.alice)
    v3 = publish(world.tenant_a, world.alice)
    assert NoticeVersion.objects.current_for(world.tenant_a) == v3
    assert NoticeVersion.objects.upcoming_for(world.tenant_a) == []
    clock.move_to(WHEN + timedelta(days=1))
    assert NoticeVersion.objects.current_for(world.tenant_a) == v3
    _response, doc = _json(client)
    assert (doc["version"], doc["upcoming"]) == (3, [])


def test_admin_schedules_a_version_from_the_portal(world, login, clock):
    publish(world.tenant_a, world.alice)
    assign(world.tenant_a, world.operator_u, ["DE"], world.alice)
    client = login(world.alice)
    response = client.post(
        reverse("notices:publish", args=["contoso"]), {"note": "", "effective_on": "2027-01-11"}
    )
    assert response.status_code == 302
    v2 = NoticeVersion.objects.latest_for(world.tenant_a)
    assert (v2.number, v2.effective_at) == (2, WHEN)
    page = client.get(reverse("notices:status", args=["contoso"])).content.decode()
    assert "version 2</strong> takes effect on 11 Jan 2027, 00:00 UTC" in page


def test_api_publishes_with_an_effective_time(world, clock):
    publish(world.tenant_a, world.alice)
    assign(world.tenant_a, world.operator_u, ["DE"], world.alice)
    client = APIClient()
    client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/api/v1/tenants/contoso/notice/publish",
        {"effective_at": "2027-01-11T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["effective_at"] == "2027-01-11T00:00:00Z"
    status = client.get("/api/v1/tenants/contoso/notice/").json()
    assert [u["number"] for u in status["upcoming"]] == [2]
