"""A tenant admin's day in a real browser: enable, add an operator, suspend, resume, try to
remove it while numbers are assigned, and read it all back in the audit log."""

import re

import pytest
from playwright.sync_api import expect

from portal.choices import AssignmentStatus
from portal.models import OperatorAssignment
from tests.browser import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enable_add_suspend_resume_remove_refused_and_audit(live_server, page):
    demo.build(calls=10)
    base = live_server.url

    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("E-mail address").fill(demo.ADMIN_EMAIL)
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Contoso Ltd", level=1)).to_be_visible()

    # Enable: refused without the checkbox, then accepted.
    page.get_by_role("link", name="Enable Operator Connect…").click()
    expect(page.get_by_text("Operators can export and download this information.")).to_be_visible()
    page.get_by_role("button", name="Enable Operator Connect").click()
    expect(page.get_by_role("alert")).to_contain_text("Please tick the box")
    page.get_by_label("I understand and accept this data transfer for my organization.").check()
    page.get_by_role("button", name="Enable Operator Connect").click()
    expect(page.get_by_text("Operator Connect is now enabled.")).to_be_visible()

    # Add Northwind for GB and DE from the directory.
    page.get_by_role("navigation", name="Contoso Ltd").get_by_role(
        "link", name="Operator directory"
    ).click()
    page.get_by_role("link", name="Northwind Telecom").click()
    expect(page.locator("a[href='https://northwind.example/privacy']")).to_be_visible()
    page.get_by_role("link", name="Add as my operator").click()
    expect(page.get_by_label("Contact e-mail")).to_have_value(demo.ADMIN_EMAIL)
    page.get_by_label("United Kingdom").check()
    page.get_by_label("Germany").check()
    page.get_by_label("Company size").select_option("251-1000")
    page.get_by_label("I accept the data transfer notice for this operator.").check()
    page.get_by_role("button", name="Add Northwind Telecom").click()
    expect(page.get_by_text("Northwind Telecom was added for DE, GB.")).to_be_visible()

    # Suspend (with confirmation), then resume.
    row = page.get_by_role("row", name=re.compile("Northwind Telecom"))
    row.get_by_role("link", name="Suspend").click()
    page.get_by_label("Yes, I understand the consequences.").check()
    page.get_by_role("button", name="Suspend Northwind Telecom").click()
    expect(page.get_by_text("Northwind Telecom is suspended.")).to_be_visible()
    page.get_by_role("button", name="Resume").click()
    expect(page.get_by_text("Northwind Telecom is active again for DE, GB.")).to_be_visible()

    # Remove: blocked before the click — the page names the numbers still assigned to users
    # and the way forward, and offers no form that would fail.
    page.get_by_role("link", name="Remove…").click()
    expect(page.get_by_text("are still assigned to users")).to_be_visible()
    expect(page.get_by_role("heading", name="Removal is not possible yet")).to_be_visible()
    expect(page.get_by_text("+44207946000").first).to_be_visible()
    expect(page.get_by_role("button", name="Remove Northwind Telecom")).to_have_count(0)
    expect(page.get_by_role("link", name="suspend it")).to_be_visible()

    # The audit log tells the story in sentences.
    page.get_by_role("link", name="Audit log").click()
    table = page.get_by_role("table")
    for sentence in (
        "Anna Admin enabled Operator Connect for Contoso Ltd",
        "Anna Admin added operator Northwind Telecom for DE, GB",
        "Anna Admin suspended Northwind Telecom for DE, GB",
        "Anna Admin resumed Northwind Telecom for DE, GB",
    ):
        expect(table).to_contain_text(sentence)

    assignment = OperatorAssignment.objects.get(operator__slug="northwind")
    assert assignment.status == AssignmentStatus.ACTIVE
