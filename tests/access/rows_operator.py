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

ROWS = [
    Row("exports:operator_tenant", O_READ, kwargs=OP_A),
    Row("api:operator-tenant-detail", API_O_READ, kwargs=OP_A),
]
