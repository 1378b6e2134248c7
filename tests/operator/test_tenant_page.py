"""The operator's page of one tenant (docs/operator.md "The tenant page"), in HTML and API."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from notices.services import publish_notice
from portal import services
from tests.factories import CallRecordFactory

PAGE = "/o/operator-o/t/contoso/"
API = "/api/v1/operators/operator-o/tenants/contoso/"


@pytest.fixture
def shared(world):
    """Contoso tells its users (v1 names O for GB and DE), then adds FR, not yet in a notice;
    three GB calls and one FR call arrive after the notice."""
    version = publish_notice(world.tenant_a, by=world.alice)
    services.change_assignment_countries(
        world.assignment, countries=["GB", "DE", "FR"], by=world.alice
    )
    now = timezone.now()
    for i in range(3):
        CallRecordFactory(
            tenant=world.tenant_a, operator=world.operator_o, tenant_country="GB",
            invite_time=now + timedelta(seconds=i),
        )  # fmt: skip
    CallRecordFactory(
        tenant=world.tenant_a, operator=world.operator_o, tenant_country="FR", invite_time=now
    )
    return version


def test_the_page_shows_what_the_tenant_shared_its_status_the_gate_and_the_notice(
    world, shared, login
):
    body = login(world.oscar).get(PAGE).content.decode()
    for fact in (
        "Alice Admin", "alice@contoso.test", "251–1,000 employees", "assign-2026-11",
        "DE, FR, GB", "Active", "Pending",
    ):  # fmt: skip
        assert fact in body, fact
    assert "Shared now: DE, GB." in body
    assert "FR calls are not shared with Operator O until a notice naming it for FR" in body
    assert '<a href="/notice/contoso/v/1/">version 1</a>' in body
    # the volume counts only what the gate lets through: 3 GB calls, not the held-back FR one
    assert re.search(r"<td>[A-Z][a-z]{2} \d{4}</td><td>3</td>", body)
    assert "Countries changed" in body  # the first period ended when FR was added


def test_the_page_offers_an_export_of_this_tenant_preselected(world, shared, login):
    client = login(world.oscar)
    body = client.get(PAGE).content.decode()
    assert 'href="/o/operator-o/exports/new/?party=contoso"' in body
    form = client.get("/o/operator-o/exports/new/?party=contoso").content.decode()
    assert re.search(r'<option value="contoso" selected>', form)


def test_the_page_lists_this_tenants_exports_for_us(world, shared, login):
    from exports.services import request_export

    job, _ = request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
        datasets=["numbers"], start=timezone.now() - timedelta(days=1), end=timezone.now(),
        format="csv",
    )  # fmt: skip
    body = login(world.oscar).get(PAGE).content.decode()
    assert f"/o/operator-o/exports/{job.pk}/" in body


def test_a_closed_gate_says_why_and_offers_no_export(world, login):
    body = login(world.oscar).get(PAGE).content.decode()  # no notice published yet
    assert "Nothing is shared with you now." in body
    assert "has not published a privacy notice" in body
    assert "Request an export" not in body
    assert "none in force" in body


@pytest.mark.parametrize("path", [PAGE, "/o/operator-o/"])
def test_a_pending_relationship_preselects_no_status(world, login, path):
    body = login(world.olivia).get(path).content.decode()
    select = re.search(r'<select name="status".*?</select>', body, re.S).group(0)
    assert '<option value="" selected>Choose…</option>' in select
    assert 'value="agreement_signed" selected' not in select


def test_a_signed_relationship_is_preselected_and_the_form_returns_to_the_page(world, login):
    client = login(world.olivia)
    response = client.post(
        "/o/operator-o/tenants/contoso/relationship/",
        {"status": "agreement_signed", "back": "tenant"},
    )
    assert response.status_code == 302 and response.url == PAGE
    body = client.get(PAGE).content.decode()
    assert 'value="agreement_signed" selected' in body
    assert 'value="" selected' not in body


def test_an_empty_status_is_refused(world, login):
    login(world.olivia).post("/o/operator-o/tenants/contoso/relationship/", {"status": ""})
    world.assignment.refresh_from_db()
    assert world.assignment.relationship_status == "pending"


@pytest.mark.parametrize(("back", "path"), [("tenant", PAGE), ("", "/o/operator-o/")])
def test_a_refused_relationship_change_shows_the_error_summary_on_its_page(
    world, login, back, path
):
    client = login(world.olivia)
    response = client.post(
        "/o/operator-o/tenants/contoso/relationship/", {"status": "declined", "back": back}
    )
    assert response.status_code == 400
    html = response.content.decode()
    h1 = re.compile(r"<h1.*?</h1>", re.S)
    assert h1.search(html)[0] == h1.search(client.get(path).content.decode())[0]  # its page
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    reason_id = f"reason-{world.assignment.pk}"
    assert f'href="#{reason_id}"' in summary and "Give a reason" in summary
    assert 'value="declined" selected' in html  # the admin's choice is kept
    world.assignment.refresh_from_db()
    assert world.assignment.relationship_status == "pending"


def test_analysts_see_the_relationship_but_not_its_form(world, login):
    body = login(world.oscar).get(PAGE).content.decode()
    assert "Relationship" in body and '<select name="status"' not in body


def test_other_operators_and_unassigned_tenants_answer_404(world, login):
    assert login(world.uma).get(PAGE).status_code == 404
    assert login(world.oscar).get("/o/operator-o/t/fabrikam/").status_code == 404
    assert login(world.oscar).get("/o/operator-o/t/nobody/").status_code == 404


def test_a_removed_operator_no_longer_sees_the_tenant(world, login):
    services.remove_assignment(world.assignment, by=world.alice)
    assert login(world.oscar).get(PAGE).status_code == 404


def test_the_operator_home_links_each_tenant_to_its_page(world, login):
    body = login(world.oscar).get("/o/operator-o/").content.decode()
    assert f'href="{PAGE}"' in body


def test_a_user_of_exactly_one_operator_lands_on_its_home(world, login):
    response = login(world.oscar).get("/")
    assert response.status_code == 302 and response.url == "/o/operator-o/"


def test_a_user_of_an_operator_and_a_tenant_gets_the_chooser(world, login):
    from tests.factories import membership

    membership(world.oscar, world.tenant_b)
    assert login(world.oscar).get("/").status_code == 200


# --- the API -------------------------------------------------------------------------------------


def test_the_api_gives_the_same_facts(world, shared, login):
    response = login(world.oscar).get(API)
    assert response.status_code == 200
    data = response.json()
    assert data["tenant"]["slug"] == "contoso"
    assert (data["contact_full_name"], data["contact_email"], data["company_size"]) == (
        "Alice Admin", "alice@contoso.test", "251-1000",
    )  # fmt: skip
    assert data["acknowledgement_version"] == "assign-2026-11"
    assert sorted(data["countries"]) == ["DE", "FR", "GB"]
    assert data["relationship_status"] == "pending"
    assert data["sharing"]["open"] is True
    assert data["sharing"]["countries"] == ["DE", "GB"]
    assert data["sharing"]["held_back"] == ["FR"]
    assert [m["call_records"] for m in data["monthly_call_records"]] == [3]
    assert data["notice"]["number"] == 1 and data["notice"]["url"] == "/notice/contoso/v/1/"
    assert sorted(data["notice"]["countries"]) == ["DE", "GB"]
    assert [p["end_reason"] for p in data["periods"]] == ["countries_changed", ""]
    assert data["exports"] == []
    assert data["request_export_url"] == "/api/v1/exports/"


@pytest.mark.parametrize(
    ("who", "path"),
    [("uma", API), ("oscar", "/api/v1/operators/operator-o/tenants/fabrikam/")],
)
def test_the_api_answers_404_in_the_one_error_shape_outside_scope(world, login, who, path):
    response = login(getattr(world, who)).get(path)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found.",
                                         "fields": {}}}  # fmt: skip


def test_the_api_is_in_the_openapi_schema(world, client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/operators/{operator_slug}/tenants/{tenant_slug}/"]["get"]
    assert operation["operationId"] == "operator_tenants_retrieve"
