"""A database outage answers 503 with Retry-After and an explanation, never a 500 (issue 16
item 1). Settings are read once per process, so a production-like process is started with its
database on a port nothing listens on."""

import json

import pytest

from tests.foundation.test_settings_security import manage
from tests.reliability.processes import closed_port

PROBE = r"""
import json, sys
from django.test import Client

# As a browser sees it: what the handler answers, not the exception the test client keeps.
client = Client(HTTP_HOST="portal.example.com", raise_request_exception=False)
out = {}

def probe(name, response):
    out[name] = {"status": response.status_code, "retry_after": response.get("Retry-After"),
                 "type": response.get("Content-Type", ""), "body": response.content.decode()}

probe("notice", client.get("/notice/contoso/", secure=True))
probe("api", client.get("/api/v1/exports/", secure=True,
                        HTTP_AUTHORIZATION="Bearer ocp_not-checked-without-a-database"))
probe("api_post", client.post("/api/v1/exports/", {"tenant": "contoso"}, secure=True,
                              content_type="application/json",
                              HTTP_AUTHORIZATION="Bearer ocp_x"))
client.cookies["__Host-sessionid"] = "a-session-the-database-would-know"
probe("page", client.get("/t/contoso/", secure=True))  # the session is loaded in middleware
probe("login", client.post("/accounts/login/", {"username": "a@b.test", "password": "x"},
                           secure=True))
client.cookies.clear()  # a load balancer's probe carries no session
probe("readyz", client.get("/readyz"))
probe("healthz", client.get("/healthz"))
sys.stdout.write(json.dumps(out) + "\n")  # stdout reports to the test
"""


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("db-outage")
    result = manage(tmp_path, "shell", "--no-imports", "-c", PROBE,
                    DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/portal")  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


@pytest.mark.parametrize("name", ["notice", "page", "login"])
def test_pages_answer_503_with_retry_after_and_a_page_that_says_why(outage, name):
    answer = outage[0][name]
    assert (answer["status"], answer["retry_after"]) == (503, "30")
    assert answer["type"].startswith("text/html")
    assert "The portal is temporarily unavailable" in answer["body"]
    assert "database is not answering" in answer["body"]
    assert "Traceback" not in answer["body"]


@pytest.mark.parametrize("name", ["api", "api_post"])
def test_the_api_answers_503_in_its_error_shape(outage, name):
    answer = outage[0][name]
    assert (answer["status"], answer["retry_after"]) == (503, "30")
    body = json.loads(answer["body"])
    assert body["error"]["code"] == "unavailable"
    assert "database is not answering" in body["error"]["message"]


def test_the_probes_say_which_dependency_is_down(outage):
    answers, stderr = outage
    assert answers["healthz"]["status"] == 200
    assert answers["readyz"]["status"] == 503
    assert json.loads(answers["readyz"]["body"])["database"] == "unavailable"
    assert "Internal Server Error" not in stderr  # logged as an outage, not as a crash
