"""Every URL × every persona → the expected status. A new URL without a row fails the suite."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.access as access_pkg
from tests.access.matrix import PERSONAS, Row

# URLs outside our access rules: Django's own admin (staff-only by Django), static assets,
# the i18n language switch (public, no data).
IGNORED_PREFIXES = ("admin:", "djdt")
IGNORED_NAMES = {"set_language", "javascript-catalog"}


def _all_rows() -> list[Row]:
    rows: list[Row] = []
    for info in pkgutil.iter_modules(access_pkg.__path__):
        if info.name.startswith("rows_"):
            rows.extend(importlib.import_module(f"tests.access.{info.name}").ROWS)
    return rows


ROWS = _all_rows()


def _url_names(resolver=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            names |= _url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_has_a_row_in_the_access_matrix():
    covered = {row.name for row in ROWS}
    ours = {
        n for n in _url_names() if not n.startswith(IGNORED_PREFIXES) and n not in IGNORED_NAMES
    }
    missing = sorted(ours - covered)
    assert not missing, f"URLs without an access-matrix row: {missing}"


def _cells():
    for row in ROWS:
        for persona in PERSONAS:
            yield pytest.param(row, persona, id=f"{row.id}-{persona}")


@pytest.mark.parametrize(("row", "persona"), list(_cells()))
def test_access(row: Row, persona: str, world, client):
    if persona != "anonymous":
        client.force_login(
            getattr(world, persona), backend="django.contrib.auth.backends.ModelBackend"
        )
    kwargs = row.kwargs(world) if callable(row.kwargs) else row.kwargs
    url = reverse(row.name, kwargs=kwargs)
    if row.query:
        url += "?" + row.query
    data = row.data(world) if callable(row.data) else row.data
    send = getattr(client, row.method)
    extra = {"content_type": row.content_type} if row.content_type else {}
    response = send(url, **extra) if data is None else send(url, data, **extra)
    assert response.status_code == row.expect[persona], (
        f"{row.id} as {persona}: got {response.status_code}, expected {row.expect[persona]}"
    )
