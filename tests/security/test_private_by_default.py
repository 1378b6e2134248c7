"""Private by default: every response that belongs to someone says ``no-store, private``.

Walks every row of the access matrix (``tests/access``) as each signed-in persona — pages, API,
403 and 404 answers, redirects — and checks the header; the public notice keeps its public
caching even for a signed-in reader.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.access.matrix import PERSONAS
from tests.access.test_matrix import ROWS

SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]


def _request(client: Client, row, world):
    kwargs = row.kwargs(world) if callable(row.kwargs) else row.kwargs
    url = reverse(row.name, kwargs=kwargs)
    if row.query:
        url += "?" + row.query
    data = row.data(world) if callable(row.data) else row.data
    send = getattr(client, row.method)
    extra = {"content_type": row.content_type} if row.content_type else {}
    return send(url, **extra) if data is None else send(url, data, **extra)


def _directives(response) -> set[str]:
    return {d.strip().lower() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_every_url_of_the_access_matrix_is_private_for_a_signed_in_user(persona, world):
    """One world per persona; each row runs in a rolled-back savepoint so rows stay independent."""
    client = Client(raise_request_exception=False)
    wrong: list[str] = []
    public = 0
    for row in ROWS:
        client.force_login(
            getattr(world, persona), backend="django.contrib.auth.backends.ModelBackend"
        )
        with transaction.atomic():
            response = _request(client, row, world)
            transaction.set_rollback(True)
        directives = _directives(response)
        if getattr(response, "public_cacheable", False):
            public += 1
            if "public" not in directives or response.cookies:
                wrong.append(f"{row.id} → {response.status_code}: public notice not public")
        elif not {"no-store", "private"} <= directives or "public" in directives:
            wrong.append(f"{row.id} → {response.status_code}: {response.get('Cache-Control')!r}")
    assert not wrong, "\n".join(wrong)
    assert public >= 3  # the notice page, a version and its JSON stayed public


def test_403_404_and_redirects_are_private(world, login):
    client = login(world.bob)
    forbidden_or_missing = client.get("/t/contoso/")
    assert forbidden_or_missing.status_code == 404
    assert forbidden_or_missing["Cache-Control"] == "no-store, private"
    viewer = login(world.victor)
    forbidden = viewer.post("/t/contoso/members/add/", {})
    assert forbidden.status_code == 403
    assert forbidden["Cache-Control"] == "no-store, private"
    redirect = viewer.get("/")
    assert redirect.status_code == 302
    assert redirect["Cache-Control"] == "no-store, private"


def test_api_answers_with_a_bearer_token_are_private(world, client):
    from portal.services.tokens import create_token

    _, secret = create_token(world.oscar, name="script")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    refused = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer ocp_wrong")
    assert refused.status_code == 401
    assert refused["Cache-Control"] == "no-store, private"


def test_the_public_notice_stays_public_for_a_signed_in_reader(world, login):
    from notices import cache as notice_cache
    from notices.services import publish_notice

    publish_notice(world.tenant_a, by=world.alice)
    notice_cache.invalidate_tenant(world.tenant_a.slug)
    client = login(world.alice)
    for _ in range(2):  # the full path, then the early answer from the page cache
        response = client.get("/notice/contoso/")
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("public")
        assert "private" not in response["Cache-Control"]
        assert not response.cookies


def test_an_anonymous_page_without_cookies_is_left_alone(db, client):
    response = client.get("/accounts/password_reset/done/")
    assert response.status_code == 200 and not response.cookies
    assert "Cache-Control" not in response
