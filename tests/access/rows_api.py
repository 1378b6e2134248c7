"""Access matrix of the REST API (``/api/v1/``), session-authenticated.

Anonymous → 401 (the Bearer scheme is advertised in ``WWW-Authenticate``). Outside the caller's
scope → 404 exactly like a missing object (I1); inside it with too small a role → 403.
"""

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
    return {**A, "member_id": Membership.objects.get(user=w.victor, tenant=w.tenant_a).pk}


def _oscar_membership(w) -> dict:
    return {**OP, "member_id": OperatorMembership.objects.get(user=w.oscar).pk}


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
    Row("api:consent-status", O_READ, kwargs={**OP, "tenant_slug": "contoso"}, method="post",
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
    Row("api:notice-publish", created(A_WRITE), kwargs=A, method="post"),
]
