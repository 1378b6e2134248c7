"""Sessions end after 30 idle minutes or 12 hours in all, whichever comes first (issue 2, item 2)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

T0 = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
LOGIN = "/accounts/login/"


@pytest.fixture
def signed_in(world, client):
    """Alice signs in at T0; ``visit(offset, path)`` requests ``path`` at T0 + offset."""
    with time_machine.travel(T0, tick=False):
        client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")

    def visit(offset: timedelta, path: str = "/accounts/password_change/"):
        with time_machine.travel(T0 + offset, tick=False):
            return client.get(path)

    return visit


def _signed_in(response) -> bool:
    return response.wsgi_request.user.is_authenticated


def test_the_timeouts_are_thirty_minutes_idle_and_twelve_hours_in_all():
    assert (settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_LIFETIME) == (1800, 43200)


def test_an_active_user_within_both_limits_stays_signed_in(signed_in):
    # A request every 25 minutes for 11 h 40 min: never idle too long, never too old.
    for n in range(29):
        response = signed_in(timedelta(minutes=25 * n))
        assert response.status_code == 200, n
        assert _signed_in(response)


def test_a_request_exactly_at_the_idle_limit_still_counts_as_active(signed_in):
    response = signed_in(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT))
    assert (response.status_code, _signed_in(response)) == (200, True)


def test_an_idle_session_is_signed_out_and_sent_to_the_login_page_with_a_message(signed_in, client):
    assert _signed_in(signed_in(timedelta(minutes=10)))
    response = signed_in(timedelta(minutes=41, seconds=1), "/?tab=operators")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{LOGIN}?next=/%3Ftab%3Doperators"
    assert not _signed_in(response)

    with time_machine.travel(T0 + timedelta(minutes=42), tick=False):
        login_page = client.get(response.headers["Location"])
        home = client.get("/")
    assert login_page.status_code == 200
    assert [str(m) for m in login_page.context["messages"]] == [
        "Your session expired. Please sign in again."
    ]
    assert (home.status_code, home.headers["Location"]) == (302, f"{LOGIN}?next=/")


def test_a_session_older_than_the_absolute_lifetime_is_signed_out_although_active(signed_in):
    for n in range(29):  # every 25 minutes, the last at 11 h 40 min
        assert _signed_in(signed_in(timedelta(minutes=25 * n)))
    response = signed_in(timedelta(hours=12, seconds=1), "/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{LOGIN}?next=/"
    assert not _signed_in(response)


def test_an_expired_session_on_an_api_path_is_signed_out_without_a_redirect(signed_in, client):
    assert "_auth_user_id" in client.session
    response = signed_in(timedelta(hours=1), "/api/schema/")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
