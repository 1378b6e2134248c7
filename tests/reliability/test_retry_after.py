"""Every 429 says when to come back (issue 16 item 4): the export rate limit over the API and
the web form, and the sign-in lock-out."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import make_token

URL = "/api/v1/exports/"


def _body(datasets):
    return {
        "tenant": "contoso", "operator": "operator-o", "datasets": datasets, "format": "csv",
        "start": "2026-01-01T00:00:00Z", "end": "2026-12-01T00:00:00Z",
    }  # fmt: skip


def test_the_export_rate_limit_answers_429_with_the_seconds_until_a_slot_frees(
    world, published, settings, time_machine
):
    settings.EXPORT_RATE_PER_HOUR = 2
    settings.EXPORT_MAX_CONCURRENT = 10
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(world.oscar)}")
    time_machine.move_to(timezone.now(), tick=False)
    assert client.post(URL, _body(["numbers"]), format="json").status_code == 202
    time_machine.shift(timedelta(minutes=20))
    assert client.post(URL, _body(["call_records"]), format="json").status_code == 202
    time_machine.shift(timedelta(minutes=10))
    response = client.post(URL, _body(["emergency_locations"]), format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    # The first request ages out of the hour 30 minutes from now.
    assert response["Retry-After"] == str(30 * 60)


def test_the_export_form_answers_429_with_retry_after(world, published, settings, login):
    settings.EXPORT_RATE_PER_HOUR = 0
    today = timezone.now().date()
    response = login(world.alice).post(
        reverse("exports:tenant_export_new", kwargs={"tenant_slug": "contoso"}),
        {"party": "operator-o", "datasets": ["numbers"], "format": "csv",
         "start_date": str(today - timedelta(days=2)), "end_date": str(today)},
    )  # fmt: skip
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 3600
    assert "exports in the last hour" in response.content.decode()


def test_the_sign_in_lock_out_answers_429_with_its_cool_off(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("login"), {"username": "alice@contoso.test", "password": "wrong-password"}
        )
    assert response.status_code == 429
    # At the limit the cool-off is the base one; it doubles with every failure past it.
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_BASE.total_seconds()))
