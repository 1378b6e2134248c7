"""Access rows for single sign-on: the tenant's settings (admins only) and the sign-in pages
(public; a tenant without SSO answers 404 like one that does not exist)."""

from portal.models import TenantDomain
from tests.access.matrix import LOGIN, Row, everyone
from tests.access.rows_tenant import WRITE_DONE, WRITE_PAGE, a


def _domain(w) -> dict:
    TenantDomain.objects.create(tenant=w.tenant_a, domain="contoso.test")
    return {"tenant_slug": w.tenant_a.slug}


# Saved with SSO off: nothing is fetched from the provider.
SETTINGS = {
    "issuer": "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
    "client_id": "11111111-1111-1111-1111-111111111111",
    "client_secret": "a-secret",
}
ON_B_ADMIN = {"anonymous": LOGIN, "alice": 404, "victor": 404, "bob": 200, "oscar": 404}

ROWS = [
    Row("tenant:sso", WRITE_PAGE, kwargs=a()),
    Row(
        "tenant:sso",
        {**ON_B_ADMIN, "uma": 404, "sam": 200},
        kwargs=lambda w: {"tenant_slug": "fabrikam"},
    ),
    Row("tenant:sso", WRITE_DONE, kwargs=a(), method="post", data=SETTINGS),
    Row(
        "tenant:sso_domain_add",
        WRITE_DONE,
        kwargs=a(),
        method="post",
        data={"domain": "contoso.test"},
    ),
    Row(
        "tenant:sso_domain_add",
        everyone(405, anonymous=LOGIN, bob=404, oscar=404, uma=404, victor=403),
        kwargs=a(),
    ),
    Row(
        "tenant:sso_domain_remove",
        WRITE_DONE,
        kwargs=_domain,
        method="post",
        data={"domain": "contoso.test"},
    ),
    # Anyone may look for their organization's provider; signed-in people are sent home.
    Row("sso_discover", everyone(302, anonymous=200)),
    Row(
        "sso_discover",
        everyone(302, anonymous=200),
        method="post",
        data={"email": "x@nowhere.test"},
    ),
    # Tenant A has no SSO: start and callback answer 404 for everyone.
    Row("sso_start", everyone(404), kwargs=a()),
    Row("sso_callback", everyone(404), kwargs=a(), query="code=x&state=y"),
]
