"""Access matrix of the REST API (``/api/v1/``), session-authenticated.

Anonymous → 401 (the Bearer scheme is advertised in ``WWW-Authenticate``). Outside the caller's
scope → 404 exactly like a missing object (I1); inside it with too small a role → 403.
"""

from datetime import UTC, datetime

from portal.models import Membership, OperatorMembership
from tests.access.matrix import Row, everyone

JSON = "application/json"
A = {"tenant_slug": "contoso"}
A_O = {"tenant_slug": "contoso", "operator_slug": "operator-o"}
OP = {"operator_slug": "operator-o"}

# Tenant A's data: its members read (viewers too), nobody else sees it exists.
A_READ = everyone(404, anonymous=401, alice=200, victor=200, sam=200)
# Tenant A's configuration: admins write, viewers are refused.
A_WRITE = everyone(404, anonymous=401, alice=200, victor=403, sam=200)
STAFF_ONLY = everyone(403, anonymous=401, sam=200)
# Operator O's own: its staff (oscar) and platform staff.
O_READ = everyone(404, anonymous=401, oscar=200, sam=200)
# Operator O's admin tasks: oscar is an analyst (403); olivia, its admin, is tested separately.
O_ADMIN = everyone(404, anonymous=401, oscar=403, sam=200)


def _victor_membership(w) -> dict:
    return {**A, "member_id": Membership.objects.get(user=w.victor, tenant=w.tenant_a).public_id}


def _oscar_membership(w) -> dict:
    return {**OP, "member_id": OperatorMembership.objects.get(user=w.oscar).public_id}


NEW_OPERATOR = {
    "name": "Operator N",
    "slug": "operator-n",
    "privacy_policy_url": "https://operator-n.example/privacy",
    "terms_url": "https://operator-n.example/terms",
    "countries": ["GB"],
}
NEW_TENANT = {"name": "Northwind", "slug": "northwind", "country": "US"}
NEW_ASSIGNMENT = {
    "operator": "operator-u",
    "countries": ["GB"],
    "contact_full_name": "Alice Admin",
    "contact_email": "alice@contoso.test",
    "company_size": "251-1000",
    "acknowledged": True,
}


def created(expect: dict[str, int]) -> dict[str, int]:
    return {p: 201 if s == 200 else s for p, s in expect.items()}


def deleted(expect: dict[str, int]) -> dict[str, int]:
    return {p: 204 if s == 200 else s for p, s in expect.items()}


ROWS = [
    Row("api:me", everyone(200, anonymous=401)),
    # operator directory
    Row("api:operator-list", everyone(200, anonymous=401)),
    Row("api:operator-list", created(STAFF_ONLY), method="post", data=NEW_OPERATOR,
        content_type=JSON),
    Row("api:operator-detail", everyone(200, anonymous=401), kwargs=OP),
    Row("api:operator-detail", STAFF_ONLY, kwargs=OP, method="patch",
        data={"description": "Carrier"}, content_type=JSON),
    # operator members and consents
    Row("api:operator-member-list", O_ADMIN, kwargs=OP),
    Row("api:operator-member-list", created(O_ADMIN), kwargs=OP, method="post",
        data={"email": "new@operator-o.test", "role": "analyst"}, content_type=JSON),
    Row("api:operator-member-detail", deleted(O_ADMIN), kwargs=_oscar_membership,
        method="delete"),
    Row("api:consent-list", O_READ, kwargs=OP),
    Row("api:consent-status", O_ADMIN, kwargs={**OP, "tenant_slug": "contoso"}, method="post",
        data={"status": "agreement_signed"}, content_type=JSON),
    # tenants
    Row("api:tenant-list", everyone(200, anonymous=401)),
    Row("api:tenant-list", created(STAFF_ONLY), method="post", data=NEW_TENANT,
        content_type=JSON),
    Row("api:tenant-detail", A_READ, kwargs=A),
    Row("api:tenant-detail", A_WRITE, kwargs=A, method="patch",
        data={"privacy_contact_name": "DPO"}, content_type=JSON),
    Row("api:operator-connect-enable",
        everyone(404, anonymous=401, bob=200, sam=200), kwargs={"tenant_slug": "fabrikam"},
        method="post", data={"acknowledged": True}, content_type=JSON),
    Row("api:operator-connect-disable", A_WRITE, kwargs=A, method="post"),
    # assignments
    Row("api:assignment-list", A_READ, kwargs=A),
    Row("api:assignment-list", created(A_WRITE), kwargs=A, method="post", data=NEW_ASSIGNMENT,
        content_type=JSON),
    Row("api:assignment-detail", A_READ, kwargs=A_O),
    Row("api:assignment-detail", A_WRITE, kwargs=A_O, method="patch",
        data={"contact_full_name": "Anna Admin"}, content_type=JSON),
    Row("api:assignment-suspend", A_WRITE, kwargs=A_O, method="post"),
    # The world's assignment is active: resuming it is a conflict for those allowed to try.
    Row("api:assignment-resume", everyone(404, anonymous=401, alice=409, victor=403, sam=409),
        kwargs=A_O, method="post"),
    Row("api:assignment-remove", A_WRITE, kwargs=A_O, method="post"),
    # members
    Row("api:member-list", A_READ, kwargs=A),
    Row("api:member-list", created(A_WRITE), kwargs=A, method="post",
        data={"email": "new@contoso.test", "role": "viewer"}, content_type=JSON),
    Row("api:member-detail", A_WRITE, kwargs=_victor_membership, method="patch",
        data={"role": "admin"}, content_type=JSON),
    Row("api:member-detail", deleted(A_WRITE), kwargs=_victor_membership, method="delete"),
    # data
    Row("api:number-list", A_READ, kwargs=A),
    Row("api:call-record-list", A_READ, kwargs=A),
    Row("api:emergency-location-list", A_READ, kwargs=A),
    Row("api:audit-event-list", A_READ, kwargs=A),
]  # fmt: skip

# the privacy notice
ROWS += [
    Row("api:notice-status", A_READ, kwargs=A),
    Row("api:notice-version-list", A_READ, kwargs=A),
    # No version published in the world: members get the same 404 as a missing one.
    Row("api:notice-version-detail", everyone(404, anonymous=401), kwargs={**A, "number": 1}),
    Row("api:notice-publish", created(A_WRITE), kwargs=A, method="post", content_type=JSON),
]


# export jobs: a job oscar (operator O) queued for contoso
def _published(w) -> None:
    from notices.services import publish_notice

    publish_notice(w.tenant_a, by=w.alice)


def _export_request(w) -> dict:
    _published(w)
    return {
        "tenant": "contoso",
        "operator": "operator-o",
        "datasets": ["numbers"],
        "start": "2026-01-01T00:00:00Z",
        "end": "2026-02-01T00:00:00Z",
    }


def _oscar_job(w) -> dict:
    from exports.permissions import VIA_OPERATOR
    from exports.services import request_export

    _export_request(w)
    job, _ = request_export(
        tenant=w.tenant_a, operator=w.operator_o, by=w.oscar, via=VIA_OPERATOR,
        datasets=["numbers"], start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 2, 1, tzinfo=UTC), format="csv",
    )  # fmt: skip
    return {"job_id": job.pk}


# Both sides of the relationship see the job; other tenants and operators get 404.
JOB_READ = everyone(404, anonymous=401, alice=200, victor=200, oscar=200, sam=200)

ROWS += [
    Row("api:export-list", everyone(200, anonymous=401)),
    # Outsiders name a tenant they can't see: 404, like a tenant that does not exist.
    Row("api:export-list", everyone(202, anonymous=401, victor=403, bob=404, uma=404),
        method="post", data=_export_request, content_type=JSON),
    Row("api:export-detail", JOB_READ, kwargs=_oscar_job),
    # Queued: those who may see it learn it is not ready (409), others get 404.
    Row("api:export-download", {**JOB_READ, **{p: 409 for p in ("alice", "victor", "oscar", "sam")}},
        kwargs=_oscar_job),
    Row("api:export-cancel", {**JOB_READ, "alice": 403, "victor": 403}, kwargs=_oscar_job,
        method="post"),
]  # fmt: skip

# staff ingestion (an NDJSON body with no rows: valid, nothing to write)
INGEST = "application/x-ndjson"
ROWS += [
    Row(f"api:ingest-{kind}", STAFF_ONLY, method="post", data=b"\n", content_type=INGEST)
    for kind in ("numbers", "call-records", "emergency-locations")
]
