"""The OpenAPI schema: valid with no warnings, and the API keeps its promises.

Schemathesis generates requests for every operation of the schema and sends them, in process,
to the WSGI app, authenticated as a tenant admin, an operator user and platform staff. Path
parameters are pinned to objects the persona can reach (random slugs would only ever meet
404s); bodies and query strings are generated. Every response must be a non-5xx, with a
documented status code, content type, headers and body.
"""

import re
from datetime import UTC, datetime

import phonenumbers
import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from api.fields import NOT_SPACE
from exports import runner
from exports.permissions import VIA_OPERATOR
from exports.services import request_export
from notices.services import publish_notice
from portal.ingest.specs import KINDS
from portal.models import Membership, OperatorMembership
from tests.api.conftest import make_token
from tests.factories import CallRecordFactory, EmergencyLocationFactory, PhoneNumberFactory

schemathesis.checks.load_all_checks()
# "phone" (api.fields.PHONE_FORMAT): a number valid in its country's plan, which JSON Schema can't
# state. Schemathesis draws one from the numbering plans of phonenumbers, the portal's own rule.
PHONE_NUMBERS = sorted(
    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    for region in phonenumbers.SUPPORTED_REGIONS
    if (example := phonenumbers.example_number(region)) is not None
)
schemathesis.openapi.format("phone", st.sampled_from(PHONE_NUMBERS))


def _header_only_file(spec) -> st.SearchStrategy[str]:
    """A CSV file of ``spec`` with no rows: its required columns and any optional ones, in any
    order (the importer's own column list), then an optional line break. What a row may hold is
    beyond JSON Schema and the importer's own tests (tests/ingest) cover it."""
    required = [f.name for f in spec.fields if f.required]
    optional = [f.name for f in spec.fields if not f.required]
    columns = st.lists(st.sampled_from(optional), unique=True).flatmap(
        lambda extra: st.permutations(required + extra)
    )
    return st.builds(
        lambda names, bom, end: ("\ufeff" if bom else "") + ",".join(names) + end,
        columns, st.booleans(), st.sampled_from(["", "\n", "\r\n"]),
    )  # fmt: skip


# "ingest-<kind>-csv" / "-ndjson" (api.views.ingest.body_schema): files the importer reads. NDJSON
# rows need references that exist; a file of blank lines is valid and writes nothing.
for _kind, _spec in KINDS.items():
    schemathesis.openapi.format(f"ingest-{_kind}-csv", _header_only_file(_spec))
    schemathesis.openapi.format(f"ingest-{_kind}-ndjson", st.sampled_from(["", "\n", "\r\n\n"]))
# Every check Schemathesis has: conformance of statuses, types, headers and bodies, and the
# behaviour checks (schema-violating data refused, schema-valid data accepted — 2xx, or 401, 403,
# 404, 409, 429, never 400 —, unsupported methods answered 405, auth not ignored, deleted things
# gone). Rules between values that OpenAPI 3.0 can't state (`to` after `from`, a 93-day window for
# unindexed call-record filters, a notice at most a year ahead) still answer 400: these derandomized
# examples don't meet them, other seeds can (README, "API quick start").
CHECKS = list(schemathesis.checks.CHECKS.get_all())
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/tenants/{tenant_slug}/call-records/:" in text
    assert "bearerAuth" in text


def test_schema_and_docs_are_served_without_login(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Operator Connect portal API"
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    # The Content-Security-Policy forbids inline scripts: the page loads its setup as a file.
    assert b"<script>" not in docs.content
    setup = client.get("/api/docs/?script=")
    assert setup.status_code == 200
    assert b"SwaggerUIBundle" in setup.content


@pytest.fixture
def api_schema(db):
    # Like Django's test client: keep the test's transaction open across in-process requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


FUZZ = settings(
    max_examples=5,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def _fuzz(operation, pinned: dict, headers: dict) -> bool:
    """Send generated requests to one operation; True when one of them succeeded (2xx)."""
    succeeded = []

    for mode in MODES:

        @FUZZ
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=pinned or None))
        def run(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            succeeded.append(response.status_code < 300)

        run()
    return any(succeeded)


def _fuzz_every_operation(api_schema, key: str, path_values: dict) -> tuple[list[str], set]:
    """Run every operation; return the failures (one per operation) and those that said 2xx."""
    failures, succeeded = [], set()
    headers = {"Authorization": f"Bearer {key}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 25
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        pinned = {name: path_values[name] for name in re.findall(r"{(\w+)}", operation.path)}
        try:
            if _fuzz(operation, pinned, headers):
                succeeded.add(label)
        except (Exception, BaseExceptionGroup) as exc:  # collect them all, then fail once
            failures.append(f"{label}: {str(exc)[:1500]}")
    return failures, succeeded


@pytest.fixture
def sample_data(world):
    """One of each record of tenant A, so list responses have rows to check, blanks included."""
    location = EmergencyLocationFactory(tenant=world.tenant_a)
    PhoneNumberFactory(
        tenant=world.tenant_a, operator=world.operator_o, emergency_location=location
    )
    CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, caller_ip="192.0.2.1")
    CallRecordFactory(
        tenant=world.tenant_a,
        operator=world.operator_o,
        start_time=None,
        end_time=None,
        success=False,
        final_sip_code=None,
        is_emergency=True,
        emergency_location_snapshot=location.snapshot(),
    )
    publish_notice(world.tenant_a, by=world.alice)
    job, _ = request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via=VIA_OPERATOR,
        datasets=["numbers", "call_records"], start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2027, 1, 1, tzinfo=UTC), format="ndjson",
    )  # fmt: skip
    assert runner.run_export(job.pk) == "succeeded"
    return job


PATHS = {"tenant_slug": "contoso", "operator_slug": "operator-o", "number": 1}


def _operator_paths(world) -> dict:
    """A schedule and a webhook endpoint of operator O, for their operations' paths."""
    from exports.schedules import create_schedule
    from portal.services.webhooks import create_endpoint

    schedule = create_schedule(
        world.operator_o, by=world.olivia, name="Nightly", datasets=["call_records"],
        format="csv", cadence="daily", tenant=world.tenant_a,
    )  # fmt: skip
    endpoint, _secret = create_endpoint(
        world.operator_o, by=world.olivia, url="https://hooks.operator-o.test/e",
        event_types=["export.succeeded"],
    )  # fmt: skip
    return {"schedule_id": schedule.pk, "endpoint_id": endpoint.public_id}


def test_api_conforms_to_its_schema_as_a_tenant_admin(api_schema, world, sample_data):
    victor = Membership.objects.get(user=world.victor)
    values = {**PATHS, **_operator_paths(world), "member_id": victor.public_id,
              "job_id": sample_data.pk}  # fmt: skip
    failures, succeeded = _fuzz_every_operation(api_schema, make_token(world.alice), values)
    assert not failures, "\n\n".join(failures)
    # The fuzzing reached the handlers, not only the refusals.
    assert {
        "GET /api/v1/tenants/{tenant_slug}/call-records/",
        "GET /api/v1/tenants/{tenant_slug}/numbers/",
        "GET /api/v1/tenants/{tenant_slug}/assignments/{operator_slug}/",
        "GET /api/v1/tenants/{tenant_slug}/notice/versions/{number}/",
        "GET /api/v1/exports/{job_id}/download",
    } <= succeeded


def test_api_conforms_to_its_schema_as_an_operator_user(api_schema, world, sample_data):
    oscar = OperatorMembership.objects.get(user=world.oscar)
    values = {**PATHS, **_operator_paths(world), "member_id": oscar.public_id,
              "job_id": sample_data.pk}  # fmt: skip
    failures, succeeded = _fuzz_every_operation(api_schema, make_token(world.oscar), values)
    assert not failures, "\n\n".join(failures)
    assert "GET /api/v1/operators/{operator_slug}/consents/" in succeeded
    assert "GET /api/v1/exports/{job_id}/download" in succeeded
    assert "GET /api/v1/tenants/{tenant_slug}/numbers/" not in succeeded


def test_api_conforms_to_its_schema_as_platform_staff(api_schema, world, sample_data):
    # Staff reach what the two others can't: the directory writes and ingestion.
    victor = Membership.objects.get(user=world.victor)
    values = {**PATHS, **_operator_paths(world), "member_id": victor.public_id,
              "job_id": sample_data.pk}  # fmt: skip
    failures, succeeded = _fuzz_every_operation(api_schema, make_token(world.sam), values)
    assert not failures, "\n\n".join(failures)
    assert "GET /api/v1/tenants/" in succeeded


def test_the_schema_documents_location_and_nullable_fields(client):
    schema = client.get("/api/schema/?format=json").json()
    created = schema["paths"]["/api/v1/exports/"]["post"]["responses"]["202"]
    assert "Location" in created["headers"]
    number = schema["components"]["schemas"]["PhoneNumber"]["properties"]
    assert number["emergency_location"].get("nullable") is True


def _query_parameters(schema: dict, path: str) -> dict:
    return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}


def test_the_schema_states_what_query_parameters_accept(client):
    # Each one as the API validates it: a value the schema allows is never a 400.
    schema = client.get("/api/schema/?format=json").json()
    operators = _query_parameters(schema, "/api/v1/operators/")
    assert operators["page_size"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert operators["page"] == {"type": "integer", "minimum": 1}
    assert operators["country"] == {"type": "string", "pattern": "^[A-Za-z]{2}$"}
    no_nul = r"^[^\x00]*$"
    assert operators["q"] == {"type": "string", "minLength": 1, "maxLength": 100, "pattern": no_nul}
    audit = _query_parameters(schema, "/api/v1/tenants/{tenant_slug}/audit-events/")
    assert audit["page_size"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert audit["cursor"] == {"type": "string", "minLength": 1, "pattern": no_nul}
    assert audit["actor"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    assert audit["operator"] == {"type": "string", "minLength": 1, "pattern": no_nul}


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node or "allOf" in node:
        ref = node["$ref"] if "$ref" in node else node["allOf"][0]["$ref"]
        node = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return node


def test_the_schema_states_what_bodies_accept(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]

    def prop(component: str, name: str) -> dict:
        return components[component]["properties"][name]

    # An acknowledgement can only be true.
    assert _resolve(schema, prop("AcknowledgeRequest", "acknowledged"))["enum"] == [True]
    assert _resolve(schema, prop("AssignmentCreateRequest", "acknowledged"))["enum"] == [True]
    # Lists that may not be empty.
    assert prop("ScheduleCreateRequest", "datasets")["minItems"] == 1
    assert prop("WebhookEndpointCreateRequest", "event_types")["minItems"] == 1
    # Links: https, as the services require.
    for component, name in [("OperatorWriteRequest", "privacy_policy_url"),
                            ("OperatorWriteRequest", "terms_url"),
                            ("WebhookEndpointCreateRequest", "url")]:  # fmt: skip
        link = prop(component, name)
        assert (link["format"], link["pattern"][:9], link["maxLength"]) == ("uri", "^https://", 500)
    # Countries: the codes the portal knows.
    codes = _resolve(schema, prop("AssignmentCreateRequest", "countries")["items"])["enum"]
    assert {"DE", "GB", "US"} <= set(codes) and "XX" not in codes
    # Required text: one character that is not a space (nor NUL, which DRF refuses).
    assert prop("ScheduleCreateRequest", "name")["pattern"] == f"^[^\\x00]*{NOT_SPACE}[^\\x00]*$"
    # A phone number is a format: a numbering plan is beyond JSON Schema.
    phone = prop("AssignmentCreateRequest", "contact_phone")["oneOf"][0]
    assert phone["format"] == "phone"
    # Declining or terminating needs a reason; signing does not.
    consent = "/api/v1/operators/{operator_slug}/consents/{tenant_slug}/status"
    assert schema["paths"][consent]["post"]["requestBody"]["required"] is True
    cases = [_resolve(schema, c) for c in components["ConsentStatusChangeRequest"]["oneOf"]]
    required = {tuple(_resolve(schema, c["properties"]["status"])["enum"]): c.get("required")
                for c in cases}  # fmt: skip
    assert required == {
        ("agreement_signed",): ["status"],
        ("declined", "terminated"): ["reason", "status"],
    }


def test_the_access_report_asks_for_exactly_one_subject(client):
    schema = client.get("/api/schema/?format=json").json()
    path = "/api/v1/tenants/{tenant_slug}/privacy/access-report/"
    [subject] = [p for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"]
    assert (subject["required"], subject["style"], subject["explode"]) == (True, "form", True)
    body = subject["schema"]
    assert set(body["properties"]) == {"number", "upn"}
    assert (body["minProperties"], body["maxProperties"]) == (1, 1)
    assert body["additionalProperties"] is False
