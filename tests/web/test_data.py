"""Numbers, emergency locations and call records (keyset pagination)."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from control.tenant.data import PAGE_SIZE
from portal.choices import CallQuality, Direction, PstnAssignmentStatus
from portal.models import PhoneNumberPeriod
from tests.factories import (
    CallRecordFactory,
    EmergencyLocationFactory,
    PhoneNumberFactory,
    TenantFactory,
    tell_users,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbers(world):
    berlin = EmergencyLocationFactory(tenant=world.tenant_a, company_name="Contoso GmbH",
                                      city="Berlin", country="DE", street_name="Unter den Linden")  # fmt: skip
    return [
        PhoneNumberFactory(telephone_number="+442079460001", tenant=world.tenant_a,
                           operator=world.operator_o, iso_country_code="GB",
                           pstn_assignment_status=PstnAssignmentStatus.USER,
                           assigned_upn="ann@contoso.test", assigned_display_name="Ann Lee"),
        PhoneNumberFactory(telephone_number="+4930901820", tenant=world.tenant_a,
                           operator=world.operator_o, iso_country_code="DE",
                           emergency_location=berlin),
        PhoneNumberFactory(telephone_number="+442079460002", tenant=world.tenant_a,
                           operator=world.operator_u, iso_country_code="GB"),
        PhoneNumberFactory(telephone_number="+4940111111", tenant=world.tenant_b,
                           operator=world.operator_o, iso_country_code="DE"),
    ]  # fmt: skip


def _listed(response) -> list[str]:
    return [n.telephone_number for n in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["+442079460001", "+442079460002", "+4930901820"]),
        ("operator=operator-u", ["+442079460002"]),
        ("country=DE", ["+4930901820"]),
        ("status=UserAssigned", ["+442079460001"]),
        ("q=ann%40contoso", ["+442079460001"]),
        ("q=%2B49+30", ["+4930901820"]),
        ("q=nothing-here", []),
    ],
)
def test_numbers_list_filters(world, alice_client, url, numbers, query, expected):
    response = alice_client.get(url("numbers", world.tenant_a) + "?" + query)
    assert response.status_code == 200
    assert _listed(response) == expected


def test_number_detail_shows_history_and_emergency_location(world, alice_client, url, numbers):
    tell_users(world.tenant_a, world.alice)  # shared now needs the notice to name O for DE
    number = numbers[1]
    start = timezone.now() - timedelta(days=30)
    PhoneNumberPeriod.objects.create(number=number, operator=world.operator_o, started_at=start,
                                     assigned_upn="max@contoso.test")  # fmt: skip
    response = alice_client.get(url("number_detail", world.tenant_a, number="+4930901820"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Contoso GmbH" in html and "Unter den Linden" in html
    assert "max@contoso.test" in html
    assert response.context["shared_now"] is True  # DE is in operator O's countries


def test_number_outside_the_assignments_countries_is_not_shared(world, alice_client, url):
    PhoneNumberFactory(telephone_number="+33142685000", tenant=world.tenant_a,
                       operator=world.operator_o, iso_country_code="FR")  # fmt: skip
    response = alice_client.get(url("number_detail", world.tenant_a, number="+33142685000"))
    assert response.context["shared_now"] is False
    assert "Not shared now" in response.content.decode()


def test_another_tenants_number_answers_404(world, alice_client, url, numbers):
    response = alice_client.get(url("number_detail", world.tenant_a, number="+4940111111"))
    assert response.status_code == 404


def test_locations_list_counts_numbers_and_filters(world, alice_client, url, numbers):
    EmergencyLocationFactory(tenant=world.tenant_a, company_name="Contoso Ltd", city="London")
    EmergencyLocationFactory(tenant=world.tenant_b, company_name="Fabrikam AG", city="Hamburg")
    response = alice_client.get(url("locations", world.tenant_a))
    rows = {loc.company_name: loc.number_count for loc in response.context["page"].object_list}
    assert rows == {"Contoso GmbH": 1, "Contoso Ltd": 0}
    response = alice_client.get(url("locations", world.tenant_a) + "?country=DE&q=berlin")
    assert [loc.city for loc in response.context["page"].object_list] == ["Berlin"]


# --- call records -------------------------------------------------------------------------------


@pytest.fixture
def calls(world):
    base = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    # Operator U carries one of A's numbers, so it is offered in the operator filter.
    PhoneNumberFactory(tenant=world.tenant_a, operator=world.operator_u, iso_country_code="GB")
    rows = []
    for i in range(PAGE_SIZE * 2 + 7):
        rows.append(
            CallRecordFactory(
                tenant=world.tenant_a,
                operator=world.operator_o if i % 2 else world.operator_u,
                # Pairs share an invite time: the id breaks the tie in the keyset.
                invite_time=base + timedelta(minutes=i // 2),
                direction=Direction.INBOUND if i % 3 == 0 else Direction.OUTBOUND,
                quality=CallQuality.POOR if i % 5 == 0 else CallQuality.GOOD,
            )
        )
    CallRecordFactory(tenant=world.tenant_b, operator=world.operator_o, invite_time=base)
    return rows


def _ids(response):
    return [c.id for c in response.context["rows"]]


def test_call_records_page_through_every_row_once_newest_first(world, alice_client, url, calls):
    expected = [c.id for c in sorted(calls, key=lambda c: (c.invite_time, c.id), reverse=True)]
    seen, link = [], url("calls", world.tenant_a)
    pages = []
    while True:
        response = alice_client.get(link)
        pages.append(_ids(response))
        seen += _ids(response)
        cursor = response.context["older_cursor"]
        if not cursor:
            break
        link = url("calls", world.tenant_a) + "?" + urlencode({"after": cursor})
    assert seen == expected
    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 7]
    # And back: "newer" from the last page returns the middle page.
    back = alice_client.get(
        url("calls", world.tenant_a) + "?" + urlencode({"before": response.context["newer_cursor"]})
    )
    assert _ids(back) == pages[1]


def test_call_records_use_keyset_pagination_without_offset_or_count(
    world, alice_client, url, calls
):
    first = alice_client.get(url("calls", world.tenant_a))
    cursor = first.context["older_cursor"]
    with CaptureQueriesContext(connection) as queries:
        alice_client.get(url("calls", world.tenant_a), {"after": cursor})
    sql = " ".join(q["sql"] for q in queries.captured_queries if "portal_callrecord" in q["sql"])
    assert "invite_time" in sql
    assert "OFFSET" not in sql.upper()
    assert "COUNT(" not in sql.upper()


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ({"direction": "inbound"}, lambda c: c.direction == "inbound"),
        ({"quality": "poor"}, lambda c: c.quality == "poor"),
        ({"operator": "operator-u"}, lambda c: c.operator.slug == "operator-u"),
        ({"call_type": "user_out"}, lambda c: c.call_type == "user_out"),
    ],
)
def test_call_record_filters(world, alice_client, url, calls, query, check):
    window = {"date_from": "2026-02-15", "date_to": "2026-03-15"}
    rows = alice_client.get(url("calls", world.tenant_a), {**query, **window}).context["rows"]
    assert rows
    assert all(check(c) for c in rows)


def test_a_filter_no_index_serves_reads_the_last_30_days_by_default(
    world, alice_client, url, calls
):
    # The calls are of 1 March 2026; "today" is months later: the default window misses them.
    with time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=UTC), tick=False):
        near = alice_client.get(url("calls", world.tenant_a), {"direction": "inbound"})
    with time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False):
        far = alice_client.get(url("calls", world.tenant_a), {"direction": "inbound"})
    assert near.context["rows"] and not far.context["rows"]
    assert "at most 93 days" in near.content.decode()
    # The operator filter alone is served by an index: the whole history, no window.
    with time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False):
        by_operator = alice_client.get(url("calls", world.tenant_a), {"operator": "operator-o"})
    assert by_operator.context["rows"]


def test_a_filter_no_index_serves_refuses_more_than_93_days(world, alice_client, url, calls):
    response = alice_client.get(
        url("calls", world.tenant_a),
        {"quality": "poor", "date_from": "2026-01-01", "date_to": "2026-04-04"},
    )
    form = response.context["form"]
    assert "at most 93 days" in " ".join(form.errors["date_from"])
    assert response.context["rows"] == []
    assert "at most 93 days" in response.content.decode()
    # 93 days (1 January to 3 April, both inclusive) is allowed.
    ok = alice_client.get(
        url("calls", world.tenant_a),
        {"quality": "poor", "date_from": "2026-01-01", "date_to": "2026-04-03"},
    )
    assert ok.context["form"].is_valid() and ok.context["rows"]


def test_call_record_date_range_is_inclusive_in_the_users_time_zone(world, login, url):
    world.alice.time_zone = "Europe/Berlin"
    world.alice.save()
    early = CallRecordFactory(
        tenant=world.tenant_a,
        operator=world.operator_o,
        invite_time=datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
    )  # 2 Mar in Berlin
    late = CallRecordFactory(
        tenant=world.tenant_a,
        operator=world.operator_o,
        invite_time=datetime(2026, 3, 1, 22, 30, tzinfo=UTC),
    )  # 1 Mar in Berlin
    rows = login(world.alice).get(
        url("calls", world.tenant_a), {"date_from": "2026-03-02", "date_to": "2026-03-02"}
    ).context["rows"]  # fmt: skip
    assert [c.id for c in rows] == [early.id]
    assert late.id not in [c.id for c in rows]


def test_call_record_date_range_must_be_ordered(world, alice_client, url):
    response = alice_client.get(
        url("calls", world.tenant_a), {"date_from": "2026-03-02", "date_to": "2026-03-01"}
    )
    assert "date_to" in response.context["form"].errors


def test_an_invalid_filter_shows_its_error_and_no_rows(world, alice_client, url, calls):
    response = alice_client.get(url("calls", world.tenant_a), {"quality": "superb"})
    assert "quality" in response.context["form"].errors
    assert response.context["rows"] == []
    assert "No call records match these filters." in response.content.decode()


def test_a_garbage_cursor_shows_the_first_page(world, alice_client, url, calls):
    response = alice_client.get(url("calls", world.tenant_a), {"after": "2026-13-99_nope"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == PAGE_SIZE


def test_other_tenants_calls_never_show(world, alice_client, url, calls):
    other = TenantFactory(slug="other-co")
    CallRecordFactory(tenant=other, operator=world.operator_o)
    ids = set()
    link = url("calls", world.tenant_a)
    response = alice_client.get(link)
    ids |= set(_ids(response))
    assert ids <= {c.id for c in calls}
