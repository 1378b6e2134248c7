"""Export jobs over the API: create → 202 + Location, poll, download 200/409/410, cancel."""

import hashlib
import io
import json
import zipfile

import pytest

from exports import runner
from exports.models import ExportJob
from notices.services import publish_notice
from portal.choices import AuditAction
from portal.models import AuditEvent
from portal.services.assignments import suspend_assignment
from tests.api.conftest import NOT_FOUND, error
from tests.factories import CallRecordFactory

URL = "/api/v1/exports/"
REQUEST = {
    "tenant": "contoso",
    "operator": "operator-o",
    "datasets": ["call_records", "numbers"],
    "start": "2026-01-01T00:00:00Z",
    "end": "2026-12-01T00:00:00Z",
    "format": "csv",
}


@pytest.fixture
def published(world):
    return publish_notice(world.tenant_a, by=world.alice)


@pytest.fixture
def queued(world, published, token_api) -> ExportJob:
    response = token_api(world.oscar).post(URL, REQUEST, format="json")
    assert response.status_code == 202, response.json()
    return ExportJob.objects.get(pk=response.json()["id"])


def finish(job: ExportJob) -> ExportJob:
    assert runner.run_export(job.pk) == "succeeded"
    job.refresh_from_db()
    return job


def test_operator_user_queues_an_export(world, published, token_api):
    response = token_api(world.oscar).post(URL, REQUEST, format="json")
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert response["Location"] == f"/api/v1/exports/{job.pk}/"
    body = response.json()
    assert body["status"] == "queued"
    assert body["requested_via"] == "operator"
    assert body["datasets"] == ["call_records", "numbers"]
    assert body["download_url"] is None
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT_REQUESTED, actor=world.oscar
    ).exists()


def test_an_identical_request_returns_the_job_in_flight(world, queued, token_api):
    response = token_api(world.oscar).post(URL, REQUEST, format="json")
    assert response.status_code == 202
    assert response.json()["id"] == str(queued.pk)
    assert ExportJob.objects.count() == 1


def test_tenant_admin_queues_an_export_for_its_operator(world, published, api):
    response = api(world.alice).post(URL, REQUEST, format="json")
    assert response.status_code == 202
    assert response.json()["requested_via"] == "tenant"


def test_no_export_before_the_notice_names_the_operator(world, token_api):
    response = token_api(world.oscar).post(URL, REQUEST, format="json")
    assert response.status_code == 409  # a refusal because of state, not of the input
    assert response.json()["error"]["code"] == "notice_missing_operator"
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    ("persona", "body"),
    [
        ("uma", {}),  # operator U: contoso did not assign it, so it is not "its" tenant
        ("bob", {}),  # tenant B's admin: contoso is out of scope
        ("oscar", {"tenant": "fabrikam"}),  # fabrikam did not assign operator O
        ("oscar", {"tenant": "no-such-tenant"}),
    ],
)
def test_tenants_outside_the_callers_scope_read_as_missing(
    world, published, token_api, persona, body
):
    response = token_api(getattr(world, persona)).post(URL, {**REQUEST, **body}, format="json")
    assert response.status_code == 404  # the same answer as a path out of scope
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["fields"] == {"tenant": ["No such organization."]}
    assert not ExportJob.objects.exists()


def test_viewer_cannot_request_an_export(world, published, api):
    response = api(world.victor).post(URL, REQUEST, format="json")
    assert response.status_code == 403
    assert response.json() == error("forbidden", "Only admins of Contoso can request exports.")


def test_request_is_validated(world, published, token_api):
    response = token_api(world.oscar).post(
        URL, {**REQUEST, "datasets": ["secrets"], "end": "2025-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["datasets.0"]
    response = token_api(world.oscar).post(
        URL, {**REQUEST, "end": "2025-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "end": ["The end of the time range must be after its start."]
    }


def test_a_numbers_only_export_needs_no_time_range(world, published, token_api):
    # Numbers and locations are exported as they are when the file is made: no range to give.
    request = {"tenant": "contoso", "operator": "operator-o", "datasets": ["numbers"]}
    response = token_api(world.oscar).post(URL, request, format="json")
    assert response.status_code == 202, response.json()
    assert (response.json()["start"], response.json()["end"]) == (None, None)
    job = finish(ExportJob.objects.get(pk=response.json()["id"]))
    assert job.manifest["time_range"] is None
    assert [f["name"] for f in job.manifest["files"]] == ["numbers.csv"]
    # A range sent anyway means nothing for numbers: it is not kept, and the same request
    # without one is the same job.
    again = token_api(world.oscar).post(URL, {**request, "start": REQUEST["start"],
                                              "end": REQUEST["end"]}, format="json")  # fmt: skip
    assert again.status_code == 202
    assert (again.json()["start"], again.json()["end"]) == (None, None)


def test_call_records_still_need_their_time_range(world, published, token_api):
    request = {"tenant": "contoso", "operator": "operator-o", "datasets": ["call_records"]}
    response = token_api(world.oscar).post(URL, request, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "start": ["Give the start and the end of the time range."]
    }
    assert not ExportJob.objects.exists()


def test_poll_the_job(world, queued, token_api):
    body = token_api(world.oscar).get(f"{URL}{queued.pk}/").json()
    assert (body["status"], body["progress"]) == ("queued", 0)
    assert [j["id"] for j in token_api(world.oscar).get(URL).json()["results"]] == [str(queued.pk)]


@pytest.mark.parametrize("persona", ["uma", "bob"])
def test_other_parties_cannot_see_the_job(world, queued, token_api, persona):
    client = token_api(getattr(world, persona))
    assert client.get(URL).json()["results"] == []
    for method, url in [
        ("get", f"{URL}{queued.pk}/"),
        ("get", f"{URL}{queued.pk}/download"),
        ("post", f"{URL}{queued.pk}/cancel"),
    ]:
        response = getattr(client, method)(url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url
    queued.refresh_from_db()
    assert queued.status == "queued"


def test_download_while_queued_is_409_with_status_and_progress(world, queued, token_api):
    response = token_api(world.oscar).get(f"{URL}{queued.pk}/download")
    assert response.status_code == 409
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": {
            "code": "not_ready",
            "message": "This export is not ready yet (0% done).",
            "fields": {},
            "status": "queued",
            "progress": 0,
        }
    }


def test_download_the_finished_file_and_verify_its_checksum(world, queued, token_api):
    CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o)
    job = finish(queued)
    client = token_api(world.oscar)
    body = client.get(f"{URL}{job.pk}/").json()
    assert body["status"] == "succeeded"
    assert body["download_url"] == f"/api/v1/exports/{job.pk}/download"
    response = client.get(body["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith('attachment; filename="export-contoso-')
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == body["file_sha256"]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        for entry in manifest["files"]:
            assert hashlib.sha256(zf.read(entry["name"])).hexdigest() == entry["sha256"]
    assert manifest["job_id"] == str(job.pk)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT_DOWNLOADED)
    assert (event.actor, event.tenant_id, event.details["job"]) == (
        world.oscar,
        world.tenant_a.pk,
        str(job.pk),
    )


def test_suspending_the_operator_revokes_its_download_at_once(world, queued, token_api, api):
    job = finish(queued)
    suspend_assignment(world.assignment, by=world.alice)
    response = token_api(world.oscar).get(f"{URL}{job.pk}/download")
    assert response.status_code == 410
    assert response.json()["error"] == {
        "code": "sharing_closed",  # not "gone": the file exists, sharing stopped (for good)
        "message": "Contoso has suspended sharing with Operator O.",
        "fields": {},
    }
    # The tenant's admin still has its own file.
    assert api(world.alice).get(f"{URL}{job.pk}/download").status_code == 200


def test_viewer_cannot_download(world, queued, api):
    job = finish(queued)
    response = api(world.victor).get(f"{URL}{job.pk}/download")
    assert response.status_code == 403
    assert response.json() == error("forbidden", "Only admins can download export files.")


def test_cancel_then_download_is_gone(world, queued, token_api):
    client = token_api(world.oscar)
    response = client.post(f"{URL}{queued.pk}/cancel")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    again = client.post(f"{URL}{queued.pk}/cancel")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == (
        "This export has already finished, so it can't be cancelled."
    )
    response = client.get(f"{URL}{queued.pk}/download")
    assert response.status_code == 410
    assert response.json()["error"]["message"] == "This export was cancelled; there is no file."


def test_only_the_requester_cancels(world, queued, api):
    response = api(world.alice).post(f"{URL}{queued.pk}/cancel")
    assert response.status_code == 403
    queued.refresh_from_db()
    assert queued.status == "queued"


def test_api_refusals_because_of_state_are_409_with_their_codes(world, token_api):
    publish_notice(world.tenant_a, by=world.alice)
    suspend_assignment(world.assignment, by=world.alice)
    body = {
        "tenant": "contoso", "operator": "operator-o", "format": "csv",
        "datasets": ["call_records"], "start": "2026-01-01T00:00:00Z",
        "end": "2026-02-01T00:00:00Z",
    }  # fmt: skip
    response = token_api(world.oscar).post("/api/v1/exports/", body, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_sharing"
    assert not ExportJob.objects.exists()
