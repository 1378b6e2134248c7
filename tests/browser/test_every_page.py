"""Every page of the access matrix, as a persona allowed to see it, at 390 px and 1,280 px:
no horizontal page overflow and no axe-core violation of any impact (docs/ui.md)."""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.access.test_matrix import ROWS
from tests.factories import CallRecordFactory, PhoneNumberFactory, tell_users
from tests.notices.test_accessibility import AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)
# Who looks at a page: the first of these the access matrix lets in (200).
PREFERENCE = ["alice", "oscar", "bob", "victor", "uma", "sam", "anonymous"]
# Not pages: the API, health probes, the JSON notice. The public notice has its own test
# (tests/notices/test_accessibility.py) across languages.
NOT_PAGES = ("api:", "healthz", "readyz", "public:notice")
DOWNLOADS = (".csv", ".json", ".atom", ".zip")  # files, not pages: the browser downloads them


def pages(world) -> list[tuple[str, str, str]]:
    """(row id, persona, path) for every GET row some persona may see."""
    seen, found = set(), []
    for row in ROWS:
        if row.method != "get" or row.name.startswith(NOT_PAGES) or "csv=" in row.query:
            continue
        persona = next((p for p in PREFERENCE if row.expect.get(p) == 200), None)
        if persona is None:
            continue
        kwargs = row.kwargs(world) if callable(row.kwargs) else row.kwargs
        path = reverse(row.name, kwargs=kwargs)
        if path.endswith(DOWNLOADS):
            continue
        path += f"?{row.query}" if row.query else ""
        if path not in seen:
            seen.add(path)
            found.append((row.id, persona, path))
    return found


def _data(world):
    """Enough rows that every table and list has something to lay out."""
    tell_users(world.tenant_a, world.alice)
    for _ in range(3):
        PhoneNumberFactory(tenant=world.tenant_a, operator=world.operator_o, iso_country_code="GB")
        CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o)


def test_every_page_fits_both_widths_and_has_no_axe_violations(world, live_server, browser):
    _data(world)
    axe = Axe()
    overflow, violations, errors = {}, {}, {}
    contexts = {}
    visited = pages(world)
    assert len(visited) > 40
    for row_id, persona, path in visited:
        if persona not in contexts:
            context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
            # axe-core once per document, before the page's own scripts (not per check).
            context.add_init_script(script=axe.axe_script)
            if persona != "anonymous":
                client = Client()
                client.force_login(
                    getattr(world, persona), backend="django.contrib.auth.backends.ModelBackend"
                )
                cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
                context.add_cookies(
                    [
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": cookie,
                            "url": live_server.url,
                        }
                    ]
                )
            contexts[persona] = context.new_page()
        page = contexts[persona]
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(live_server.url + path)
            key = f"{row_id} as {persona} at {width}px ({path})"
            if response.status != 200:
                errors[key] = response.status
                continue
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue  # a JSON status endpoint: no page to lay out
            wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if wide[0] > wide[1]:
                overflow[key] = wide
            found = page.evaluate("o => axe.run(document, o)", AXE_OPTIONS)["violations"]
            if found:
                violations[key] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found]
    for page in contexts.values():
        page.context.close()
    report = {"errors": errors, "overflow": overflow, "violations": violations}
    assert report == {"errors": {}, "overflow": {}, "violations": {}}, json.dumps(report, indent=1)
