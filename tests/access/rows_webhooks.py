"""Access matrix rows of webhook endpoints (docs/operator.md "Webhooks").

Operator O's admins only: oscar (analyst) gets 403, sam (platform staff) acts as admin, and
everyone else — tenants' people, operator U's uma — gets 404 as if nothing were there.
"""

from tests.access.matrix import LOGIN, Row, everyone

JSON = "application/json"
OP = {"operator_slug": "operator-o"}

O_ADMIN = everyone(404, anonymous=LOGIN, oscar=403, sam=200)
O_ADMIN_POST = everyone(404, anonymous=LOGIN, oscar=403, sam=302)
API_O_ADMIN = everyone(404, anonymous=401, oscar=403, sam=200)
API_O_ADMIN_CREATE = everyone(404, anonymous=401, oscar=403, sam=201)
API_O_ADMIN_ACCEPTED = everyone(404, anonymous=401, oscar=403, sam=202)
API_O_ADMIN_DELETE = everyone(404, anonymous=401, oscar=403, sam=204)
URL = "https://hooks.operator-o.test/events"


def _endpoint(w) -> dict:
    from portal.services import webhooks

    endpoint, _secret = webhooks.create_endpoint(
        w.operator_o, by=w.olivia, url=URL, event_types=["export.succeeded"]
    )
    return {**OP, "endpoint_id": endpoint.public_id}


FORM = {"url": URL, "event_types": ["export.succeeded"]}

ROWS = [
    Row("operator:webhooks", O_ADMIN, kwargs=OP),
    Row("operator:webhook_new", O_ADMIN, kwargs=OP),
    Row("operator:webhook_new", O_ADMIN_POST, kwargs=OP, method="post", data=FORM),
    Row("operator:webhook", O_ADMIN, kwargs=_endpoint),
    Row("operator:webhook_test", O_ADMIN_POST, kwargs=_endpoint, method="post", data={}),
    Row("operator:webhook_rotate", O_ADMIN_POST, kwargs=_endpoint, method="post",
        data={}),
    Row("operator:webhook_active", O_ADMIN_POST, kwargs=_endpoint, method="post",
        data={"active": "false"}),
    # without "confirm" the admin sees the confirmation page
    Row("operator:webhook_delete", O_ADMIN, kwargs=_endpoint, method="post", data={}),
    Row("api:operator-webhook-list", API_O_ADMIN, kwargs=OP),
    Row("api:operator-webhook-list", API_O_ADMIN_CREATE, kwargs=OP, method="post",
        data={"url": URL, "event_types": ["export.failed"]}, content_type=JSON),
    Row("api:operator-webhook-detail", API_O_ADMIN, kwargs=_endpoint),
    Row("api:operator-webhook-detail", API_O_ADMIN, kwargs=_endpoint, method="patch",
        data={"description": "feed"}, content_type=JSON),
    Row("api:operator-webhook-detail", API_O_ADMIN_DELETE, kwargs=_endpoint, method="delete"),
    Row("api:operator-webhook-rotate", API_O_ADMIN, kwargs=_endpoint, method="post"),
    Row("api:operator-webhook-test", API_O_ADMIN_ACCEPTED, kwargs=_endpoint,
        method="post"),
]  # fmt: skip
