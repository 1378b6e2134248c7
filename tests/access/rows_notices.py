"""Access rows of the notice pages: public ones for everyone, tenant ones for members."""

from notices import cache as notice_cache
from notices.models import NoticeVersion
from notices.services import publish_notice
from tests.access.matrix import LOGIN, Row, everyone


def _published(world) -> dict:
    """Kwargs of tenant A, after making sure version 1 of its notice exists."""
    if not NoticeVersion.objects.for_tenant(world.tenant_a).exists():
        publish_notice(world.tenant_a, by=world.alice)
        notice_cache.invalidate_tenant(world.tenant_a.slug)  # on_commit never runs in a test
    return {"tenant_slug": world.tenant_a.slug}


def _version(world) -> dict:
    return {**_published(world), "number": 1}


def _tenant(world) -> dict:
    return {"tenant_slug": world.tenant_a.slug}


MEMBERS = {"alice": 200, "victor": 200, "sam": 200}
OUTSIDERS = {"anonymous": LOGIN, "bob": 404, "oscar": 404, "uma": 404}

ROWS = [
    # Public: no login for anyone.
    Row("public:notice", everyone(200), kwargs=_published),
    Row("public:version", everyone(200), kwargs=_version),
    Row("public:json", everyone(200), kwargs=_published),
    Row("public:notice", everyone(404), kwargs={"tenant_slug": "no-such-tenant"}),
    # Tenant B never published: a friendly 404, for everyone alike.
    Row("public:json", everyone(404), kwargs={"tenant_slug": "fabrikam"}),
    Row("public:notice", everyone(405), kwargs=_published, method="post"),
    # Tenant portal: members read; admins (and staff) write; others 404; anonymous → login.
    Row("notices:status", {**MEMBERS, **OUTSIDERS}, kwargs=_tenant),
    Row("notices:history", {**MEMBERS, **OUTSIDERS}, kwargs=_published),
    Row("notices:version", {**MEMBERS, **OUTSIDERS}, kwargs=_version),
    Row("notices:diff", {**MEMBERS, **OUTSIDERS}, kwargs=_published, query="a=1&b=1"),
    Row("notices:settings", {**MEMBERS, **OUTSIDERS}, kwargs=_tenant),
    Row(
        "notices:settings",
        {"alice": 302, "victor": 403, "sam": 302, **OUTSIDERS},
        kwargs=_tenant,
        method="post",
        data={"introduction": "Hello"},
    ),
    Row(
        "notices:publish",
        {"alice": 302, "victor": 403, "sam": 302, **OUTSIDERS},
        kwargs=_tenant,
        method="post",
        data={"note": ""},
    ),
    Row("notices:publish", {**OUTSIDERS, "alice": 405, "victor": 403, "sam": 405}, kwargs=_tenant),
]
