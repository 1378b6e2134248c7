"""Hardened input: API bodies have a size and a depth limit; answers stay in the error shape.

Deeply nested JSON once answered 500 on ``POST /api/v1/exports/`` (issue 14).
"""

import io
import json

import pytest
from django.urls import reverse
from rest_framework.exceptions import ParseError

from api.parsers import BodyTooLarge, LimitedJSONParser, depth
from tests.access.test_matrix import ROWS

pytestmark = pytest.mark.django_db

EXPORTS = "/api/v1/exports/"


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert response["Content-Type"] == "application/json"
    return body["error"]


@pytest.mark.parametrize("levels", [21, 1_000, 100_000])
def test_deeply_nested_json_answers_400_not_500(world, login, levels):
    client = login(world.oscar)
    response = client.post(EXPORTS, nested(levels), content_type="application/json")
    error = assert_error(response, 400, "parse_error")
    assert "deeper than 20 levels" in error["message"]


def test_deep_values_inside_an_object_count_too(world, login):
    body = json.dumps({"tenant": "contoso", "datasets": json.loads(nested(25))})
    response = login(world.oscar).post(EXPORTS, body, content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_a_body_over_the_limit_answers_413(world, login, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"tenant": "contoso", "padding": "x" * 2_000})
    response = login(world.oscar).post(EXPORTS, body, content_type="application/json")
    error = assert_error(response, 413, "too_large")
    assert "1,000 bytes" in error["message"]


def test_malformed_json_answers_400(world, login):
    response = login(world.oscar).post(EXPORTS, "{'not': json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_invalid_utf8_answers_400(world, login):
    response = login(world.oscar).post(EXPORTS, b"\xff\xfe{}", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_a_form_body_is_refused_unread_whatever_its_field_count(world, login, settings):
    # The API speaks JSON only: a form body is never parsed, so no field count can cost us.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=x" for i in range(50))
    response = login(world.oscar).post(
        EXPORTS, body, content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 415, "unsupported_media_type")
    multipart = login(world.oscar).post(EXPORTS, {f"f{i}": "x" for i in range(50)})
    assert_error(multipart, 415, "unsupported_media_type")


def test_a_form_body_over_the_size_limit_is_refused_unread(world, login, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = login(world.oscar).post(
        EXPORTS, "tenant=" + "x" * 500, content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 415, "unsupported_media_type")
    multipart = login(world.oscar).post(EXPORTS, {"tenant": "x" * 500})
    assert_error(multipart, 415, "unsupported_media_type")


def test_a_stream_longer_than_it_declared_is_cut_at_the_limit(rf, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    request = rf.post("/api/v1/exports/", "{}", content_type="application/json")
    request.META["CONTENT_LENGTH"] = "2"  # a client may lie; only what is read counts
    with pytest.raises(BodyTooLarge):
        LimitedJSONParser().parse(io.BytesIO(b'{"a": "' + b"x" * 50 + b'"}'), None,
                                  {"request": request})  # fmt: skip


def test_depth_counts_lists_and_objects_without_recursing():
    assert depth(1) == 0
    assert depth({"a": [1, {"b": []}]}) == 4
    deep: list = []
    for _ in range(50_000):
        deep = [deep]
    assert depth(deep) == 50_001


def test_a_shallow_document_is_parsed_as_it_is(rf):
    request = rf.post("/", "{}", content_type="application/json")
    body = b'{"a": [1, 2, {"b": null}], "c": "\\u00e9"}'
    assert LimitedJSONParser().parse(io.BytesIO(body), None, {"request": request}) == {
        "a": [1, 2, {"b": None}],
        "c": "é",
    }


def test_nan_is_not_json(rf):
    request = rf.post("/", "{}", content_type="application/json")
    with pytest.raises(ParseError):
        LimitedJSONParser().parse(io.BytesIO(b'{"a": NaN}'), None, {"request": request})


# --- every API endpoint that takes a body ----------------------------------------------------

# Rows that send a JSON body. Bodiless actions (cancel, run now, rotate, test) are rows without
# a content type, as a browser's button sends them: they read no field, so no body reaches a parser.
BODY_ROWS = [
    r
    for r in ROWS
    if r.name.startswith("api:")
    and r.method in ("post", "put", "patch")
    and r.content_type == "application/json"
]


def _allowed(row) -> str:
    """A persona the matrix lets through to the handler (a 2xx, 4xx-after-parsing aside)."""
    for persona in ("sam", "alice", "oscar", "olivia", "bob"):
        if 200 <= row.expect.get(persona, 0) < 300:
            return persona
    pytest.fail(f"{row.id}: no persona gets through")


@pytest.mark.parametrize("row", BODY_ROWS, ids=[r.id for r in BODY_ROWS])
def test_every_api_write_refuses_deep_and_oversized_json(row, world, login, settings):
    user = getattr(world, _allowed(row), None) or world.sam
    client = login(user)
    kwargs = row.kwargs(world) if callable(row.kwargs) else row.kwargs
    url = reverse(row.name, kwargs=kwargs)
    send = getattr(client, row.method)
    assert_error(send(url, nested(5_000), content_type="application/json"), 400, "parse_error")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    big = json.dumps({"x": "y" * 100})
    assert_error(send(url, big, content_type="application/json"), 413, "too_large")


def test_the_body_rows_cover_the_api_writes():
    assert len(BODY_ROWS) >= 10
    assert any(r.name == "api:export-list" for r in BODY_ROWS)


# --- operator links: https only ----------------------------------------------------------------

NEW_OPERATOR = {
    "name": "Operator N",
    "slug": "operator-n",
    "privacy_policy_url": "https://operator-n.example/privacy",
    "terms_url": "https://operator-n.example/terms",
    "countries": ["GB"],
}


@pytest.mark.parametrize("field", ["privacy_policy_url", "terms_url", "website"])
def test_an_http_operator_link_is_refused_by_the_api(world, login, field):
    body = {**NEW_OPERATOR, field: "http://operator-n.example/page"}
    response = login(world.sam).post("/api/v1/operators/", body, content_type="application/json")
    error = assert_error(response, 400, "invalid")
    assert "https://" in error["fields"][field][0]
    from portal.models import Operator

    assert not Operator.objects.filter(slug="operator-n").exists()


def test_an_http_link_is_refused_on_update_too(world, login):
    response = login(world.sam).patch(
        f"/api/v1/operators/{world.operator_o.slug}/",
        {"terms_url": "http://operator-o.example/terms"},
        content_type="application/json",
    )
    assert_error(response, 400, "invalid")
    world.operator_o.refresh_from_db()
    assert world.operator_o.terms_url.startswith("https://")


def test_the_service_refuses_an_http_link_whoever_calls_it(world):
    from portal.errors import DomainError
    from portal.services.directory import create_operator, update_operator

    with pytest.raises(DomainError) as refused:
        create_operator(by=world.sam, **{**NEW_OPERATOR, "terms_url": "http://x.example/t"})
    assert refused.value.field == "terms_url"
    with pytest.raises(DomainError):
        update_operator(world.operator_o, by=world.sam, privacy_policy_url="ftp://x.example/p")


def test_the_admin_form_refuses_an_http_link(world, login):
    client = login(world.sam)
    response = client.post(
        "/admin/portal/operator/add/",
        {
            **{k: v for k, v in NEW_OPERATOR.items() if k != "countries"},
            "privacy_policy_url": "http://operator-n.example/privacy",
            "countries-TOTAL_FORMS": "1", "countries-INITIAL_FORMS": "0",
            "countries-MIN_NUM_FORMS": "0", "countries-MAX_NUM_FORMS": "1000",
            "countries-0-country": "GB",
        },
    )  # fmt: skip
    assert response.status_code == 200  # the form again, with the error
    assert "Use an https:// address" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "debug", "ok"),
    [
        ("https://operator.example/privacy", False, True),
        ("http://operator.example/privacy", False, False),
        ("http://operator.example/privacy", True, False),
        ("http://127.0.0.1:8080/privacy", True, True),
        ("http://localhost/privacy", True, True),
        ("http://[::1]/privacy", True, True),
        ("http://127.0.0.1:8080/privacy", False, False),
        ("javascript:alert(1)", True, False),
        ("https:///no-host", False, False),
    ],
)
def test_only_https_links_pass_except_loopback_in_development(settings, url, debug, ok):
    from portal.validation import link_problem

    settings.DEBUG = debug
    assert (link_problem(url) is None) is ok
