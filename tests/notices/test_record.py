"""The record of processing per operator (GDPR Art. 30), dated and reproducible as of a date."""

import csv
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notices.record import processing_record
from portal import services
from portal.choices import AuditAction
from portal.services.audit import record_event
from portal.services.directory import update_operator
from tests.notices.conftest import assign, publish


@pytest.fixture
def story(world):
    """Day 1: v1 names Operator O (DE, GB); an export is made and downloaded by Oscar.
    Day 5: Operator U is added for DE (v2). Day 9: Operator O is suspended."""
    start = timezone.now()
    days = {n: start + timedelta(days=n) for n in (1, 3, 5, 7, 9, 11)}
    update_operator(
        world.operator_o, by=world.sam, processing_countries=["IE", "US"], transfer_mechanism="scc"
    )
    with time_machine.travel(days[1], tick=False):
        publish(world.tenant_a, world.alice)
        for action, actor in (
            (AuditAction.EXPORT_SUCCEEDED, None),
            (AuditAction.EXPORT_DOWNLOADED, world.oscar),
            (AuditAction.EXPORT_DOWNLOADED, world.alice),
        ):
            record_event(
                action, actor=actor, tenant=world.tenant_a, operator=world.operator_o, job="x"
            )
    with time_machine.travel(days[5], tick=False):
        assign(world.tenant_a, world.operator_u, ["DE"], world.alice)
        publish(world.tenant_a, world.alice)
    with time_machine.travel(days[9], tick=False):
        services.suspend_assignment(world.assignment, by=world.alice)
    return days


def _by_slug(record) -> dict:
    return {r.operator.slug: r for r in record.operators}


def test_each_operator_has_every_field_of_article_30(world, story):
    with time_machine.travel(story[11], tick=False):
        record = processing_record(world.tenant_a)
    o = _by_slug(record)["operator-o"]
    assert [c["key"] for c in o.categories] == ["numbers", "call_details", "emergency_location"]
    assert o.purposes == [
        "Microsoft shares this information with the operator to make the service work properly "
        "and for troubleshooting."
    ]
    assert o.countries == ["DE", "GB"]
    assert (o.processing_countries, o.outside_eea) == (["IE", "US"], ["US"])
    assert o.transfer_mechanism == "scc"
    assert o.retention_days == {"numbers": 90, "call_details": 365, "emergency_location": 90}
    assert o.recipients == ["Operator O"]
    assert o.downloaded_by == ["Oscar Operator"]  # Alice is the tenant's own admin
    assert (o.exports_produced, o.downloads) == (1, 2)
    assert [v["number"] for v in o.notice_versions] == [1, 2]
    assert o.shared == [
        {
            "start": story[1].isoformat(),
            "end": story[9].isoformat(),
            "countries": ["DE", "GB"],
        }
    ]
    u = _by_slug(record)["operator-u"]
    assert [v["number"] for v in u.notice_versions] == [2]
    assert u.shared == [{"start": story[5].isoformat(), "end": None, "countries": ["DE"]}]


def test_as_of_a_date_reproduces_the_record_then(world, story):
    with time_machine.travel(story[3], tick=False):
        then = processing_record(world.tenant_a).as_dict()
    with time_machine.travel(story[11], tick=False):
        later = processing_record(world.tenant_a, story[3]).as_dict()
    then.pop("generated_at"), later.pop("generated_at")
    assert later == then
    assert [op["operator"]["slug"] for op in later["operators"]] == ["operator-o"]
    assert later["operators"][0]["shared"] == [
        {"start": story[1].isoformat(), "end": None, "countries": ["DE", "GB"]}
    ]


def test_the_record_keeps_the_transfer_facts_the_notice_stated(world, story):
    """The directory changes later; the record as of day 3 still says what users were told."""
    with time_machine.travel(story[11], tick=False):
        update_operator(world.operator_o, by=world.sam, processing_countries=["IE"])
        record = processing_record(world.tenant_a, story[3])
    assert _by_slug(record)["operator-o"].processing_countries == ["IE", "US"]


def test_tenant_admin_downloads_csv_and_json_as_of_a_date(world, story, login):
    day = story[3].date().isoformat()
    with time_machine.travel(story[11], tick=False):
        client = login(world.alice)
        page = client.get(f"/t/contoso/record/?as_of={day}")
        response = client.get(f"/t/contoso/record.json?as_of={day}")
        table = client.get(f"/t/contoso/record.csv?as_of={day}")
    assert page.status_code == 200
    assert "Record of processing per operator" in page.content.decode()
    assert "Operator U" not in page.content.decode()
    assert response["Content-Disposition"].startswith('attachment; filename="record-of-processing')
    doc = json.loads(response.content)
    assert doc["as_of"].startswith(day)
    assert [o["operator"]["name"] for o in doc["operators"]] == ["Operator O"]
    rows = list(csv.reader(io.StringIO(table.content.decode())))
    assert rows[0][:3] == ["as_of", "operator", "categories"]
    assert rows[1][1] == "Operator O"
    assert rows[1][7] == "standard contractual clauses"
    assert "(DE, GB)" in rows[1][-1]


def test_a_bad_date_is_refused_in_downloads_and_explained_on_the_page(world, login):
    client = login(world.alice)
    assert client.get("/t/contoso/record.csv?as_of=31/01/2026").status_code == 400
    page = client.get("/t/contoso/record/?as_of=31/01/2026")
    assert "Give the date as YYYY-MM-DD." in page.content.decode()


def test_csv_cells_cannot_run_as_formulas(world, story, login):
    world.operator_o.name = "=HYPERLINK(1)"
    world.operator_o.save()
    rows = list(csv.reader(io.StringIO(login(world.alice).get("/t/contoso/record.csv").text)))
    assert rows[1][1] == "'=HYPERLINK(1)"
