"""Access rows of the data-subject pages (docs/privacy.md): tenant admins and staff only;
viewers 403; anyone outside tenant A 404 (I1)."""

from tests.access.matrix import Row, everyone
from tests.access.rows_api import A
from tests.access.rows_tenant import a, on_a

ADMIN_PAGE = on_a(200, 403)
NUMBER = "number=%2B442079460010"

ROWS = [
    Row("privacy:access", ADMIN_PAGE, kwargs=a()),
    Row("privacy:access", ADMIN_PAGE, kwargs=a(), query=NUMBER),
    Row("privacy:access_print", ADMIN_PAGE, kwargs=a(), query="upn=anna%40contoso.test"),
    Row("privacy:retention", ADMIN_PAGE, kwargs=a()),
    Row("privacy:retention", on_a(302, 403), kwargs=a(), method="post", data={"days": "200"}),
    Row("privacy:erase", ADMIN_PAGE, kwargs=a()),
    Row("privacy:erase", ADMIN_PAGE, kwargs=a(), query=NUMBER),
    # Erasing needs a recent second factor: signed-in admins are sent to verify first.
    Row("privacy:erase", on_a(302, 403), kwargs=a(), method="post",
        data={"number": "+442079460010", "confirm_number": "+442079460010"}),
    # The API: tenant admins (and staff) only, viewers 403, everyone else 404.
    Row("api:privacy-access-report", everyone(404, anonymous=401, alice=200, victor=403, sam=200),
        kwargs=A, query=NUMBER),
    Row("api:privacy-access-report", everyone(404, anonymous=401, alice=400, victor=403, sam=400),
        kwargs=A),
]  # fmt: skip
