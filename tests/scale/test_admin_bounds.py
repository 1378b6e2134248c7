"""The Django admin's call-record list never reads deep (issue 17, item 3)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import CallRecord
from portal.paginators import MAX_PAGE, LookaheadPaginator
from tests.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

URL = "admin:portal_callrecord_changelist"


@pytest.fixture
def staff(world, client):
    client.force_login(world.sam, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_page_past_the_cap_answers_a_message_to_filter_instead(world, staff):
    response = staff.get(reverse(URL), {"p": MAX_PAGE + 1, "tenant__id__exact": world.tenant_a.pk})
    assert response.status_code == 302
    assert "p=" not in response["Location"]
    assert f"tenant__id__exact={world.tenant_a.pk}" in response["Location"]
    page = staff.get(response["Location"])
    text = " ".join(str(m) for m in page.context["messages"])
    assert f"Only the first {MAX_PAGE} pages are shown" in text


def test_the_paginator_never_offsets_past_the_cap_and_offers_no_next_there(world):
    for _ in range(MAX_PAGE + 1):
        CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o)
    qs = CallRecord.objects.order_by("-invite_time", "-id")
    deep = LookaheadPaginator(qs, 1, page_number=10_000)
    with CaptureQueriesContext(connection) as captured:
        assert len(deep.page(MAX_PAGE).object_list) == 1
    (sql,) = [q["sql"] for q in captured]
    assert f"OFFSET {MAX_PAGE - 1}" in sql
    assert deep.next_link == ""  # a 102nd row exists, but no page past the cap is offered
    assert LookaheadPaginator(qs, 1, page_number=MAX_PAGE - 1).next_link


def test_filters_other_than_the_tenant_need_a_tenant(world, staff):
    CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, direction="inbound")
    response = staff.get(reverse(URL), {"direction__exact": "inbound"})
    assert list(response.context["cl"].result_list) == []
    assert "Choose a tenant first" in " ".join(str(m) for m in response.context["messages"])


def test_a_non_indexed_filter_reads_a_window(world, staff, time_machine):
    time_machine.move_to(datetime(2026, 6, 1, tzinfo=UTC), tick=False)
    recent = CallRecordFactory(
        tenant=world.tenant_a, operator=world.operator_o, direction="inbound",
        invite_time=datetime(2026, 5, 20, tzinfo=UTC),
    )  # fmt: skip
    CallRecordFactory(
        tenant=world.tenant_a, operator=world.operator_o, direction="inbound",
        invite_time=datetime(2026, 1, 20, tzinfo=UTC),
    )  # fmt: skip
    query = {"direction__exact": "inbound", "tenant__id__exact": world.tenant_a.pk}
    response = staff.get(reverse(URL), query)
    assert list(response.context["cl"].result_list) == [recent]
    assert "read at most 93 days" in " ".join(str(m) for m in response.context["messages"])
    # A tenant and no other filter: its whole history, newest first (the index's order).
    everything = staff.get(reverse(URL), {"tenant__id__exact": world.tenant_a.pk})
    assert len(everything.context["cl"].result_list) == 2
