"""Error pages: styled, and they say nothing about what exists (I1)."""

import pytest


@pytest.mark.django_db
def test_another_tenants_page_answers_the_same_styled_404_as_a_missing_one(world, login):
    client = login(world.bob)
    other = client.get("/t/contoso/")
    missing = client.get("/t/no-such-tenant/")
    assert other.status_code == missing.status_code == 404
    assert b"Page not found" in other.content and b"Page not found" in missing.content
    assert b"Contoso" not in other.content


@pytest.mark.django_db
def test_a_viewer_on_a_write_gets_the_styled_403(world, login):
    response = login(world.victor).post("/t/contoso/operator-connect/disable/")
    assert response.status_code == 403
    assert b"<h1>You can" in response.content
