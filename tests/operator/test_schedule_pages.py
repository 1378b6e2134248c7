"""Scheduled exports in the operator portal and the API (docs/operator.md "Scheduled exports").

Who may reach each URL is in tests/access/rows_schedules.py; these tests follow an admin's
journey and check what each page and endpoint does.
"""

import pytest
from django.contrib.messages import get_messages
from rest_framework.test import APIClient

from exports.choices import ExportStatus, RunOutcome
from exports.models import ExportJob, ExportSchedule, ScheduleRun
from notices.services import publish_notice
from portal.choices import AuditAction
from portal.models import AuditEvent, OperatorMembership

LIST = "/o/operator-o/schedules/"
NEW = "/o/operator-o/schedules/new/"
API = "/api/v1/operators/operator-o/schedules/"
FORM = {
    "name": "Nightly feed", "tenant": "contoso", "datasets": ["call_records", "numbers"],
    "format": "ndjson", "cadence": "weekly", "at": "03:15", "weekday": "2", "since": "7",
}  # fmt: skip


@pytest.fixture
def olivia(world, login):
    return login(world.olivia)


@pytest.fixture
def published(world):
    return publish_notice(world.tenant_a, by=world.alice)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_admin_creates_a_schedule_in_the_browser_and_sees_it_listed(world, olivia):
    response = olivia.post(NEW, FORM)
    schedule = ExportSchedule.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/operator-o/schedules/{schedule.pk}/"
    assert (schedule.tenant, schedule.datasets, schedule.format) == (
        world.tenant_a, ["call_records", "numbers"], "ndjson",
    )  # fmt: skip
    assert (schedule.cadence, schedule.weekday, schedule.hour, schedule.minute) == (
        "weekly", 2, 3, 15,
    )  # fmt: skip
    assert schedule.created_by == world.olivia
    assert AuditEvent.objects.filter(action=AuditAction.SCHEDULE_CREATED).count() == 1
    page = olivia.get(LIST).content.decode()
    assert "Nightly feed" in page and "Weekly on Wednesday at 03:15 UTC" in page


def test_the_form_offers_only_tenants_that_chose_us_and_every_tenant(world, olivia):
    page = olivia.get(NEW).content.decode()
    assert "Contoso" in page and "Every organization that chose us" in page
    assert "Fabrikam" not in page
    response = olivia.post(NEW, {**FORM, "tenant": "fabrikam"})
    assert response.status_code == 200 and not ExportSchedule.objects.exists()


def test_run_now_requests_an_export_and_the_page_shows_the_window(world, olivia, published):
    olivia.post(NEW, FORM)
    schedule = ExportSchedule.objects.get()
    response = olivia.post(f"/o/operator-o/schedules/{schedule.pk}/run/")
    assert "1 export(s) requested." in messages_of(response)
    run = ScheduleRun.objects.get()
    assert run.outcome == RunOutcome.REQUESTED and run.export.status == ExportStatus.QUEUED
    page = olivia.get(f"/o/operator-o/schedules/{schedule.pk}/").content.decode()
    assert f"Export {run.export.short_id}" in page and "Contoso" in page


def test_run_now_with_the_gate_shut_says_why(world, olivia):
    olivia.post(NEW, FORM)  # no notice published: the gate is shut
    schedule = ExportSchedule.objects.get()
    response = olivia.post(f"/o/operator-o/schedules/{schedule.pk}/run/")
    line = messages_of(response)[-1]
    assert line.startswith("Contoso: ") and "next run covers this window" in line
    assert not ExportJob.objects.exists()


def test_pause_resume_and_delete_in_the_browser(world, olivia):
    olivia.post(NEW, FORM)
    schedule = ExportSchedule.objects.get()
    base = f"/o/operator-o/schedules/{schedule.pk}/"
    olivia.post(base + "pause/", {"paused": "true"})
    assert ExportSchedule.objects.get().paused
    olivia.post(base + "pause/", {"paused": "false"})
    assert not ExportSchedule.objects.get().paused
    confirm = olivia.post(base + "delete/")
    assert confirm.status_code == 200 and ExportSchedule.objects.exists()
    olivia.post(base + "delete/", {"confirm": "yes"})
    assert not ExportSchedule.objects.exists()


def test_another_operators_admin_finds_no_schedule_of_ours(world, login, olivia):
    olivia.post(NEW, FORM)
    schedule = ExportSchedule.objects.get()
    OperatorMembership.objects.filter(user=world.uma).update(role="admin")
    uma = login(world.uma)
    assert uma.get(f"/o/operator-u/schedules/{schedule.pk}/").status_code == 404
    assert uma.get(f"/o/operator-o/schedules/{schedule.pk}/").status_code == 404
    assert uma.get("/o/operator-u/schedules/").status_code == 200


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_login(world.olivia, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_api_creates_lists_runs_pauses_and_deletes(world, api, published):
    body = {"name": "Hourly", "tenant": "contoso", "datasets": ["call_records"],
            "format": "csv", "cadence": "hourly", "minute": 5,
            "starts_at": "2026-01-01T00:00:00Z"}  # fmt: skip
    created = api.post(API, body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["tenant"] == "contoso" and data["cadence"] == "hourly" and data["minute"] == 5
    assert data["runs"] == [] and data["created_by"] == "olivia@operator-o.test"
    listed = api.get(API).json()
    assert [s["id"] for s in listed["results"]] == [data["id"]]
    ran = api.post(f"{API}{data['id']}/run", format="json")
    assert ran.status_code == 201
    (run,) = ran.json()
    assert run["outcome"] == "requested" and run["export_status"] == "queued"
    paused = api.patch(f"{API}{data['id']}/", {"paused": True}, format="json")
    assert paused.status_code == 200 and paused.json()["paused"] is True
    assert len(paused.json()["runs"]) == 1
    assert api.delete(f"{API}{data['id']}/").status_code == 204
    assert not ExportSchedule.objects.exists()


def test_api_refuses_a_tenant_that_did_not_choose_us_with_the_error_shape(world, api):
    body = {"name": "x", "tenant": "fabrikam", "datasets": ["call_records"], "format": "csv",
            "cadence": "daily"}  # fmt: skip
    response = api.post(API, body, format="json")
    assert response.status_code == 404  # out of sight reads as missing, as in a path
    error = response.json()["error"]
    assert error["code"] == "not_found" and "tenant" in error["fields"]


def test_api_refuses_unknown_datasets_and_query_parameters(world, api):
    body = {"name": "x", "datasets": ["everything"], "format": "csv", "cadence": "daily"}
    assert api.post(API, body, format="json").status_code == 400
    assert api.get(API + "?colour=blue").status_code == 400
