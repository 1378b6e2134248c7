"""A tenant's numbers, call records (keyset pages + filters), locations and audit events."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from portal.choices import CallType, Direction
from tests.api.conftest import NOT_FOUND
from tests.factories import CallRecordFactory, EmergencyLocationFactory, PhoneNumberFactory

BASE = "/api/v1/tenants/contoso/"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def calls(world):
    """Five calls of tenant A (one an hour), one of tenant B."""
    rows = [
        CallRecordFactory(
            tenant=world.tenant_a,
            operator=world.operator_o,
            invite_time=T0 + timedelta(hours=i),
            direction=Direction.INBOUND if i % 2 else Direction.OUTBOUND,
            call_type=CallType.USER_IN if i % 2 else CallType.USER_OUT,
        )
        for i in range(5)
    ]
    CallRecordFactory(tenant=world.tenant_b, operator=world.operator_u, invite_time=T0)
    return rows


def test_numbers_list_with_filters(world, api):
    location = EmergencyLocationFactory(tenant=world.tenant_a)
    PhoneNumberFactory(
        telephone_number="+442079460001",
        tenant=world.tenant_a,
        operator=world.operator_o,
        emergency_location=location,
    )
    PhoneNumberFactory(
        telephone_number="+4930123456",
        tenant=world.tenant_a,
        operator=world.operator_o,
        iso_country_code="DE",
    )
    PhoneNumberFactory(telephone_number="+442079460099", tenant=world.tenant_b)
    client = api(world.victor)
    body = client.get(BASE + "numbers/").json()
    assert [n["telephone_number"] for n in body["results"]] == ["+442079460001", "+4930123456"]
    gb = body["results"][0]
    assert gb["operator"] == "operator-o"
    assert gb["sip_uri"] == "sip:+442079460001@tenant.example"
    assert gb["emergency_location"] == str(location.location_id)
    de = client.get(BASE + "numbers/?country=de").json()["results"]
    assert [n["telephone_number"] for n in de] == ["+4930123456"]
    assert client.get(BASE + "numbers/?operator=operator-u").json()["count"] == 0


def test_call_records_newest_first_in_keyset_pages(world, api, calls):
    client = api(world.alice)
    first = client.get(BASE + "call-records/?page_size=2").json()
    assert [c["id"] for c in first["results"]] == [str(calls[4].id), str(calls[3].id)]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [c["id"] for c in second["results"]] == [str(calls[2].id), str(calls[1].id)]
    third = client.get(second["next"]).json()
    assert [c["id"] for c in third["results"]] == [str(calls[0].id)]
    assert third["next"] is None


def test_call_records_ties_on_invite_time_are_ordered_by_id(world, api):
    same = [
        CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, invite_time=T0)
        for _ in range(3)
    ]
    client = api(world.alice)
    seen, url = [], BASE + "call-records/?page_size=1"
    while url:
        page = client.get(url).json()
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    assert seen == sorted((str(c.id) for c in same), reverse=True)


def test_call_record_fields(world, api, calls):
    record = api(world.alice).get(BASE + "call-records/?page_size=1").json()["results"][0]
    assert record["operator"] == "operator-o"
    assert record["caller_number"] == "+442079460000"
    assert record["tenant_country"] == "GB"
    assert "tenant" not in record


def test_call_record_filters(world, api, calls):
    client = api(world.alice)

    def ids(query: str) -> list[str]:
        response = client.get(BASE + "call-records/?" + query)
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["results"]]

    assert ids("from=2026-11-01T13:00:00Z&to=2026-11-01T15:00:00Z") == [
        str(calls[2].id),
        str(calls[1].id),
    ]
    window = "&from=2026-10-15T00:00:00Z"
    assert ids("direction=inbound" + window) == [str(calls[3].id), str(calls[1].id)]
    assert ids("call_type=user_out" + window) == [str(c.id) for c in (calls[4], calls[2], calls[0])]
    assert ids("operator=operator-u") == []
    assert len(ids("operator=operator-o")) == 5


def test_call_record_filters_are_validated(world, api):
    client = api(world.alice)
    response = client.get(BASE + "call-records/?from=yesterday&direction=sideways")
    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == ["direction", "from"]
    response = client.get(BASE + "call-records/?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"to": ["Must be after from."]}


def test_invalid_cursor_is_404_in_the_error_shape(world, api):
    response = api(world.alice).get(BASE + "call-records/?cursor=garbage")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "Invalid cursor",
        "fields": {},
    }


def test_emergency_locations(world, api):
    EmergencyLocationFactory(tenant=world.tenant_a, company_name="Contoso HQ", elin="123")
    EmergencyLocationFactory(tenant=world.tenant_b, company_name="Fabrikam HQ")
    body = api(world.victor).get(BASE + "emergency-locations/").json()
    assert [(loc["company_name"], loc["elin"]) for loc in body["results"]] == [
        ("Contoso HQ", "123")
    ]


def test_audit_events_newest_first_with_operator_slug(world, api):
    body = api(world.alice).get(BASE + "audit-events/").json()
    assert [e["action"] for e in body["results"]] == [
        "assignment.added",
        "operator_connect.enabled",
    ]
    added = body["results"][0]
    assert added["operator"] == "operator-o"
    assert added["sentence"] == "Alice Admin added operator Operator O for DE, GB"
    assert body["results"][1]["operator"] is None


@pytest.mark.parametrize("persona", ["bob", "oscar", "uma"])
@pytest.mark.parametrize(
    "path", ["numbers/", "call-records/", "emergency-locations/", "audit-events/"]
)
def test_tenant_data_is_404_for_outsiders(world, api, persona, path, calls):
    response = api(getattr(world, persona)).get(BASE + path)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_list_queries_do_not_grow_with_rows(world, token_api, django_assert_max_num_queries):
    client = token_api(world.alice)
    for i in range(30):
        CallRecordFactory(
            tenant=world.tenant_a,
            operator=world.operator_o,
            invite_time=T0 + timedelta(minutes=i),
        )
        PhoneNumberFactory(
            tenant=world.tenant_a,
            operator=world.operator_o,
            emergency_location=EmergencyLocationFactory(tenant=world.tenant_a),
        )
    # token, tenant, role, (count), page — whatever the page size
    with django_assert_max_num_queries(8):
        assert len(client.get(BASE + "call-records/").json()["results"]) == 30
    with django_assert_max_num_queries(8):
        assert client.get(BASE + "numbers/").json()["count"] == 30
    with django_assert_max_num_queries(8):
        assert client.get(BASE + "audit-events/").status_code == 200


def test_a_filter_no_index_serves_reads_a_window_of_at_most_93_days(world, api, calls):
    url = BASE + "call-records/?direction=inbound"
    # No from/to: the last 30 days. The calls are of 1 November 2026.
    with time_machine.travel(datetime(2026, 11, 20, tzinfo=UTC), tick=False):
        assert len(api(world.alice).get(url).json()["results"]) == 2
    with time_machine.travel(datetime(2027, 2, 1, tzinfo=UTC), tick=False):
        client = api(world.alice)
        assert client.get(url).json()["results"] == []
        # from alone: up to 93 days after it.
        assert len(client.get(url + "&from=2026-10-01T00:00:00Z").json()["results"]) == 2
        too_long = client.get(url + "&from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z")
    assert too_long.status_code == 400
    error = too_long.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["from"]
    assert "at most 93 days" in error["fields"]["from"][0]
