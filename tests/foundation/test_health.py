"""Probes: /healthz says the process is up, /readyz which dependencies answer."""

import json

import pytest

from portal.celery import app as celery_app


def test_healthz_answers_200_without_login_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]
    assert "max-age=0" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_200_when_the_database_and_the_broker_answer(client):
    assert celery_app.conf.broker_url.startswith("redis://")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok", "database": "ok", "broker": "ok", "cache": "ok", "storage": "ok",
    }  # fmt: skip
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_readyz_names_the_broker_when_it_does_not_answer(client, monkeypatch):
    # Pages still work without the broker (exports wait queued): degraded, still ready.
    # Celery prefers the CELERY_BROKER_URL environment variable to its configuration.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    url = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    try:
        response = client.get("/readyz")
    finally:
        celery_app.conf.broker_url = url
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "degraded",
        "database": "ok",
        "broker": "unavailable",
        "cache": "ok",
        "storage": "ok",
    }
