"""Operator link health, checked against a local HTTP server (never the internet)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.admin.sites import site

from notices.links import check_all_operator_links, check_url
from notices.models import OperatorLinkHealth
from notices.tasks import check_operator_links
from portal.models import Operator
from tests.notices.conftest import publish


class Handler(BaseHTTPRequestHandler):
    def _answer(self, with_body: bool):
        if self.path.startswith("/slow"):
            time.sleep(1.5)
        if self.path.startswith("/no-head") and self.command == "HEAD":
            self.send_response(405)
        elif self.path.startswith("/missing"):
            self.send_response(404)
        elif self.path.startswith("/error"):
            self.send_response(500)
        elif self.path.startswith("/to-insecure"):
            self.send_response(302)
            self.send_header("Location", "http://insecure.invalid/privacy")
        else:
            self.send_response(200)
        self.send_header("Content-Length", "2" if with_body else "0")
        self.end_headers()
        if with_body and self.command == "GET":
            self.wfile.write(b"ok")

    def do_HEAD(self):  # noqa: N802
        self._answer(False)

    def do_GET(self):  # noqa: N802
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(settings, db):
    """A local server; every operator in the directory points at it (no internet)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    settings.NOTICE_LINKCHECK_INSECURE_HOSTS = ["127.0.0.1"]
    settings.NOTICE_LINKCHECK_TIMEOUT = 0.5
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    Operator.objects.update(privacy_policy_url=base + "/privacy", terms_url=base + "/terms")
    yield base
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/privacy", None),
        ("/no-head/terms", None),
        ("/missing", "HTTP 404"),
        ("/error", "HTTP 500"),
        ("/slow", "timed out"),
        ("/to-insecure", "redirects to a not https address"),
    ],
)
def test_check_url_against_a_local_server(server, path, reason):
    assert check_url(server + path) == reason


def test_plain_http_is_broken_without_any_request(settings):
    settings.NOTICE_LINKCHECK_INSECURE_HOSTS = []
    assert check_url("http://operator.example/privacy") == "not https"
    assert check_url("ftp://operator.example/privacy") == "not https"
    assert check_url("") == "missing"


def test_unreachable_host(settings):
    settings.NOTICE_LINKCHECK_INSECURE_HOSTS = ["127.0.0.1"]
    assert check_url("http://127.0.0.1:9/privacy", timeout=0.5) == "unreachable"


def test_task_flags_broken_links_and_clears_fixed_ones(world, server):
    Operator.objects.filter(pk=world.operator_o.pk).update(
        privacy_policy_url=server + "/missing", terms_url=server + "/terms"
    )
    Operator.objects.filter(pk=world.operator_u.pk).update(
        privacy_policy_url=server + "/privacy", terms_url=server + "/terms"
    )
    result = check_operator_links()  # the task body, as beat runs it
    assert result == {"checked": 2, "broken": 1}
    world.operator_o.refresh_from_db()
    assert world.operator_o.links_broken == {
        "privacy_policy_url": {"url": server + "/missing", "reason": "HTTP 404"}
    }
    assert world.operator_o.links_checked_at is not None
    world.operator_u.refresh_from_db()
    assert world.operator_u.links_broken == {}

    Operator.objects.filter(pk=world.operator_o.pk).update(privacy_policy_url=server + "/privacy")
    assert check_all_operator_links() == {"checked": 2, "broken": 0}
    world.operator_o.refresh_from_db()
    assert world.operator_o.links_broken == {}


def test_broken_links_show_on_the_affected_tenants_dashboard_only(world, server, login):
    publish(world.tenant_a, world.alice)
    Operator.objects.filter(pk=world.operator_o.pk).update(terms_url=server + "/missing")
    check_all_operator_links()
    body = login(world.alice).get("/t/contoso/notice/").content.decode()
    assert "Operator links that do not work" in body
    assert "Operator O: terms of use link (HTTP 404)" in body
    body = login(world.bob).get("/t/fabrikam/notice/").content.decode()
    assert "Operator links that do not work" not in body


def test_staff_see_broken_links_in_the_admin_list(world, server, login):
    Operator.objects.filter(pk=world.operator_o.pk).update(privacy_policy_url=server + "/error")
    check_all_operator_links()
    assert OperatorLinkHealth in site._registry
    response = login(world.sam).get("/admin/notices/operatorlinkhealth/?links=broken")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Operator O" in body
    assert "BROKEN" in body
    assert "HTTP 500" in body
    assert "Operator U" not in body
    assert login(world.alice).get("/admin/notices/operatorlinkhealth/").status_code == 302
