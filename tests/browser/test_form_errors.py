"""Forms in their error state, in a browser: the shared error summary (docs/ui.md "Forms") is
focused, fits 390 px and 1,280 px and has no axe-core violation — also where a form sits in a
table cell (the relationship form on the operator home)."""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from tests.notices.test_accessibility import AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _page_as(browser, live_server, user):
    axe = Axe()
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.add_init_script(script=axe.axe_script)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context.new_page()


@pytest.mark.parametrize(
    ("persona", "path", "fill"),
    [
        ("olivia", "/o/operator-o/", {"select[name=status]": "declined"}),
        ("olivia", "/o/operator-o/t/contoso/", {"select[name=status]": "declined"}),
        ("alice", "/t/contoso/exports/new/", {"input[name=start_date]": ""}),
    ],
    ids=["relationship on the operator home", "relationship on the tenant page", "export"],
)
def test_a_form_in_its_error_state_fits_and_has_no_axe_violations(
    world, live_server, browser, persona, path, fill
):
    if persona == "alice":
        from notices.services import publish_notice

        publish_notice(world.tenant_a, by=world.alice)
    page = _page_as(browser, live_server, getattr(world, persona))
    problems = {}
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + path)
        form = page.locator("form:has(button[type=submit].button)").last
        for selector, value in fill.items():
            field = form.locator(selector)
            if selector.startswith("select"):
                field.select_option(value)
            else:
                field.fill(value)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        summary = page.locator(".error-summary")
        assert summary.count() == 1, page.content()
        assert page.evaluate("document.activeElement.classList.contains('error-summary')")
        wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if wide[0] > wide[1]:
            problems[f"overflow at {width}px"] = wide
        found = page.evaluate("o => axe.run(document, o)", AXE_OPTIONS)["violations"]
        if found:
            problems[f"axe at {width}px"] = [
                (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found
            ]
    page.context.close()
    assert problems == {}, json.dumps(problems, indent=1)
