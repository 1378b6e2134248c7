"""Access rows of the notice-law pages: the public diff and feed, the record of processing."""

from tests.access.matrix import Row, everyone
from tests.access.rows_notices import _published

ROWS = [
    # Public, no login: what changes between versions, and the feed of versions.
    Row("notices:public_diff", everyone(200), kwargs=_published, query="a=1&b=1"),
    Row("notices:public_diff", everyone(404), kwargs=_published, query="a=1&b=7"),
    Row("notices:public_diff", everyone(404), kwargs={"tenant_slug": "no-such-tenant"}),
    Row("notices:public_feed", everyone(200), kwargs=_published),
    Row("notices:public_feed", everyone(404), kwargs={"tenant_slug": "no-such-tenant"}),
    Row("notices:public_feed", everyone(405), kwargs=_published, method="post"),
]
