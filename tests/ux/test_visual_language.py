"""One visual language (docs/ui.md): active navigation, dates with their zone, status badges
with reasons."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from exports.models import ExportJob
from portal import services
from tests.factories import tell_users

pytestmark = pytest.mark.django_db


def _current_nav(html: str) -> list[str]:
    nav = html[html.index('class="sidenav"') :]
    nav = nav[: nav.index("</nav>")]
    return [re.sub(r"<[^>]+>", "", m) for m in re.findall(r'aria-current="page">(.*?)</a>', nav)]


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("/t/contoso/", "Dashboard"),
        ("/t/contoso/notice/", "Privacy notice"),
        ("/t/contoso/notice/history/", "Notice history"),
        ("/t/contoso/exports/", "Exports"),
        ("/t/contoso/exports/shared/", "What has been shared"),
        ("/t/contoso/members/", "Members"),
    ],
)
def test_every_tenant_page_highlights_its_navigation_item(world, alice_client, path, item):
    tell_users(world.tenant_a, world.alice)
    assert _current_nav(alice_client.get(path).content.decode()) == [item]


@pytest.mark.parametrize(
    ("path", "item"),
    [("/o/operator-o/", "Organizations"), ("/o/operator-o/exports/", "Exports")],
)
def test_every_operator_page_highlights_its_navigation_item(world, login, path, item):
    html = login(world.oscar).get(path).content.decode()
    assert _current_nav(html) == [item]


def test_moments_state_their_time_zone_and_days_do_not():
    moment = datetime(2026, 12, 4, 9, 15, tzinfo=UTC)
    with timezone.override("Europe/Berlin"):
        html = Template("{% load ui %}{{ m|moment }}|{{ m|day }}|{{ m|utc_moment }}").render(
            Context({"m": moment})
        )
    assert html == (
        '<time datetime="2026-12-04T10:15:00+01:00">4 Dec 2026, 10:15 CET</time>|'
        '<time datetime="2026-12-04T10:15:00+01:00">4 Dec 2026</time>|'
        '<time datetime="2026-12-04T09:15:00+00:00">4 Dec 2026, 09:15 UTC</time>'
    )


def test_export_detail_says_ready_download_closed_with_the_reason(world, alice_client):
    tell_users(world.tenant_a, world.alice)
    now = timezone.now()
    job = ExportJob.objects.create(
        tenant=world.tenant_a, operator=world.operator_o, requested_by=world.alice,
        requested_via="tenant", datasets=["numbers"], format="csv",
        start=now - timedelta(days=1), end=now, status="succeeded", finished_at=now,
        expires_at=now + timedelta(days=7), dedupe_key=uuid.uuid4().hex,
    )  # fmt: skip
    services.suspend_assignment(world.assignment, by=world.alice)
    html = alice_client.get(f"/t/contoso/exports/{job.pk}/").content.decode()
    assert "Ready — download closed" in html
    assert "status-closed" in html
    assert "Operator O can no longer download this file." in html
    assert "suspended" in html
    # Cancelling is never styled as the main action.
    assert 'class="button">Cancel export' not in html


def test_after_publishing_the_preview_shows_the_published_version_not_a_draft(world, alice_client):
    tell_users(world.tenant_a, world.alice)
    html = alice_client.get("/t/contoso/notice/").content.decode()
    assert "Draft — not yet published" not in html
    assert "Version 1 as published" in html and "Version 1, effective" in html
