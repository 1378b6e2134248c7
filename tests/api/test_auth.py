"""Authentication (Bearer tokens, sessions with CSRF), default permission, throttling."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import ApiToken
from tests.api.conftest import NOT_AUTHENTICATED, error, make_token

ME = "/api/v1/me"


@pytest.mark.django_db
def test_anonymous_request_is_refused_with_401_and_the_bearer_challenge():
    response = APIClient().get(ME)
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    assert response["WWW-Authenticate"] == "Bearer"


def test_valid_token_authenticates_and_records_last_use(world):
    key = make_token(world.oscar)
    response = APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["email"] == "oscar@operator-o.test"
    assert response.json()["authenticated_by"] == "token"
    token = ApiToken.objects.get(user=world.oscar)
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(seconds=10)


def test_last_used_at_is_refreshed_after_a_minute(world):
    key = make_token(world.oscar)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    ApiToken.objects.filter(user=world.oscar).update(last_used_at=an_hour_ago)
    APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ApiToken.objects.get(user=world.oscar).last_used_at > an_hour_ago


def test_revoked_token_is_refused(world):
    key = make_token(world.oscar)
    ApiToken.objects.filter(user=world.oscar).update(revoked_at=timezone.now())
    response = APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert response.json() == error("authentication_failed", "Invalid or revoked token.")


def test_expired_token_is_refused(world):
    key = make_token(world.oscar, expires_at=timezone.now() - timedelta(seconds=1))
    response = APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_unknown_token_is_refused(world):
    response = APIClient().get(ME, HTTP_AUTHORIZATION="Bearer ocp_not-a-real-token")
    assert response.status_code == 401


def test_token_of_a_deactivated_user_is_refused(world):
    key = make_token(world.oscar)
    world.oscar.is_active = False
    world.oscar.save()
    response = APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_malformed_authorization_header_is_refused(world):
    response = APIClient().get(ME, HTTP_AUTHORIZATION="Bearer two parts")
    assert response.status_code == 401
    assert response.json() == error("authentication_failed", "Invalid Authorization header.")


def test_token_writes_need_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    key = make_token(world.alice)
    response = client.patch(
        "/api/v1/tenants/contoso/",
        {"privacy_contact_name": "DPO"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200


def test_session_write_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
    response = client.patch(
        "/api/v1/tenants/contoso/",
        {"privacy_contact_name": "DPO"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "CSRF" in response.json()["error"]["message"]
    world.tenant_a.refresh_from_db()
    assert world.tenant_a.privacy_contact_name != "DPO"


def test_session_write_with_csrf_token_succeeds(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
    client.get("/accounts/password_change/")  # a page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.patch(
        "/api/v1/tenants/contoso/",
        {"privacy_contact_name": "DPO"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    assert response.json()["privacy_contact_name"] == "DPO"


def test_session_reads_need_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.victor, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(ME).json()["authenticated_by"] == "session"


def test_throttle_answers_429_with_retry_after(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min"},
    }
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(world.oscar)}")
    assert [client.get(ME).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(ME)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_throttle_counts_each_token_separately(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "2/min"},
    }
    first, second = make_token(world.oscar, name="a"), make_token(world.oscar, name="b")
    for _ in range(2):
        APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {first}")
    assert APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 429
    assert APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200


def test_unknown_api_path_answers_json_404(world, api):
    response = api(world.alice).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == error("not_found", "Not found.")
