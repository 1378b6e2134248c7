"""Staff ingestion over the API: NDJSON and CSV bodies, all or nothing, 413, 415, rejects."""

import json

import pytest

from portal.choices import AuditAction
from portal.models import AuditEvent, PhoneNumber
from tests.api.conftest import error

URL = "/api/v1/ingest/numbers"
ROWS = [
    {"telephone_number": "+442079460123", "tenant": "contoso", "operator": "operator-o",
     "iso_country_code": "GB", "sip_uri": "sip:+442079460123@contoso.example"},
    {"telephone_number": "+442079460124", "tenant": "contoso", "operator": "operator-o",
     "iso_country_code": "GB"},
]  # fmt: skip


def ndjson(rows) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


CSV = (
    b"telephone_number,tenant,operator,iso_country_code\r\n"
    b"+442079460200,contoso,operator-o,GB\r\n"
    b"+4930901820,contoso,operator-o,DE\r\n"
)


def post(client, body: bytes, content_type: str, url: str = URL):
    return client.generic("POST", url, body, content_type=content_type)


def test_staff_ingest_ndjson_then_the_same_file_again_changes_nothing(world, token_api):
    client = token_api(world.sam)
    response = post(client, ndjson(ROWS), "application/x-ndjson")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["kind"], body["rows_total"], body["inserted"]) == ("numbers", 2, 2)
    assert PhoneNumber.objects.filter(tenant=world.tenant_a).count() == 2
    again = post(client, ndjson(ROWS), "application/x-ndjson; charset=utf-8").json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)
    event = AuditEvent.objects.filter(action=AuditAction.INGESTED).first()
    assert (event.actor, event.details["source"]) == (world.sam, "api")


def test_staff_ingest_csv(world, token_api):
    response = post(token_api(world.sam), CSV, "text/csv")
    assert response.status_code == 200
    assert response.json()["inserted"] == 2
    assert PhoneNumber.objects.get(telephone_number="+4930901820").iso_country_code == "DE"


def test_one_bad_row_rejects_the_whole_file_and_lists_it(world, token_api):
    rows = [*ROWS, {**ROWS[0], "telephone_number": "12", "tenant": "nowhere"}]
    response = post(token_api(world.sam), ndjson(rows), "application/x-ndjson")
    assert response.status_code == 400
    err = response.json()["error"]
    assert err["code"] == "rows_rejected"
    assert err["message"] == "2 rejects in 3 rows; nothing was written."
    assert (err["rows_total"], err["rejects_total"]) == (3, 2)
    assert {(r["line"], r["field"]) for r in err["rejects"]} == {
        (3, "telephone_number"),
        (3, "tenant"),
    }
    assert not PhoneNumber.objects.exists()


def test_the_message_counts_rejects_not_rows(world, token_api):
    """One row may be refused on several fields: "2 of 1 rows" would be wrong."""
    rows = [{**ROWS[0], "telephone_number": "12", "tenant": "nowhere"}]
    err = post(token_api(world.sam), ndjson(rows), "application/x-ndjson").json()["error"]
    assert err["message"] == "2 rejects in 1 rows; nothing was written."
    one = [{**ROWS[0], "tenant": "nowhere"}]
    err = post(token_api(world.sam), ndjson(one), "application/x-ndjson").json()["error"]
    assert err["message"] == "1 reject in 1 rows; nothing was written."


def test_a_number_of_an_operator_the_tenant_never_chose_is_a_400(world, token_api):
    rows = [*ROWS, {**ROWS[0], "telephone_number": "+442079460125", "operator": "operator-u"}]
    err = post(token_api(world.sam), ndjson(rows), "application/x-ndjson").json()["error"]
    assert err["rejects"] == [
        {
            "line": 3,
            "field": "operator",
            "reason": "tenant contoso has no assignment with operator operator-u",
        }
    ]
    assert not PhoneNumber.objects.exists()


def test_unusable_input_is_a_plain_400(world, token_api):
    response = post(token_api(world.sam), b"\x00\x01\x02binary", "text/csv")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "binary"
    assert "rejects" not in response.json()["error"]


def test_other_content_types_are_415(world, token_api):
    response = post(token_api(world.sam), json.dumps(ROWS).encode(), "application/json")
    assert response.status_code == 415
    assert response.json() == error(
        "unsupported_media_type", "Send text/csv or application/x-ndjson."
    )


def test_a_body_over_the_limit_is_413(world, token_api, settings):
    settings.API_INGEST_MAX_BYTES = 100
    response = post(token_api(world.sam), ndjson(ROWS), "application/x-ndjson")
    assert response.status_code == 413
    assert response.json() == error("too_large", "The body is larger than the limit of 100 bytes.")
    assert not PhoneNumber.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "olivia", "oscar"])
def test_only_staff_ingest(world, token_api, persona):
    response = post(token_api(getattr(world, persona)), ndjson(ROWS), "application/x-ndjson")
    assert response.status_code == 403
    assert response.json() == error("permission_denied", "Only platform staff can do that.")
    assert not PhoneNumber.objects.exists()


def test_each_kind_has_its_endpoint(world, token_api):
    location = {
        "location_id": "5f0c3b1e-7a2d-4c61-9e0f-2b8d6a4c1e01",
        "tenant": "contoso",
        "company_name": "Contoso Ltd",
        "country": "GB",
    }
    response = post(
        token_api(world.sam), ndjson([location]), "application/x-ndjson",
        url="/api/v1/ingest/emergency-locations",
    )  # fmt: skip
    assert (response.status_code, response.json()["kind"]) == (200, "emergency-locations")
    response = post(token_api(world.sam), b"", "text/csv", url="/api/v1/ingest/call-records")
    assert response.status_code == 400
