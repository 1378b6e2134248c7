"""Access rows of the notice-law pages: the public diff and feed, the record of processing."""

from tests.access.matrix import Row, everyone
from tests.access.rows_notices import OUTSIDERS, _published, _tenant

ROWS = [
    # Public, no login: what changes between versions, and the feed of versions.
    Row("public:diff", everyone(200), kwargs=_published, query="a=1&b=1"),
    Row("public:diff", everyone(404), kwargs=_published, query="a=1&b=7"),
    Row("public:diff", everyone(404), kwargs={"tenant_slug": "no-such-tenant"}),
    Row("public:feed", everyone(200), kwargs=_published),
    Row("public:feed", everyone(404), kwargs={"tenant_slug": "no-such-tenant"}),
    Row("public:feed", everyone(405), kwargs=_published, method="post"),
]

# Record of processing (GDPR Art. 30): tenant admins (and staff) only; viewers 403; others 404.
RECORD = {"alice": 200, "victor": 403, "sam": 200, **OUTSIDERS}
ROWS += [
    Row("notices:record", RECORD, kwargs=_tenant),
    Row("notices:record", RECORD, kwargs=_tenant, query="as_of=2026-01-31"),
    Row("notices:record_csv", RECORD, kwargs=_tenant),
    Row("notices:record_json", RECORD, kwargs=_tenant, query="as_of=2026-01-31"),
    Row(
        "notices:record_json",
        {**RECORD, "alice": 400, "sam": 400},
        kwargs=_tenant,
        query="as_of=yesterday",
    ),
]
