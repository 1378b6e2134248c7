"""Every list filter of the browser exists in the API with the same meaning; unknown parameters
are refused instead of ignored."""

from datetime import UTC, datetime, timedelta

import pytest

from exports import runner
from exports.permissions import VIA_OPERATOR
from exports.services import request_export
from notices.services import publish_notice
from portal.choices import AuditAction, CallQuality, OperatorService, PstnAssignmentStatus
from portal.models import Operator
from tests.factories import (
    CallRecordFactory,
    EmergencyLocationFactory,
    OperatorFactory,
    PhoneNumberFactory,
)

BASE = "/api/v1/tenants/contoso/"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _results(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_numbers_search_and_status_mean_what_the_browser_means(world, api):
    PhoneNumberFactory(
        telephone_number="+442079460001",
        tenant=world.tenant_a,
        operator=world.operator_o,
        assigned_upn="jane@contoso.test",
        pstn_assignment_status=PstnAssignmentStatus.USER,
    )
    PhoneNumberFactory(
        telephone_number="+442079460002",
        tenant=world.tenant_a,
        operator=world.operator_o,
        pstn_assignment_status=PstnAssignmentStatus.UNASSIGNED,
        city="Manchester",
    )
    client = api(world.victor)
    numbers = lambda q: [n["telephone_number"] for n in _results(client, BASE + "numbers/?" + q)]  # noqa: E731
    # Spaces and dashes in a number are ignored, as in the browser's search box.
    assert numbers("q=2079 460-001") == ["+442079460001"]
    assert numbers("q=JANE@") == ["+442079460001"]
    assert numbers("q=manchester") == ["+442079460002"]
    assert numbers("status=UserAssigned") == ["+442079460001"]
    assert numbers("status=Unassigned&q=2079") == ["+442079460002"]
    bad = client.get(BASE + "numbers/?status=sideways")
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["status"]


def test_call_records_filter_by_quality(world, api):
    good = CallRecordFactory(
        tenant=world.tenant_a, operator=world.operator_o, quality=CallQuality.GOOD, invite_time=T0
    )
    CallRecordFactory(
        tenant=world.tenant_a, operator=world.operator_o, quality=CallQuality.POOR, invite_time=T0
    )
    rows = _results(api(world.alice), BASE + "call-records/?quality=good&from=2026-10-15T00:00:00Z")
    assert [r["id"] for r in rows] == [str(good.id)]


def test_emergency_locations_filter_by_search_and_country(world, api):
    berlin = EmergencyLocationFactory(tenant=world.tenant_a, city="Berlin", country="DE")
    EmergencyLocationFactory(tenant=world.tenant_a, city="London", country="GB")
    client = api(world.alice)
    assert [r["location_id"] for r in _results(client, BASE + "emergency-locations/?q=berl")] == [
        str(berlin.location_id)
    ]
    assert [
        r["location_id"] for r in _results(client, BASE + "emergency-locations/?country=de")
    ] == [str(berlin.location_id)]


def test_audit_events_filter_by_action_actor_operator_and_time(world, api):
    publish_notice(world.tenant_a, by=world.alice)
    client = api(world.alice)
    everything = _results(client, BASE + "audit-events/?page_size=100")
    published = _results(client, BASE + f"audit-events/?action={AuditAction.NOTICE_PUBLISHED}")
    assert published and {e["action"] for e in published} == {AuditAction.NOTICE_PUBLISHED}
    by_alice = _results(client, BASE + f"audit-events/?actor={world.alice.pk}&page_size=100")
    assert len(by_alice) == len(everything)  # the world's events are all Alice's
    assert _results(client, BASE + f"audit-events/?actor={world.victor.pk}") == []
    about_o = _results(client, BASE + "audit-events/?operator=operator-o&page_size=100")
    assert about_o and all(e["operator"] == "operator-o" for e in about_o)
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _results(client, BASE + f"audit-events/?from={future}") == []
    assert len(_results(client, BASE + f"audit-events/?to={future}&page_size=100")) == len(
        everything
    )
    bad = client.get(BASE + "audit-events/?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"to": ["Must be after from."]}


def test_the_directory_filters_by_search_country_and_service(world, api):
    OperatorFactory(
        name="Fjord Tele", slug="fjord", countries=["NO"], services=[OperatorService.CONTACT_CENTER]
    )
    client = api(world.alice)
    slugs = lambda q: sorted(o["slug"] for o in _results(client, "/api/v1/operators/?" + q))  # noqa: E731
    assert slugs("q=fjord") == ["fjord"]
    assert slugs("country=no") == ["fjord"]
    assert "fjord" not in slugs("country=gb")
    expected = sorted(
        o.slug
        for o in Operator.objects.active()
        if OperatorService.CONTACT_CENTER in (o.services or [])
    )
    assert slugs(f"service={OperatorService.CONTACT_CENTER}") == expected


def test_exports_filter_by_status_tenant_and_operator(world, api):
    publish_notice(world.tenant_a, by=world.alice)
    job, _ = request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via=VIA_OPERATOR,
        datasets=["numbers"], start=T0, end=T0 + timedelta(days=1), format="csv",
    )  # fmt: skip
    assert runner.run_export(job.pk) == "succeeded"
    client = api(world.oscar)
    ids = lambda q: [j["id"] for j in _results(client, "/api/v1/exports/?" + q)]  # noqa: E731
    assert ids("status=succeeded") == [str(job.pk)]
    assert ids("status=queued") == []
    assert ids("tenant=contoso&operator=operator-o") == [str(job.pk)]
    assert ids("tenant=fabrikam") == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/me?verbose=1",
        "/api/v1/operators/?contry=GB",
        BASE + "numbers/?stauts=user",
        BASE + "call-records/?start=2026-01-01T00:00:00Z",
        BASE + "assignments/operator-o/?expand=all",
        "/api/v1/exports/?state=queued",
    ],
)
def test_an_unknown_query_parameter_is_a_400_naming_it(world, api, url):
    response = api(world.alice).get(url)
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert len(body["fields"]) == 1
    assert next(iter(body["fields"].values())) == ["Unknown query parameter."]


def test_an_unknown_query_parameter_on_a_write_is_refused_before_anything_changes(world, api):
    response = api(world.alice).post(
        BASE + "assignments/operator-o/suspend?force=1", {}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"force": ["Unknown query parameter."]}
    world.assignment.refresh_from_db()
    assert world.assignment.status == "active"


def test_pagination_parameters_are_known(world, api):
    client = api(world.alice)
    assert client.get(BASE + "numbers/?page=1&page_size=10").status_code == 200
    assert client.get(BASE + "call-records/?page_size=10").status_code == 200


def test_a_time_with_an_odd_offset_is_read_in_utc(world, api):
    # PostgreSQL refuses the offset -23:11 on year 13 as written; in UTC it is an ordinary time.
    response = api(world.alice).get(
        BASE + "call-records/?from=0013-11-15T16%3A10%3A58.601487-23%3A11"
    )
    assert response.status_code == 200


def test_a_null_character_in_a_query_parameter_is_a_400(world, api):
    # Like every form field; a view reading a parameter itself (the access report) included.
    for url in [BASE + "numbers/?q=a%00b", BASE + "privacy/access-report/?upn=a%00@contoso.test"]:
        response = api(world.alice).get(url)
        assert response.status_code == 400, url
        assert list(response.json()["error"]["fields"].values()) == [
            ["Null characters are not allowed."]
        ]


def test_a_country_is_two_letters_as_sent(world, api):
    client = api(world.alice)
    assert client.get("/api/v1/operators/?country=de").status_code == 200
    assert client.get("/api/v1/operators/?country=%20d").status_code == 400  # not stripped
