"""Every API answer that is not a success has the one JSON error shape, whatever went wrong."""

import pytest
from django.test import Client

from tests.api.conftest import make_token

METHODS = ["get", "post", "put", "patch", "delete"]


def _assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message", "fields"} <= set(body["error"])
    if code:
        assert body["error"]["code"] == code
    return body


@pytest.mark.parametrize("method", METHODS)
def test_an_unknown_path_answers_json_404_with_a_token(world, method):
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {make_token(world.alice)}"}
    response = getattr(client, method)("/api/v1/no-such-thing/", headers=headers)
    _assert_error_shape(response, 404, "not_found")


@pytest.mark.parametrize("method", METHODS)
def test_an_unknown_path_answers_json_404_with_a_session_and_no_csrf_token(world, method):
    # A browser session without the CSRF token: still the JSON shape, never the HTML 403 page.
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    kwargs = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    response = getattr(client, method)("/api/v1/tenants/contoso/nope", **kwargs)
    _assert_error_shape(response, 404, "not_found")


def test_a_session_write_without_csrf_token_answers_json_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    response = client.post(
        "/api/v1/tenants/contoso/members/",
        data={"email": "x@example.com", "role": "viewer"},
        content_type="application/json",
    )
    body = _assert_error_shape(response, 403)
    assert "CSRF" in body["error"]["message"]


def test_malformed_json_answers_400_in_the_shape(world):
    client = Client()
    headers = {"Authorization": f"Bearer {make_token(world.alice)}"}
    response = client.post(
        "/api/v1/tenants/contoso/members/",
        data='{"email": ',
        content_type="application/json",
        headers=headers,
    )
    _assert_error_shape(response, 400, "parse_error")


def test_a_wrong_content_type_answers_415_in_the_shape(world):
    client = Client()
    headers = {"Authorization": f"Bearer {make_token(world.alice)}"}
    response = client.post(
        "/api/v1/tenants/contoso/members/",
        data="email=x",
        content_type="text/plain",
        headers=headers,
    )
    _assert_error_shape(response, 415, "unsupported_media_type")


def test_a_wrong_method_answers_405_in_the_shape(world):
    client = Client()
    headers = {"Authorization": f"Bearer {make_token(world.alice)}"}
    response = client.put("/api/v1/tenants/contoso/call-records/", headers=headers)
    _assert_error_shape(response, 405, "method_not_allowed")


def test_refusals_because_of_state_are_409_with_their_code(world, api):
    from portal import services
    from tests.factories import OperatorFactory

    client = api(world.alice)
    services.remove_assignment(world.assignment, by=world.alice)
    response = client.patch(
        "/api/v1/tenants/contoso/assignments/operator-o/", {"countries": ["GB"]}, format="json"
    )
    _assert_error_shape(response, 409, "assignment_removed")
    OperatorFactory(name="Retired", slug="retired", is_active=False, countries=["GB"])
    response = client.post(
        "/api/v1/tenants/contoso/assignments/",
        {
            "operator": "retired", "countries": ["GB"], "contact_full_name": "A",
            "contact_email": "a@contoso.test", "company_size": "1-50", "acknowledged": True,
        },
        format="json",
    )  # fmt: skip
    assert response.status_code in (404, 409), response.json()
    assert response.json()["error"]["code"] in ("not_found", "operator_inactive")


def test_a_number_where_text_is_expected_is_refused(world, api):
    # DRF would store 12 as "12"; the schema says string, so the API says no.
    response = api(world.alice).patch(
        "/api/v1/tenants/contoso/", {"privacy_contact_address": 12}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["privacy_contact_address"]
