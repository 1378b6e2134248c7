"""The privacy notice over the API: draft status, publish, versions."""

import pytest

from notices.models import NoticeVersion
from portal.choices import AuditAction
from portal.models import AuditEvent
from tests.api.conftest import NOT_FOUND

BASE = "/api/v1/tenants/contoso/notice/"


def test_status_before_the_first_publish(world, api):
    body = api(world.victor).get(BASE).json()
    assert body["current"] is None
    assert body["never_published"] is True
    assert body["out_of_date"] is True
    assert body["can_publish"] is True
    assert body["problems"] == []
    assert [op["slug"] for op in body["draft"]["operators"]] == ["operator-o"]


def test_admin_publishes_and_the_status_follows(world, api):
    client = api(world.alice)
    response = client.post(BASE + "publish", {"note": "First notice"}, format="json")
    assert response.status_code == 201
    assert response["Location"] == "/api/v1/tenants/contoso/notice/versions/1/"
    version = response.json()
    assert version["number"] == 1
    assert version["admin_note"] == "First notice"
    assert version["sha256"] == NoticeVersion.objects.get(tenant=world.tenant_a).sha256
    assert "Operator O" in version["content"]["en"]
    assert AuditEvent.objects.filter(
        action=AuditAction.NOTICE_PUBLISHED, actor=world.alice
    ).exists()
    body = client.get(BASE).json()
    assert body["current"]["number"] == 1
    assert (body["out_of_date"], body["can_publish"]) == (False, False)


def test_publishing_an_unchanged_configuration_is_a_conflict(world, api):
    client = api(world.alice)
    client.post(BASE + "publish")
    response = client.post(BASE + "publish")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "notice_up_to_date"
    assert NoticeVersion.objects.filter(tenant=world.tenant_a).count() == 1


def test_publishing_without_a_privacy_contact_is_a_conflict(world, api):
    # The tenant's settings are incomplete, not the request: a refusal because of state (409).
    world.tenant_b.privacy_contact_email = ""
    world.tenant_b.save()
    response = api(world.bob).post("/api/v1/tenants/fabrikam/notice/publish")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "notice_incomplete"
    assert not NoticeVersion.objects.filter(tenant=world.tenant_b).exists()


def test_viewer_cannot_publish(world, api):
    response = api(world.victor).post(BASE + "publish")
    assert response.status_code == 403
    assert not NoticeVersion.objects.exists()


def test_versions_list_and_detail(world, api):
    api(world.alice).post(BASE + "publish")
    client = api(world.victor)
    body = client.get(BASE + "versions/").json()
    assert [v["number"] for v in body["results"]] == [1]
    detail = client.get(BASE + "versions/1/").json()
    assert detail["configuration"]["operators"][0]["slug"] == "operator-o"
    assert sorted(detail["content"]) == sorted(detail["languages"])
    response = client.get(BASE + "versions/2/")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("persona", ["bob", "oscar", "uma"])
def test_notice_endpoints_are_404_for_outsiders(world, api, persona):
    api(world.alice).post(BASE + "publish")
    client = api(getattr(world, persona))
    for method, url in [
        ("get", BASE),
        ("get", BASE + "versions/"),
        ("get", BASE + "versions/1/"),
        ("post", BASE + "publish"),
    ]:
        response = getattr(client, method)(url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url
    assert NoticeVersion.objects.count() == 1
