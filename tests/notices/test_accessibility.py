"""WCAG 2.2 AA of the public notice, checked by axe-core in a real headless Chromium."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from portal import services
from tests.notices.conftest import publish

AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a",
            "wcag2aa",
            "wcag21a",
            "wcag21aa",
            "wcag22aa",
            "best-practice",
        ],
    },
}


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_public_notice_pages_have_no_axe_violations(world, carriers, live_server, browser):
    publish(world.tenant_a, world.alice)
    services.remove_assignment(world.assignment, by=world.alice)
    publish(world.tenant_a, world.alice)
    pages = [f"/notice/contoso/?lang={lang}" for lang in ("en", "de", "fr", "es")]
    pages += ["/notice/contoso/v/1/?lang=en", "/notice/contoso/v/1/?lang=de"]
    pages += ["/notice/fabrikam/?lang=fr"]  # the friendly "not published" page
    axe = Axe()
    report = {}
    # bypass_csp only lets axe's injected script run; the page's own CSP is tested elsewhere.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    # Canary: the checker must see a violation where there is one.
    page.set_content('<html><body><main><img src="x.png"></main></body></html>')
    canary = {v["id"] for v in axe.run(page, options=AXE_OPTIONS).response["violations"]}
    assert {"image-alt", "html-has-lang"} <= canary
    for path in pages:
        page.goto(live_server.url + path)
        assert page.locator("link[rel=stylesheet]").count() == 1
        results = axe.run(page, options=AXE_OPTIONS)
        report[path] = [
            (v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]
        ]
    context.close()
    assert report == {path: [] for path in pages}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_skip_link_is_the_first_tab_stop_and_becomes_visible(world, live_server, page):
    publish(world.tenant_a, world.alice)
    page.goto(live_server.url + "/notice/contoso/?lang=de")
    assert page.evaluate("document.documentElement.lang") == "de"
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.textContent, document.activeElement.getBoundingClientRect().top]"
    )
    assert focused[0] == "Zum Hauptinhalt springen"
    assert focused[1] >= 0
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
