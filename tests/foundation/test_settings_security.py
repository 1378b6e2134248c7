"""Production settings refuse unsafe values and pass Django's deploy checks (issue 2, items 2–3).

Settings are evaluated once per process, so production behaviour is checked in a subprocess
with a production-like environment and nothing inherited from this one.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from portal.celery import app as celery_app
from portal.tasks import ping

BASE_DIR = Path(__file__).resolve().parents[2]


def maintenance_database_url() -> str:
    """The test server's ``postgres`` database: it always exists (the suite's own database need
    not, until pytest creates test_<name>), and the probes only ask it ``SELECT 1``."""
    url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    return urlunsplit(url._replace(path="/postgres"))


def production_env(tmp_path, **over) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_hex(32),  # 64 random characters
        "ALLOWED_HOSTS": "portal.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://portal.example.com",
        "DATABASE_URL": maintenance_database_url(),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "VAR_DIR": str(tmp_path / "var"),
        "SITE_URL": "https://portal.example.com",
        "EMAIL_URL": "smtp+tls://user:password@smtp.example.com:587",
    }
    env.update(over)
    return {k: v for k, v in env.items() if v is not None}


def manage(tmp_path, *args, **over) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=production_env(tmp_path, **over),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_checks_pass_at_warning_level_in_a_production_like_environment(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_opting_into_hsts_preload_also_passes_the_deploy_checks(tmp_path):
    result = manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_PRELOAD="true"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set to a random value of 50+ characters."),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set to a random value of 50+ characters."),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set to a random value of 50+ characters."),
        (
            {"SECRET_KEY": "dev-only-secret-key-never-use-in-production-0123456789abcdef"},
            "SECRET_KEY must be set to a random value of 50+ characters.",
        ),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list this site's host names (no '*')."),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must list this site's host names (no '*')."),
        (
            {"ALLOWED_HOSTS": "portal.example.com,*"},
            "ALLOWED_HOSTS must list this site's host names (no '*').",
        ),
    ],
)
def test_production_refuses_to_start_with_an_unsafe_configuration(tmp_path, over, message):
    result = manage(tmp_path, "check", **over)
    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


PROBE = r"""
import json
from django.conf import settings
from django.test import Client
from portal.celery import app

client = Client(HTTP_HOST="portal.example.com")
login = client.get("/accounts/login/", secure=True)
plain = client.get("/accounts/login/")
probes = [client.get(url).status_code for url in ("/healthz", "/readyz")]
cookie = login.cookies[settings.CSRF_COOKIE_NAME]
import sys
sys.stdout.write(json.dumps({
    "session_cookie": [settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE,
                       settings.SESSION_COOKIE_HTTPONLY, settings.SESSION_COOKIE_DOMAIN,
                       settings.SESSION_COOKIE_PATH],
    "csrf_cookie": [settings.CSRF_COOKIE_NAME, settings.CSRF_COOKIE_SECURE,
                    settings.CSRF_COOKIE_DOMAIN, settings.CSRF_COOKIE_PATH],
    "language_cookie": [settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_COOKIE_SECURE,
                        settings.LANGUAGE_COOKIE_DOMAIN, settings.LANGUAGE_COOKIE_PATH],
    "set_cookie": [cookie.key, bool(cookie["secure"]), cookie["path"], cookie["domain"]],
    "login_status": login.status_code,
    "hsts": login.headers.get("Strict-Transport-Security"),
    "plain_http": [plain.status_code, plain.headers.get("Location")],
    "probes_over_plain_http": probes,
    "celery": [app.conf.task_always_eager, app.conf.broker_url.split("://")[0],
               app.conf.broker_transport_options, app.conf.task_time_limit],
}) + "\n")  # stdout reports to the test
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    result = manage(tmp_path, "shell", "--no-imports", "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_host_prefixed_secure_and_bound_to_the_host(production):
    assert production["session_cookie"] == ["__Host-sessionid", True, True, None, "/"]
    assert production["csrf_cookie"] == ["__Host-csrftoken", True, None, "/"]
    assert production["language_cookie"] == ["__Host-language", True, None, "/"]
    # What the browser actually receives: Secure, Path=/, no Domain (else it drops the cookie).
    assert production["set_cookie"] == ["__Host-csrftoken", True, "/", ""]
    assert production["login_status"] == 200


def test_production_sends_hsts_and_redirects_plain_http_to_https(production):
    assert production["hsts"] == "max-age=31536000; includeSubDomains"
    assert production["plain_http"] == [301, "https://portal.example.com/accounts/login/"]


def test_production_health_probes_answer_over_plain_http_instead_of_redirecting(production):
    # A 301 would tell a load balancer "ready" without checking the database or the broker.
    assert production["probes_over_plain_http"] == [200, 200]


def test_production_celery_is_not_eager_and_redelivers_only_after_the_hard_limit(production):
    eager, scheme, options, hard_limit = production["celery"]
    assert (eager, scheme, hard_limit) == (False, "redis", 3600)
    assert options == {"visibility_timeout": 4200}


# --- in this process: headers and Celery configuration ---------------------------------------


@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz"])
def test_responses_carry_a_strict_content_security_policy_and_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_celery_accepts_json_only_and_acknowledges_late_one_task_at_a_time():
    conf = celery_app.conf
    assert (conf.accept_content, conf.task_serializer, conf.result_serializer) == (
        ["json"],
        "json",
        "json",
    )
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost) == (True, True)
    assert conf.worker_prefetch_multiplier == 1
    assert (conf.task_soft_time_limit, conf.task_time_limit) == (3300, 3600)
    assert conf.task_always_eager is False
    assert conf.worker_hijack_root_logger is False


def test_the_redis_visibility_timeout_is_above_the_hard_time_limit():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    timeout = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert timeout == celery_app.conf.task_time_limit + 600


def test_the_beat_schedule_names_tasks_with_intervals():
    schedule = celery_app.conf.beat_schedule
    assert schedule["purge-expired-exports"] == {
        "task": "exports.tasks.purge_expired_exports",
        "schedule": 900,
    }
    assert {entry["task"] for entry in schedule.values()} >= {
        "exports.tasks.sweep_stuck_exports",
        "notices.tasks.check_operator_links",
    }


@pytest.mark.django_db
def test_a_task_sent_on_commit_reaches_the_broker_only_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = "portal-test-on-commit"
    broker.delete(queue)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ping.apply_async_on_commit(("token",), queue=queue)
            assert broker.llen(queue) == 0
        assert len(callbacks) == 1
        assert broker.llen(queue) == 0  # rolled back: never sent
        callbacks[0]()  # what the commit runs
        assert broker.llen(queue) == 1
        message = json.loads(broker.lpop(queue))
        assert message["headers"]["task"] == "portal.tasks.ping"
        assert message["content-type"] == "application/json"
    finally:
        broker.delete(queue)
    assert callable(ping.delay_on_commit)
