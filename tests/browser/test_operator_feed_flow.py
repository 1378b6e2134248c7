"""An operator admin in a real browser sets up a data feed: (signed in) registers a webhook pointing at
a receiver on loopback (the secret is shown once), creates an hourly schedule, runs it, and sees
the run delivered and the signed ``export.succeeded`` event in the delivery log — verified by
the receiver with ``standardwebhooks``."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from exports import runner
from exports.models import ExportJob
from notices.services import publish_notice
from tests.factories import CallRecordFactory
from tests.operator.test_webhooks import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_admin_sets_up_a_scheduled_feed_with_a_signed_webhook(
    live_server, page, world, tmp_path
):
    publish_notice(world.tenant_a, by=world.alice)
    stored = timezone.now() - timedelta(minutes=10)  # before the run's safety lag
    for i in range(3):
        CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, call_id=f"feed-{i}",
                          ingested_at=stored)  # fmt: skip
    receiver = Receiver()
    base = live_server.url
    try:
        # Signed in with both factors (tests/conftest.py), as test_every_page does: the
        # second-factor set-up is another test's journey.
        client = Client()
        client.force_login(world.olivia, backend="django.contrib.auth.backends.ModelBackend")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
        )
        page.goto(f"{base}/o/operator-o/")
        page.get_by_role("link", name="Webhooks").click()
        page.get_by_role("link", name="Register an endpoint").click()
        page.get_by_label("Endpoint URL").fill(receiver.url)
        page.get_by_role("button", name="Register").click()
        secret = page.locator("#webhook-secret").inner_text()
        assert secret.startswith("whsec_")
        receiver.secrets.append(secret)
        page.reload()
        expect(page.locator("#webhook-secret")).to_have_count(0)  # shown once

        page.get_by_role("link", name="Schedules").click()
        page.get_by_role("link", name="New schedule").click()
        page.get_by_label("Name").fill("Hourly feed")
        page.get_by_label("Organization").select_option("contoso")
        page.get_by_label("Hourly").check()
        page.get_by_label("The first run delivers records stored").select_option("1")
        page.get_by_role("button", name="Create schedule").click()
        expect(page.get_by_role("heading", name="Hourly feed", level=1)).to_be_visible()
        page.get_by_role("button", name="Run now").click()
        expect(page.get_by_text("1 export(s) requested.")).to_be_visible()

        job = ExportJob.objects.get(schedule__name="Hourly feed")
        assert runner.run_export(job.pk) == "succeeded"  # the worker's part, in process
        page.reload()
        expect(page.get_by_role("row", name=re.compile("Contoso"))).to_contain_text("3 rows")
        page.screenshot(path=str(tmp_path / "schedule.png"), full_page=True)

        page.get_by_role("link", name="Webhooks").click()
        page.get_by_role("link", name=receiver.url).click()
        log = page.get_by_role("row", name=re.compile("export.succeeded"))
        expect(log).to_contain_text(": 200,")
        event = receiver.requests[-1]["verified"][0]
        assert isinstance(event, dict), event
        assert event["type"] == "export.succeeded"
        assert event["data"]["export"]["rows"] == {"call_records": 3}
    finally:
        receiver.close()
