"""I8: no phone number, SIP URI, IP address or street address reaches a log line.

The canaries go through the real logging configuration: the console handler that settings.LOGGING
puts on the root logger, with its ``redact`` filter, writing into a StringIO instead of stderr.
"""

import ast
import io
import logging
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from portal import services
from portal.choices import PstnAssignmentStatus
from portal.errors import DomainError
from portal.logging import RedactPersonalData
from portal.models import EmergencyLocation, PhoneNumber, Tenant
from tests.factories import PhoneNumberFactory
from tests.foundation.canaries import IPV4, IPV6, NATIONAL_PHONE, NEEDLES, PHONE, SIP, STREET

BASE_DIR = Path(__file__).resolve().parents[2]
log = logging.getLogger("portal.tests.i8")


def _redacting_handlers(logger: logging.Logger) -> list[logging.Handler]:
    return [h for h in logger.handlers if any(isinstance(f, RedactPersonalData) for f in h.filters)]


@pytest.fixture
def console():
    """The configured console handler, writing into a StringIO for the test."""
    [handler] = _redacting_handlers(logging.getLogger())
    assert type(handler) is logging.StreamHandler
    assert handler.formatter._fmt == "%(asctime)s %(levelname)s %(name)s %(message)s"
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def assert_clean(buffer: io.StringIO) -> list[str]:
    text = buffer.getvalue()
    assert text, "nothing was logged: the test proves nothing"
    leaked = [needle for needle in NEEDLES if needle.lower() in text.lower()]
    assert leaked == [], text
    return text.splitlines()


def test_every_handler_a_record_can_reach_redacts_it():
    # Django's defaults give "django" an unfiltered console handler (DEBUG) and mail_admins, and
    # "django.server" its own; a record would be written there before the root handler redacts.
    names = ["django", "django.request", "django.server", "django.security.DisallowedHost",
             "django.db.backends", "celery", "celery.worker", "py.warnings", "portal", "axes"]  # fmt: skip
    for name in names:
        logger, reached = logging.getLogger(name), []
        while logger is not None:
            reached += [
                h
                for h in logger.handlers
                if not type(h).__module__.startswith("_pytest")  # pytest's own capture
                and type(h) is not logging.NullHandler  # writes nothing
            ]
            logger = logger.parent if logger.propagate else None
        assert reached, name
        unfiltered = [h for h in reached if not _redacting_handlers_of(h)]
        assert unfiltered == [], (name, unfiltered)


def _redacting_handlers_of(handler: logging.Handler) -> bool:
    return any(isinstance(f, RedactPersonalData) for f in handler.filters)


def test_log_records_with_arguments_are_redacted(console):
    log.info("call from %s to %s via %s", PHONE, NATIONAL_PHONE, SIP)
    log.warning("client %(v4)s / %(v6)s", {"v4": IPV4, "v6": IPV6})
    log.error("number %s", PHONE, stack_info=True)
    lines = assert_clean(console)
    assert lines[0].endswith("INFO portal.tests.i8 call from <number> to <number> via sip:…")
    assert lines[1].endswith("WARNING portal.tests.i8 client <ip> / <ip>")


def test_service_refusals_that_name_numbers_are_redacted_when_logged(world, console):
    PhoneNumberFactory(
        telephone_number=PHONE,
        sip_uri=SIP,
        tenant=world.tenant_a,
        operator=world.operator_o,
        iso_country_code="DE",
        pstn_assignment_status=PstnAssignmentStatus.USER,
    )
    services.change_assignment_contact(
        world.assignment,
        contact_full_name="Alice Admin",
        contact_email="alice@contoso.test",
        company_size="1-50",
        contact_phone=PHONE,
        by=world.alice,
        ip=IPV6,
    )
    with pytest.raises(DomainError) as excinfo:
        services.remove_assignment(world.assignment, by=world.alice, ip=IPV4)
    assert PHONE in excinfo.value.message  # shown to the admin: it is their own number
    try:
        services.change_assignment_countries(world.assignment, countries=["GB"], by=world.alice)
    except DomainError as exc:
        log.warning("refused for %s: %s", IPV4, exc.message)
        log.exception("refused")
    lines = assert_clean(console)
    assert "from Operator O are still assigned to users (<number>)" in lines[0]


def test_database_errors_quoting_rows_and_keys_are_redacted(world, console):
    PhoneNumberFactory(telephone_number=PHONE, tenant=world.tenant_a, operator=world.operator_o)
    with pytest.raises(IntegrityError) as duplicate, transaction.atomic():
        PhoneNumber.objects.create(
            telephone_number=PHONE,
            tenant=world.tenant_b,
            operator=world.operator_u,
            iso_country_code="DE",
        )
    assert f"Key (telephone_number)=({PHONE}) already exists." in str(duplicate.value)
    log.error("ingest failed", exc_info=duplicate.value)

    with pytest.raises(IntegrityError) as check, transaction.atomic():
        EmergencyLocation.objects.create(
            tenant=world.tenant_a,
            company_name="Contoso",
            house_number="12",
            street_name=STREET,
            city="Berlin",
            country="DE",
            longitude="181",
            elin=PHONE,
            description=f"reception, {IPV4}",
        )
    assert "Failing row contains (" in str(check.value) and STREET in str(check.value)
    try:
        raise check.value
    except IntegrityError:
        log.exception("could not save the location")

    # A multi-line address with parentheses: the whole row goes, not only its first line.
    with pytest.raises(IntegrityError) as multiline, transaction.atomic():
        Tenant.objects.filter(pk=world.tenant_a.pk).update(
            privacy_contact_address=f"12 {STREET} (Hinterhaus)\nKanarienhof 3", country="D1"
        )
    assert "Hinterhaus)\nKanarienhof 3" in str(multiline.value)
    log.error("update failed: %s", multiline.value)

    lines = assert_clean(console)
    assert "DETAIL:  Key (telephone_number)=(…) already exists." in lines
    assert lines.count("DETAIL:  Failing row contains (…)") >= 2


def test_sql_statements_with_their_parameters_are_not_logged_even_at_debug_level(world, console):
    from django.db import connection

    # As if someone debugging set LOG_LEVEL=DEBUG, turned Django's logger up and DEBUG on.
    root, django_logger = logging.getLogger(), logging.getLogger("django")
    levels = root.level, django_logger.level
    root.level = django_logger.level = logging.DEBUG
    connection.force_debug_cursor = True
    try:
        EmergencyLocation.objects.create(
            tenant=world.tenant_a, company_name="Contoso", street_name=STREET, country="DE"
        )
        log.debug("saved a location")
    finally:
        connection.force_debug_cursor = False
        root.level, django_logger.level = levels
    assert any("INSERT INTO" in q["sql"] and STREET in q["sql"] for q in connection.queries)
    assert assert_clean(console) == [console.getvalue().splitlines()[0]]
    assert console.getvalue().rstrip().endswith("DEBUG portal.tests.i8 saved a location")


@pytest.mark.urls("tests.foundation.canaries")
def test_a_failing_request_logs_djangos_500_line_without_personal_data(world, console):
    client = Client(raise_request_exception=False)
    response = client.get(f"/explode/{PHONE}/", REMOTE_ADDR=IPV4)
    assert response.status_code == 500
    response = client.get("/insert/", REMOTE_ADDR=IPV6)
    assert response.status_code == 500
    assert EmergencyLocation.objects.count() == 0
    lines = assert_clean(console)
    assert [line.split(" ", 3)[-1] for line in lines if "Internal Server Error" in line] == [
        "django.request Internal Server Error: /explode/<number>/",
        "django.request Internal Server Error: /insert/",
    ]
    assert "RuntimeError: cannot route call <number> via sip:… from <ip> / <ip>" in "\n".join(lines)


def test_a_request_for_a_bad_host_or_a_missing_page_is_logged_without_addresses(world, console):
    assert Client().get("/", HTTP_HOST=IPV4).status_code == 400
    assert Client().get(f"/healthz?caller={PHONE}", HTTP_HOST=f"[{IPV6}]").status_code == 400
    assert Client().get(f"/no-such-page/{PHONE}/").status_code == 404
    lines = [line.split(" ", 3)[-1] for line in assert_clean(console)]
    assert lines[0] == (
        "django.security.DisallowedHost Invalid HTTP_HOST header: '<ip>'. "
        "You may need to add '<ip>' to ALLOWED_HOSTS."
    )
    assert "django.request Not Found: /no-such-page/<number>/" in lines


# --- our own code never logs these fields ------------------------------------------------------

PERSONAL_FIELDS = {
    "telephone_number", "sip_uri", "caller_number", "callee_number", "caller_ip", "callee_ip",
    "ip_address", "ip", "contact_phone", "support_phone", "house_number", "street_name",
    "postal_code", "city", "privacy_contact_address", "street_line", "snapshot", "elin",
    "latitude", "longitude", "emergency_location_snapshot", "REMOTE_ADDR",
}  # fmt: skip
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}


def _logging_calls_with_personal_fields(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LOG_METHODS
            and "log" in ast.unparse(node.func.value).lower()
        ):
            continue
        names = {
            n.attr if isinstance(n, ast.Attribute) else getattr(n, "id", None) or n.value
            for arg in [*node.args, *(k.value for k in node.keywords)]
            for n in ast.walk(arg)
            if isinstance(n, ast.Attribute | ast.Name)
            or (isinstance(n, ast.Constant) and isinstance(n.value, str))
        }
        if names & PERSONAL_FIELDS:
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_guard_below_recognises_a_logging_call_with_a_personal_field():
    assert _logging_calls_with_personal_fields("logger.info('x %s', number.telephone_number)")
    assert _logging_calls_with_personal_fields(
        "log.warning('from %s', request.META['REMOTE_ADDR'])"
    )
    assert not _logging_calls_with_personal_fields("logger.info('%s rows', count)")


def test_no_module_of_ours_passes_a_personal_field_to_a_logging_call():
    offenders = {}
    for app in ("portal", "notices", "exports"):
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            found = _logging_calls_with_personal_fields(path.read_text())
            if found:
                offenders[str(path.relative_to(BASE_DIR))] = found
    assert offenders == {}


WORKER_PROBE = r"""
import logging
import django
django.setup()
from celery.utils.log import get_task_logger
from portal.celery import app
from portal.logging import RedactPersonalData

app.log.setup(loglevel="INFO", redirect_stdouts=True)  # what `celery worker` and `beat` do
for name in ["celery.task", "celery.app.trace", "celery.worker", "celery.redirected", "exports.tasks"]:
    logger, handlers = logging.getLogger(name), []
    while logger is not None:
        handlers += [h for h in logger.handlers if type(h) is not logging.NullHandler]
        logger = logger.parent if logger.propagate else None
    assert handlers and all(
        any(isinstance(f, RedactPersonalData) for f in h.filters) for h in handlers
    ), (name, handlers)
get_task_logger("exports.tasks").warning("export for %s from %s", "+4930123456789", "192.0.2.1")
"""


def test_celery_worker_logging_goes_through_the_redacting_handler(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k in ("PATH", "DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-c", WORKER_PROBE],
        cwd=BASE_DIR,
        env=env
        | {
            "VAR_DIR": str(tmp_path),
            "HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING exports.tasks export for <number> from <ip>" in result.stderr
    assert "+4930123456789" not in result.stderr + result.stdout
