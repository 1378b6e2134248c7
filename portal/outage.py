"""A database outage answers 503 with ``Retry-After``, never a 500 (docs/reliability.md).

PostgreSQL is the one dependency the portal cannot work without. When it does not answer, a
request gets ``503 Service Unavailable`` with ``Retry-After``: an HTML page saying what happened
(rendered without the database: no user, no session), or for ``/api/`` the API's error shape.

Two hooks, because Django turns an exception into a response at the layer where it happens:
``DatabaseOutageMiddleware.process_exception`` for views (any ``DEBUG``), and ``server_error``
(``handler500``) for anything raised in another middleware (loading the session or the user).
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from portal.errors import error_body

logger = logging.getLogger(__name__)

RETRY_AFTER = 30  # seconds: a restart or fail-over of PostgreSQL usually takes that long
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
try:
    import psycopg

    OUTAGE_ERRORS += (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # pragma: no cover - psycopg is a requirement
    pass

OUTAGE_MESSAGE = (
    "The portal's database is not answering, so nothing can be read or saved right now. "
    "Nothing you sent was half-saved. Please try again in a minute."
)


TOO_SLOW_MESSAGE = (
    "This request would have taken too long, so it was stopped. Narrow it down: a shorter time "
    "range or fewer filters. Nothing was changed."
)


def _statement_timed_out(exc: BaseException) -> bool:
    """PostgreSQL cancelled a statement that ran past ``statement_timeout``."""
    try:
        from psycopg.errors import QueryCanceled
    except ImportError:  # pragma: no cover - psycopg is a requirement
        return False
    return isinstance(exc, QueryCanceled) or isinstance(exc.__cause__, QueryCanceled)


class WebStatementTimeoutMiddleware:
    """No statement of a web request runs longer than ``WEB_STATEMENT_TIMEOUT_MS``.

    A filter that no index bounds could otherwise read a tenant's whole call history and hold a
    web worker for tens of seconds (docs/reliability.md, "Statement timeout"). Workers, beat and
    management commands never pass here, so exports and ingests keep their long statements. A
    cancelled statement answers 503 saying to narrow the request (``Retry-After`` is not
    useful: the same request would be cancelled again); ``DatabaseOutageMiddleware`` and
    ``server_error`` tell it from an outage.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = settings.WEB_STATEMENT_TIMEOUT_MS
        if not timeout or connection.vendor != "postgresql":
            return self.get_response(request)
        limited = False

        def limit(execute, sql, params, many, context):
            # Set on the request's first statement, not up front: a request that never touches
            # the database (the health check, a cached notice page) must not need it.
            nonlocal limited
            if not limited:
                limited = True
                context["cursor"].cursor.execute(
                    "SELECT set_config('statement_timeout', %s, false)", [str(timeout)]
                )
            return execute(sql, params, many, context)

        try:
            with connection.execute_wrapper(limit):
                return self.get_response(request)
        finally:
            if limited and connection.connection is not None and not connection.needs_rollback:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT set_config('statement_timeout', '0', false)")
                except OUTAGE_ERRORS:
                    pass  # the connection is gone; a new one starts without the setting


def too_slow(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        response = JsonResponse(error_body("too_slow", TOO_SLOW_MESSAGE), status=503)
    else:
        response = HttpResponse(
            render_to_string("503.html", {"message": TOO_SLOW_MESSAGE}), status=503
        )
    response["Cache-Control"] = "no-store"
    return response


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def unavailable(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        response = JsonResponse(error_body("unavailable", OUTAGE_MESSAGE), status=503)
    else:
        response = HttpResponse(
            render_to_string("503.html", {"message": OUTAGE_MESSAGE}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if _statement_timed_out(exception):
            logger.warning("statement timeout in a web request: answered 503")
            return too_slow(request)
        if isinstance(exception, OUTAGE_ERRORS):
            logger.error("database unavailable (%s): answered 503", type(exception).__name__)
            return unavailable(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 for a database outage; else the 500 page (JSON under ``/api/``)."""
    exc = sys.exc_info()[1]
    if exc is not None and _statement_timed_out(exc):
        return too_slow(request)
    if isinstance(exc, OUTAGE_ERRORS):
        return unavailable(request)
    if is_api(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong; the error was logged."), status=500
        )
    return HttpResponse(render_to_string("500.html"), status=500)
