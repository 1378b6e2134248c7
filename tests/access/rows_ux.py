"""Access rows of issue 15's pages: one call record, the CSV downloads of what has been shared."""

from tests.access.matrix import LOGIN, Row
from tests.access.rows_tenant import READ, on_a
from tests.factories import CallRecordFactory


def _call_of_a(w) -> dict:
    record = CallRecordFactory(tenant=w.tenant_a, operator=w.operator_o)
    return {"tenant_slug": w.tenant_a.slug, "call_id": record.pk}


def _call_of_b_under_a(w) -> dict:
    """Tenant B's call addressed under tenant A's URL: nobody finds it there."""
    record = CallRecordFactory(tenant=w.tenant_b, operator=w.operator_o)
    return {"tenant_slug": w.tenant_a.slug, "call_id": record.pk}


ROWS = [
    Row("tenant:call_detail", READ, kwargs=_call_of_a),
    Row("tenant:call_detail", {**on_a(404), "anonymous": LOGIN}, kwargs=_call_of_b_under_a),
    Row("exports:tenant_shared", READ, kwargs={"tenant_slug": "contoso"}, query="csv=downloads"),
    Row("exports:tenant_shared", READ, kwargs={"tenant_slug": "contoso"}, query="csv=exports"),
    Row(
        "exports:tenant_shared",
        READ,
        kwargs={"tenant_slug": "contoso"},
        query="operator=operator-o&date_from=2026-01-01&page=2&dpage=9",
    ),
]
