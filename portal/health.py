"""Liveness and readiness probes for load balancers and orchestrators (docs/reliability.md)."""

import os
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from exports.storage import export_storage
from portal.celery import app as celery_app


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up."""
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _cache() -> None:
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
    else:  # the file-based cache of the single-machine mode
        cache.set("readyz", "ok", 10)


def _storage() -> None:
    storage = export_storage()
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location)
        root.mkdir(parents=True, exist_ok=True)
        if not os.access(root, os.W_OK):
            raise PermissionError(root)
    else:
        storage.exists("readyz")


CHECKS = {"database": _database, "broker": _broker, "cache": _cache, "storage": _storage}
REQUIRED = {"database"}  # without it nothing works; without the others the portal degrades


@login_not_required
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Each dependency answers? 503 only without the database: a cache, broker or storage
    outage degrades some features (exports wait in the queue) but every page still answers, so
    a load balancer should keep sending traffic."""
    checks = {}
    for name, check in CHECKS.items():
        try:
            check()
            checks[name] = "ok"
        except Exception:
            checks[name] = "unavailable"
    if all(v == "ok" for v in checks.values()):
        status, code = "ok", 200
    elif any(checks[name] != "ok" for name in REQUIRED):
        status, code = "unavailable", 503
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, **checks}, status=code)
