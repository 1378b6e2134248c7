"""``/me``, the operator directory, tenants, and turning Operator Connect on and off."""

import pytest

from portal.choices import AuditAction
from portal.models import AuditEvent, Operator, Tenant
from tests.api.conftest import NOT_FOUND, error

OPERATOR = {
    "name": "Northwind Telecom",
    "slug": "northwind-telecom",
    "privacy_policy_url": "https://northwind.example/privacy",
    "terms_url": "https://northwind.example/terms",
    "services": ["calling", "emergency"],
    "countries": ["gb", "IE"],
}


def test_me_lists_memberships_and_operator_memberships(world, api, token_api):
    body = api(world.alice).get("/api/v1/me").json()
    assert body == {
        "email": "alice@contoso.test",
        "full_name": "Alice Admin",
        "is_staff": False,
        "time_zone": "UTC",
        "memberships": [
            {
                "tenant": {
                    "slug": "contoso",
                    "name": "Contoso",
                    "microsoft_tenant_id": str(world.tenant_a.microsoft_tenant_id),
                },
                "role": "admin",
            }
        ],
        "operator_memberships": [],
        "authenticated_by": "session",
    }
    oscar = token_api(world.oscar).get("/api/v1/me").json()
    assert oscar["memberships"] == []
    assert oscar["operator_memberships"] == [
        {"operator": {"slug": "operator-o", "name": "Operator O"}, "role": "analyst"}
    ]


# --- operators -----------------------------------------------------------------------------------


def test_operator_directory_lists_active_operators(world, api):
    world.operator_u.is_active = False
    world.operator_u.save()
    body = api(world.alice).get("/api/v1/operators/").json()
    assert body["count"] == 1
    [operator] = body["results"]
    assert operator["slug"] == "operator-o"
    assert operator["countries"] == ["DE", "FR", "GB"]
    assert operator["privacy_policy_url"] == "https://operator-o.example/privacy"
    assert api(world.alice).get("/api/v1/operators/operator-u/").status_code == 404
    # Staff maintain the directory, so they see inactive entries too.
    assert api(world.sam).get("/api/v1/operators/").json()["count"] == 2
    assert api(world.sam).get("/api/v1/operators/operator-u/").status_code == 200


def test_staff_create_an_operator_with_its_countries(world, api):
    response = api(world.sam).post("/api/v1/operators/", OPERATOR, format="json")
    assert response.status_code == 201, response.json()
    assert response["Location"] == "/api/v1/operators/northwind-telecom/"
    assert response.json()["countries"] == ["GB", "IE"]
    assert response.json()["services"] == ["calling", "emergency"]
    operator = Operator.objects.get(slug="northwind-telecom")
    event = AuditEvent.objects.get(action=AuditAction.OPERATOR_CREATED)
    assert (event.actor, event.operator_id, event.details) == (
        world.sam,
        operator.pk,
        {"countries": ["GB", "IE"]},
    )


def test_creating_an_operator_with_a_taken_slug_is_a_conflict(world, api):
    response = api(world.sam).post(
        "/api/v1/operators/", {**OPERATOR, "slug": "operator-o"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == error(
        "duplicate",
        "Another operator already uses this slug.",
        {"slug": ["Another operator already uses this slug."]},
    )


def test_creating_an_operator_validates_input(world, api):
    response = api(world.sam).post(
        "/api/v1/operators/",
        {**OPERATOR, "terms_url": "not a url", "countries": ["XX"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"terms_url": ["Enter a valid URL."]}
    response = api(world.sam).post(
        "/api/v1/operators/", {**OPERATOR, "countries": ["XX"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == error(
        "invalid", "Unknown country code: XX.", {"countries": ["Unknown country code: XX."]}
    )


def test_only_staff_create_operators(world, api):
    response = api(world.olivia).post("/api/v1/operators/", OPERATOR, format="json")
    assert response.status_code == 403
    assert response.json() == error("permission_denied", "Only platform staff can do that.")
    assert not Operator.objects.filter(slug="northwind-telecom").exists()


def test_staff_patch_an_operator(world, api):
    response = api(world.sam).patch(
        "/api/v1/operators/operator-u/",
        {"description": "Nationwide", "countries": ["GB", "DE", "NL"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["description"] == "Nationwide"
    assert response.json()["countries"] == ["DE", "GB", "NL"]
    event = AuditEvent.objects.get(action=AuditAction.OPERATOR_UPDATED)
    assert event.details["fields"] == ["description", "countries"]


def test_a_country_in_use_by_a_tenant_cannot_be_dropped(world, api):
    response = api(world.sam).patch(
        "/api/v1/operators/operator-o/", {"countries": ["GB", "FR"]}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "countries_in_use"
    assert world.operator_o.country_codes == ["DE", "FR", "GB"]


def test_operator_admins_cannot_patch_the_directory(world, api):
    response = api(world.olivia).patch(
        "/api/v1/operators/operator-o/", {"description": "x"}, format="json"
    )
    assert response.status_code == 403


# --- tenants -------------------------------------------------------------------------------------


def test_tenant_list_shows_only_my_tenants_with_my_role(world, api):
    body = api(world.victor).get("/api/v1/tenants/").json()
    assert [(t["slug"], t["role"]) for t in body["results"]] == [("contoso", "viewer")]
    assert api(world.oscar).get("/api/v1/tenants/").json()["results"] == []
    staff = api(world.sam).get("/api/v1/tenants/").json()["results"]
    assert [(t["slug"], t["role"]) for t in staff] == [("contoso", "admin"), ("fabrikam", "admin")]


def test_tenant_detail(world, api):
    body = api(world.alice).get("/api/v1/tenants/contoso/").json()
    assert body["name"] == "Contoso"
    assert body["country"] == "GB"
    assert body["operator_connect_enabled"] is True
    assert body["role"] == "admin"


def test_another_tenants_admin_gets_404_like_a_missing_tenant(world, api):
    client = api(world.bob)
    for url in ("/api/v1/tenants/contoso/", "/api/v1/tenants/no-such-tenant/"):
        response = client.get(url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    response = client.patch("/api/v1/tenants/contoso/", {"privacy_contact_name": "x"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_tenant_admin_changes_the_privacy_contact(world, api):
    response = api(world.alice).patch(
        "/api/v1/tenants/contoso/",
        {"privacy_contact_name": "DPO", "privacy_contact_address": "1 High Street, London"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["privacy_contact_name"] == "DPO"
    event = AuditEvent.objects.get(action=AuditAction.TENANT_UPDATED)
    # The audit log names the fields, never the address itself (I8).
    assert event.details == {
        "fields": ["privacy_contact_name", "privacy_contact_address"],
        "summary": "privacy contact name, privacy contact address",
    }


def test_tenant_admin_cannot_change_staff_only_fields(world, api):
    response = api(world.alice).patch(
        "/api/v1/tenants/contoso/", {"name": "Contoso Ltd"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == error("permission_denied", "Only platform staff can change name.")
    world.tenant_a.refresh_from_db()
    assert world.tenant_a.name == "Contoso"


def test_tenant_viewer_cannot_patch(world, api):
    response = api(world.victor).patch(
        "/api/v1/tenants/contoso/", {"privacy_contact_name": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == error(
        "permission_denied", "Only admins of this organization can do that."
    )


def test_staff_onboard_a_tenant(world, api):
    response = api(world.sam).post(
        "/api/v1/tenants/",
        {"name": "Northwind", "slug": "northwind", "country": "US"},
        format="json",
    )
    assert response.status_code == 201
    assert response["Location"] == "/api/v1/tenants/northwind/"
    tenant = Tenant.objects.get(slug="northwind")
    assert response.json()["microsoft_tenant_id"] == str(tenant.microsoft_tenant_id)
    assert AuditEvent.objects.filter(action=AuditAction.TENANT_CREATED, tenant=tenant).exists()
    again = api(world.sam).post(
        "/api/v1/tenants/", {"name": "N", "slug": "northwind", "country": "US"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["fields"] == {
        "slug": ["Another organization already uses this slug."]
    }


def test_tenant_admins_cannot_onboard_tenants(world, api):
    response = api(world.alice).post(
        "/api/v1/tenants/", {"name": "N", "slug": "n", "country": "US"}, format="json"
    )
    assert response.status_code == 403


# --- operator connect ----------------------------------------------------------------------------


def test_enable_requires_the_acknowledgement(world, api):
    response = api(world.bob).post(
        "/api/v1/tenants/fabrikam/operator-connect/enable", {"acknowledged": False}, format="json"
    )
    assert response.status_code == 400
    message = "Please confirm that you understand and accept the data transfer."
    assert response.json() == error(
        "acknowledgement_required", message, {"acknowledged": [message]}
    )
    missing = api(world.bob).post(
        "/api/v1/tenants/fabrikam/operator-connect/enable", {}, format="json"
    )
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"] == {"acknowledged": ["This field is required."]}


def test_enable_and_disable_operator_connect(world, api):
    client = api(world.bob)
    response = client.post(
        "/api/v1/tenants/fabrikam/operator-connect/enable", {"acknowledged": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["operator_connect_enabled"] is True
    event = AuditEvent.objects.get(action=AuditAction.OC_ENABLED, tenant=world.tenant_b)
    assert event.actor == world.bob
    again = client.post(
        "/api/v1/tenants/fabrikam/operator-connect/enable", {"acknowledged": True}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    response = client.post("/api/v1/tenants/fabrikam/operator-connect/disable")
    assert response.status_code == 200
    assert response.json()["operator_connect_enabled"] is False


def test_viewer_cannot_disable_operator_connect(world, api):
    response = api(world.victor).post("/api/v1/tenants/contoso/operator-connect/disable")
    assert response.status_code == 403
    world.tenant_a.refresh_from_db()
    assert world.tenant_a.operator_connect_enabled is True


@pytest.mark.parametrize("persona", ["bob", "oscar"])
def test_outsiders_cannot_disable_operator_connect(world, api, persona):
    response = api(getattr(world, persona)).post("/api/v1/tenants/contoso/operator-connect/disable")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
