"""A web request's statements stop at WEB_STATEMENT_TIMEOUT_MS (docs/reliability.md, "Statement
timeout"): the request answers 503 saying to narrow it, nothing is half-saved, and the web
worker's connection goes back to no limit for whoever uses it next.

The slow statement is real: another connection holds the operator's row lock, so the export
request's ``SELECT … FOR UPDATE`` waits until PostgreSQL cancels it.
"""

import threading
import time

import psycopg
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from exports.models import ExportJob
from tests.api.conftest import make_token

pytestmark = pytest.mark.django_db(transaction=True)


def _hold_the_operator_row(operator, seconds: float) -> threading.Event:
    """Lock ``operator``'s row from another connection for ``seconds``; set once locked."""
    locked = threading.Event()
    params = connection.get_connection_params()
    dsn = psycopg.conninfo.make_conninfo(
        "", **{k: v for k, v in params.items() if k in {"host", "port", "user", "dbname"}}
    )

    def hold():
        with psycopg.connect(dsn) as other, other.transaction():
            other.execute("SELECT 1 FROM portal_operator WHERE id = %s FOR UPDATE", [operator.pk])
            locked.set()
            time.sleep(seconds)

    threading.Thread(target=hold, daemon=True).start()
    assert locked.wait(10)
    return locked


def _body():
    return {
        "tenant": "contoso", "operator": "operator-o", "datasets": ["numbers"], "format": "csv",
        "start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z",
    }  # fmt: skip


def test_a_statement_past_the_limit_answers_503_in_the_error_shape(world, published, settings):
    settings.WEB_STATEMENT_TIMEOUT_MS = 300
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(world.oscar)}")
    _hold_the_operator_row(world.operator_o, seconds=3)
    started = time.monotonic()
    response = client.post("/api/v1/exports/", _body(), format="json")
    assert time.monotonic() - started < 2.5  # cancelled, not waited out
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "too_slow"
    assert "Narrow it down" in response.json()["error"]["message"]
    assert not ExportJob.objects.exists()  # nothing half-saved
    with connection.cursor() as cursor:  # the next user of this connection has no limit
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_a_page_past_the_limit_says_so_in_html(world, published, settings, login):
    settings.WEB_STATEMENT_TIMEOUT_MS = 300
    _hold_the_operator_row(world.operator_o, seconds=3)
    today = timezone.now().date()
    response = login(world.alice).post(
        reverse("exports:tenant_export_new", kwargs={"tenant_slug": "contoso"}),
        {"party": "operator-o", "datasets": ["numbers"], "format": "csv",
         "start_date": str(today.replace(day=1)), "end_date": str(today)},
    )  # fmt: skip
    assert response.status_code == 503
    assert b"would have taken too long" in response.content
    assert "no-store" in response["Cache-Control"]


def test_without_a_limit_the_request_waits_for_the_lock(world, published, settings):
    settings.WEB_STATEMENT_TIMEOUT_MS = 0
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(world.oscar)}")
    _hold_the_operator_row(world.operator_o, seconds=1)
    response = client.post("/api/v1/exports/", _body(), format="json")
    assert response.status_code == 202
