"""Degrade, don't fail (issue 16 item 1): a cache outage and a broker outage never turn a page
or an API call into an error; ``/readyz`` names each dependency. Against real servers: a
redis-server of the test's own, killed or frozen; a port nothing listens on."""

import logging
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from exports import services
from exports.models import ExportJob
from notices import cache as notice_cache
from tests.api.conftest import make_token
from tests.reliability.processes import RedisServer, broker_at, closed_port

EXPORT = {
    "tenant": "contoso", "operator": "operator-o", "datasets": ["numbers"], "format": "csv",
    "start": "2026-01-01T00:00:00Z", "end": "2026-12-01T00:00:00Z",
}  # fmt: skip


def cache_at(url: str, breaker: float = 5) -> dict:
    return {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5,
                        "BREAKER_SECONDS": breaker},
        }
    }  # fmt: skip


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.thaw() if server.process and server.process.poll() is None else None
    server.kill()


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")
    return client


# --- cache ---------------------------------------------------------------------------------------


def test_a_killed_cache_serves_every_page_from_the_database(
    world, published, settings, redis_server, login
):
    settings.CACHES = cache_at(redis_server.url)
    public = Client()
    before = public.get("/notice/contoso/")
    assert before.status_code == 200
    assert cache.get(notice_cache.state_key("contoso")) is not None  # it was cached in Redis

    redis_server.kill()
    notice_cache.local.clear()  # as in another web process: only Redis knew the page
    after = public.get("/notice/contoso/")
    assert after.status_code == 200
    assert after.content == before.content  # the reader is told nothing
    assert public.get("/notice/contoso.json").status_code == 200
    assert _api(world.oscar).get("/api/v1/exports/").status_code == 200  # throttle counters
    assert _api(world.alice).get("/api/v1/tenants/contoso/assignments/").status_code == 200
    assert login(world.alice).get("/t/contoso/").status_code == 200  # dashboard counts


def test_a_hung_cache_is_waited_on_once_then_skipped_until_the_breaker_closes(
    world, published, settings, redis_server, caplog
):
    settings.CACHES = cache_at(redis_server.url, breaker=2)
    public = Client()
    assert public.get("/notice/contoso/").status_code == 200
    redis_server.freeze()  # accepts connections, never answers: the worst kind of outage
    notice_cache.local.clear()
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        started = time.monotonic()
        first = public.get("/notice/contoso/")
        first_took = time.monotonic() - started
        started = time.monotonic()
        for _ in range(20):
            notice_cache.local.clear()
            assert public.get("/notice/contoso/").status_code == 200
        next_took = time.monotonic() - started
    assert first.status_code == 200
    assert first_took < 2  # bounded by the socket timeout (0.5 s a call)
    # Twenty requests that each waited on the frozen Redis would take 20 × 0.5 s at least.
    assert next_took < 20 * 0.5 / 2
    assert [r.getMessage() for r in caplog.records].count(
        "cache unavailable (TimeoutError); serving without it for 2.0s at a time"
    ) == 1

    redis_server.thaw()
    time.sleep(2.1)  # the breaker half-opens: the next call tries Redis and closes it
    cache.set("back", "yes", 30)
    assert cache.get("back") == "yes"


# --- broker --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_queues_the_export_and_the_sweeper_sends_it_later(
    world, published, monkeypatch, caplog
):
    with broker_at(f"redis://127.0.0.1:{closed_port()}/0", monkeypatch):
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="exports.services"):
            response = _api(world.oscar).post("/api/v1/exports/", EXPORT, format="json")
        took = time.monotonic() - started
        assert response.status_code == 202, response.content
        assert response.json()["status"] == "queued"
        web = Client()
        web.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
        today = timezone.now().date()
        page = web.post(
            reverse("exports:tenant_export_new", kwargs={"tenant_slug": "contoso"}),
            {"party": "operator-o", "datasets": ["call_records"], "format": "csv",
             "start_date": str(today), "end_date": str(today)}, follow=True,
        )  # fmt: skip
        assert page.status_code == 200
        assert "The export was queued." in page.content.decode()
    assert took < 5
    jobs = list(ExportJob.objects.order_by("created_at"))
    assert [j.status for j in jobs] == ["queued", "queued"]
    assert [j.enqueued_at for j in jobs] == [None, None]  # not sent: the sweeper's to do
    assert any("queue unavailable" in r.getMessage() for r in caplog.records)

    # The broker answers again: the next sweep (beat, every minute) sends both at once.
    assert sorted(services.sweep_stuck_exports()) == sorted(str(j.pk) for j in jobs)
    assert all(j.enqueued_at is not None for j in ExportJob.objects.all())


# --- readiness -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_names_each_dependency_and_stays_ready_without_cache_or_broker(
    client, settings, monkeypatch
):
    body = client.get("/readyz").json()
    assert body == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok",
                    "storage": "ok"}  # fmt: skip
    settings.CACHES = cache_at(f"redis://127.0.0.1:{closed_port()}/0")
    with broker_at(f"redis://127.0.0.1:{closed_port()}/0", monkeypatch):
        response = client.get("/readyz")
    assert response.status_code == 200  # a load balancer keeps sending traffic: pages work
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "unavailable",
                               "cache": "unavailable", "storage": "ok"}  # fmt: skip
