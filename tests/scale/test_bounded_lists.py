"""Every call-record list the tenant page and the API build is bounded (issue 17, item 3).

A few hundred thousand rows are seeded by COPY and ANALYZEd, so the planner chooses as it would
in production; then every filter combination the page and the API offer is requested, each
query they send to ``portal_callrecord`` is captured and ``EXPLAIN (FORMAT JSON)``-ed, and each
scan of the table must be one of:

- an index scan whose Index Cond holds the tenant and both ends of ``invite_time`` (a window:
  it reads at most that tenant's days, whatever the other filters) — on PostgreSQL's monthly
  partitions, the window's ends may be a Filter of an index scan on the tenant: pruning keeps
  only the partitions of the window's months in the plan — or
- an index scan in the list's order, under a Limit, whose every condition is in the Index Cond
  (no Filter, no Sort): each row it reads is a row of the page, so it stops at the page's end.

Never a sequential scan, never a Filter or a Sort over an index scan without a time window.
"""

import itertools
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from demo.bench_export import seed_call_records
from portal.models import CallRecord
from portal.querysets import WINDOWED_CALL_FILTERS
from tests.conftest import build_world

pytestmark = pytest.mark.django_db

TABLE = "portal_callrecord"
FILTERS = {
    "operator": [None, "operator-o"],
    "direction": [None, "inbound"],
    "call_type": [None, "user_out"],  # with inbound: matches nothing (the worst case)
    "quality": [None, "poor"],
}
# (web date_from, date_to), (API from, to): none, start only, end only, both
TIMES = [
    ((None, None), (None, None)),
    (("2025-06-01", None), ("2025-06-01T00:00:00Z", None)),
    ((None, "2025-08-31"), (None, "2025-09-01T00:00:00Z")),
    (("2025-06-01", "2025-08-31"), ("2025-06-01T00:00:00Z", "2025-09-01T00:00:00Z")),
]


def _scans(plan: dict, parents: tuple = ()):
    """(node, its ancestors' node types) for every node reading the call-record table (on
    PostgreSQL, its monthly partitions: ``portal_callrecord_p2025_06``, …)."""
    if plan.get("Relation Name", "").startswith(TABLE):
        yield plan, parents
    for child in plan.get("Plans", []):
        yield from _scans(child, (*parents, plan["Node Type"]))


def _index_cond(node: dict) -> str:
    if node["Node Type"] == "Bitmap Heap Scan":
        return " ".join(c.get("Index Cond", "") for c in node.get("Plans", []))
    return node.get("Index Cond", "")


def problems(sql: str, *, tenant: bool = True) -> list[str]:
    """What makes ``sql`` unbounded ([] when every scan of the table is bounded).

    ``tenant``: every scan must also hold the tenant in its Index Cond (the tenant's lists)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (raw,) = cursor.fetchone()
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    found = []
    for node, parents in _scans(plan):
        kind, cond = node["Node Type"], _index_cond(node)
        if kind not in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan"):
            found.append(f"{kind} over {TABLE}")
            continue
        if tenant and "tenant_id" not in cond:
            found.append(f"{kind} without the tenant in its Index Cond: {cond}")
            continue
        windowed = "tenant_id" in cond and "invite_time >=" in cond and "invite_time <" in cond
        # A monthly partition (docs/scaling.md) is in the plan only if the window overlaps its
        # month (plan-time pruning): holding the tenant in its Index Cond and the window's ends
        # anywhere, it reads at most the tenant's rows of the (≤ 4) months the window touches.
        conds = cond + " " + node.get("Filter", "")
        windowed = windowed or (
            node.get("Relation Name") != TABLE
            and "tenant_id" in cond
            and "invite_time >=" in conds
            and "invite_time <" in conds
        )
        ordered_page = (
            kind != "Bitmap Heap Scan"
            and "Limit" in parents
            and "Sort" not in parents
            and "Incremental Sort" not in parents
            and "Filter" not in node
        )
        fetched = [c for c in WINDOWED_CALL_FILTERS if c in node.get("Filter", "")]
        if fetched:
            # call_window_idx carries these columns: checked in the index, no heap fetch.
            found.append(f"{kind} ({node.get('Index Name')}) checks {fetched} on fetched rows")
        if not (windowed or ordered_page):
            found.append(
                f"{kind} ({node.get('Index Name')}) with neither a time window nor an "
                f"ordered page: cond {cond!r}, filter {node.get('Filter')!r}, above {parents}"
            )
    return found


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeded once for the module's tests, in a transaction rolled back after the last: each
    test runs in a savepoint inside it (as Django's ``TestCase.setUpTestData``)."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        # 250k legs of tenant A via operator O, 50k via operator U, 50k of tenant B: enough for
        # the planner to prefer what it would prefer in production.
        seed_call_records(world.tenant_a, world.operator_o, 250_000, seed=7)
        seed_call_records(world.tenant_a, world.operator_u, 300_000, seed=8)
        seed_call_records(world.tenant_b, world.operator_o, 50_000, seed=9)
        # In production the last 30 days (the lists' default window) hold many tenants' rows:
        # partitioned, an empty or one-tenant month is rightly read sequentially by the planner.
        now = timezone.now()
        recent = {"start": now - timedelta(days=28), "end": now}
        seed_call_records(world.tenant_a, world.operator_o, 200, seed=10, **recent)
        seed_call_records(world.tenant_a, world.operator_u, 300, seed=11, **recent)
        seed_call_records(world.tenant_b, world.operator_o, 60_000, seed=12, **recent)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
        yield world
        transaction.set_rollback(True)


def _cursor_row(tenant) -> CallRecord:
    return (
        CallRecord.objects.for_tenant(tenant)
        .filter(invite_time__gte=datetime(2025, 7, 15, tzinfo=UTC))
        .order_by("invite_time", "id")
        .first()
    )


def _call_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if TABLE in q["sql"] and q["sql"].startswith("SELECT")]


def test_every_call_record_list_query_is_bounded(seeded, client):
    world = seeded
    client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
    rest = APIClient()
    rest.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
    row = _cursor_row(world.tenant_a)
    web_cursor = f"{row.invite_time.isoformat()}_{row.id}"
    page_url = reverse("tenant:calls", kwargs={"tenant_slug": world.tenant_a.slug})
    api_url = reverse("api:call-record-list", kwargs={"tenant_slug": world.tenant_a.slug})
    api_first = rest.get(api_url + "?page_size=5").json()
    assert api_first["next"], "the seeded tenant has more than a page"
    api_cursor = parse_qs(urlsplit(api_first["next"]).query)["cursor"][0]

    checked, failures = 0, []
    names = list(FILTERS)
    for values in itertools.product(*FILTERS.values()):
        chosen = {k: v for k, v in zip(names, values, strict=True) if v}
        for (web_from, web_to), (api_from, api_to) in TIMES:
            for paged in (False, True):
                web = dict(chosen)
                web.update({k: v for k, v in (("date_from", web_from), ("date_to", web_to)) if v})
                rest_query = dict(chosen)
                rest_query.update({k: v for k, v in (("from", api_from), ("to", api_to)) if v})
                if paged:
                    web["after"] = web_cursor
                    rest_query["cursor"] = api_cursor
                for label, caller, path, query in (
                    ("page", client, page_url, web),
                    ("api", rest, api_url, rest_query),
                ):
                    with CaptureQueriesContext(connection) as captured:
                        response = caller.get(path + "?" + urlencode(query))
                    assert response.status_code == 200, (label, query, response.content[:300])
                    sqls = _call_queries(captured)
                    assert sqls, (label, query)
                    for sql in sqls:
                        checked += 1
                        for problem in problems(sql):
                            failures.append(f"{label} {query}: {problem}")
    assert not failures, "\n".join(failures[:20])
    assert checked >= 2 * 16 * 4 * 2


def test_the_admin_list_is_bounded_for_a_tenant_and_any_filter(seeded, client):
    world = seeded
    client.force_login(world.sam, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("admin:portal_callrecord_changelist")
    tenant = {"tenant__id__exact": world.tenant_a.pk}
    queries = [
        {},
        tenant,
        {**tenant, "operator__id__exact": world.operator_o.pk},
        {**tenant, "direction__exact": "inbound", "call_type__exact": "user_out"},
        {**tenant, "is_emergency__exact": "1"},
        {**tenant, "quality__exact": "poor", "success__exact": "0"},
        {
            **tenant,
            "direction__exact": "inbound",
            "invite_time__gte": "2025-01-01 00:00:00+00:00",
            "invite_time__lt": "2026-01-01 00:00:00+00:00",
        },
    ]
    failures = []
    for query in queries:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url + "?" + urlencode(query))
        assert response.status_code == 200, query
        for sql in _call_queries(captured):
            failures += [f"{query}: {p}" for p in problems(sql, tenant=bool(query))]
    assert not failures, "\n".join(failures)
