"""Access matrix rows of scheduled exports (docs/operator.md "Scheduled exports").

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
API_O_ADMIN_DELETE = everyone(404, anonymous=401, oscar=403, sam=204)


def _schedule(w) -> dict:
    from exports import schedules

    schedule = schedules.create_schedule(
        w.operator_o, by=w.olivia, name="Nightly", datasets=["call_records"], format="csv",
        cadence="daily", hour=2, tenant=w.tenant_a,
    )  # fmt: skip
    return {**OP, "schedule_id": schedule.pk}


FORM = {
    "name": "Nightly", "tenant": "contoso", "datasets": ["call_records"], "format": "csv",
    "cadence": "daily", "at": "02:00", "weekday": "0", "since": "now",
}  # fmt: skip
BODY = {"name": "Nightly", "datasets": ["call_records"], "format": "csv", "cadence": "hourly"}

ROWS = [
    Row("operator:schedules", O_ADMIN, kwargs=OP),
    Row("operator:schedule_new", O_ADMIN, kwargs=OP),
    Row("operator:schedule_new", O_ADMIN_POST, kwargs=OP, method="post", data=FORM),
    Row("operator:schedule", O_ADMIN, kwargs=_schedule),
    Row("operator:schedule_pause", O_ADMIN_POST, kwargs=_schedule, method="post",
        data={"paused": "true"}),
    Row("operator:schedule_run", O_ADMIN_POST, kwargs=_schedule, method="post", data={}),
    # without "confirm" the admin sees the confirmation page
    Row("operator:schedule_delete", O_ADMIN, kwargs=_schedule, method="post", data={}),
    Row("api:operator-schedule-list", API_O_ADMIN, kwargs=OP),
    Row("api:operator-schedule-list", API_O_ADMIN_CREATE, kwargs=OP, method="post", data=BODY,
        content_type=JSON),
    Row("api:operator-schedule-detail", API_O_ADMIN, kwargs=_schedule),
    Row("api:operator-schedule-detail", API_O_ADMIN, kwargs=_schedule, method="patch",
        data={"paused": True}, content_type=JSON),
    Row("api:operator-schedule-detail", API_O_ADMIN_DELETE, kwargs=_schedule, method="delete"),
    Row("api:operator-schedule-run", API_O_ADMIN_CREATE, kwargs=_schedule, method="post"),
]  # fmt: skip
