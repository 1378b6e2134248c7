"""Access matrix rows of the operator portal's tenant pages and members (docs/operator.md).

Operator O's staff: oscar (analyst) and sam (platform staff, acts as admin). Uma works for
operator U, which no tenant chose: O's pages answer her 404, like the tenants' people.
"""

from tests.access.matrix import LOGIN, Row, everyone

JSON = "application/json"
OP = {"operator_slug": "operator-o"}
OP_A = {**OP, "tenant_slug": "contoso"}

O_READ = everyone(404, anonymous=LOGIN, oscar=200, sam=200)
API_O_READ = everyone(404, anonymous=401, oscar=200, sam=200)
# Admin-only pages of operator O: oscar is an analyst (403); sam acts as admin.
O_ADMIN = everyone(404, anonymous=LOGIN, oscar=403, sam=200)
O_ADMIN_POST = everyone(404, anonymous=LOGIN, oscar=403, sam=302)

API_O_ADMIN = everyone(404, anonymous=401, oscar=403, sam=200)


def _oscar_membership(w) -> dict:
    from portal.models import OperatorMembership

    return {**OP, "member_id": OperatorMembership.objects.get(user=w.oscar).public_id}


ROWS = [
    Row("operator:tenant", O_READ, kwargs=OP_A),
    Row("api:operator-tenant-detail", API_O_READ, kwargs=OP_A),
    Row("operator:members", O_ADMIN, kwargs=OP),
    Row("operator:member_invite", O_ADMIN, kwargs=OP),
    Row(
        "operator:member_invite",
        O_ADMIN_POST,
        kwargs=OP,
        method="post",
        data={"email": "new@operator-o.test", "role": "analyst"},
    ),
    Row(
        "operator:member_role",
        O_ADMIN_POST,
        kwargs=OP,
        method="post",
        data={"email": "oscar@operator-o.test", "role": "admin"},
    ),
    # without "confirm" the admin sees the confirmation page
    Row(
        "operator:member_remove",
        O_ADMIN,
        kwargs=OP,
        method="post",
        data={"email": "oscar@operator-o.test"},
    ),
    Row(
        "api:operator-member-detail",
        API_O_ADMIN,
        kwargs=_oscar_membership,
        method="patch",
        data={"role": "admin"},
        content_type=JSON,
    ),
]
