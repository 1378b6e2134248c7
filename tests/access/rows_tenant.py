"""Access rows for every page under /t/<tenant_slug>/ (tenant A is "contoso", B "fabrikam")."""

from portal.acknowledgements import ENABLE_TEXT
from portal.choices import CompanySize
from tests.access.matrix import LOGIN, Row
from tests.factories import PhoneNumberFactory


def on_a(status_member: int, status_viewer: int | None = None) -> dict[str, int]:
    """Tenant A: members and staff get ``status_member`` (viewer may differ), others 404."""
    return {
        "anonymous": LOGIN,
        "alice": status_member,
        "victor": status_member if status_viewer is None else status_viewer,
        "bob": 404,
        "oscar": 404,
        "uma": 404,
        "sam": status_member,
    }


READ = on_a(200)
WRITE_PAGE = on_a(200, 403)
WRITE_DONE = on_a(302, 403)


def a(**extra):
    return lambda w: {"tenant_slug": w.tenant_a.slug, **extra}


def b(**extra):
    return lambda w: {"tenant_slug": w.tenant_b.slug, **extra}


def _number(w) -> dict:
    number = PhoneNumberFactory(tenant=w.tenant_a, operator=w.operator_o, iso_country_code="GB")
    return {"tenant_slug": w.tenant_a.slug, "number": number.telephone_number}


ON_B = {"anonymous": LOGIN, "alice": 404, "victor": 404, "bob": 200, "oscar": 404, "uma": 404}

ROWS = [
    Row("tenant:dashboard", READ, kwargs=a()),
    Row("tenant:dashboard", {**ON_B, "sam": 200}, kwargs=b()),
    # Operator Connect: tenant B is still off, tenant A is on.
    Row("tenant:enable", {**ON_B, "sam": 200}, kwargs=b()),
    Row(
        "tenant:enable",
        {**ON_B, "bob": 302, "sam": 302},
        kwargs=b(),
        method="post",
        data={"acknowledged": "on", "text_version": ENABLE_TEXT.version},
    ),
    Row("tenant:enable", WRITE_DONE, kwargs=a()),  # already on → back to the dashboard
    Row("tenant:disable", WRITE_PAGE, kwargs=a()),
    Row("tenant:disable", WRITE_DONE, kwargs=a(), method="post", data={"confirm": "on"}),
    # directory
    Row("tenant:directory", READ, kwargs=a()),
    Row("tenant:directory", READ, kwargs=a(), query="q=operator&country=DE&service=calling"),
    Row("tenant:operator_detail", READ, kwargs=a(operator_slug="operator-u")),
    Row("tenant:operator_detail", on_a(404), kwargs=a(operator_slug="no-such-operator")),
    Row("tenant:assign", WRITE_PAGE, kwargs=a(operator_slug="operator-u")),
    Row(
        "tenant:assign",
        WRITE_DONE,
        kwargs=a(operator_slug="operator-u"),
        method="post",
        data={
            "countries": ["GB"],
            "contact_full_name": "Alice Admin",
            "contact_email": "alice@contoso.test",
            "company_size": CompanySize.S51_250,
            "contact_phone": "",
            "acknowledged": "on",
        },
    ),
    # my operators (operator O is assigned by A; operator U is not)
    Row("tenant:assignments", READ, kwargs=a()),
    Row("tenant:assignment_detail", READ, kwargs=a(operator_slug="operator-o")),
    Row("tenant:assignment_detail", on_a(404), kwargs=a(operator_slug="operator-u")),
    Row("tenant:assignment_countries", WRITE_PAGE, kwargs=a(operator_slug="operator-o")),
    Row(
        "tenant:assignment_countries",
        WRITE_DONE,
        kwargs=a(operator_slug="operator-o"),
        method="post",
        data={"countries": ["GB", "DE", "FR"]},
    ),
    Row("tenant:assignment_contact", WRITE_PAGE, kwargs=a(operator_slug="operator-o")),
    Row(
        "tenant:assignment_contact",
        WRITE_DONE,
        kwargs=a(operator_slug="operator-o"),
        method="post",
        data={
            "contact_full_name": "Victor Viewer",
            "contact_email": "victor@contoso.test",
            "company_size": CompanySize.S1_50,
            "contact_phone": "+49 30 901820",
        },
    ),
    Row("tenant:assignment_suspend", WRITE_PAGE, kwargs=a(operator_slug="operator-o")),
    Row(
        "tenant:assignment_suspend",
        WRITE_DONE,
        kwargs=a(operator_slug="operator-o"),
        method="post",
        data={"confirm": "on"},
    ),
    Row(
        "tenant:assignment_resume", WRITE_DONE, kwargs=a(operator_slug="operator-o"), method="post"
    ),
    Row("tenant:assignment_resume", on_a(405, 403), kwargs=a(operator_slug="operator-o")),
    Row("tenant:assignment_remove", WRITE_PAGE, kwargs=a(operator_slug="operator-o")),
    Row(
        "tenant:assignment_remove",
        WRITE_DONE,
        kwargs=a(operator_slug="operator-o"),
        method="post",
        data={"confirm": "on"},
    ),
    # data
    Row("tenant:numbers", READ, kwargs=a()),
    Row("tenant:numbers", READ, kwargs=a(), query="q=%2B44&status=UserAssigned&page=2"),
    Row("tenant:number_detail", READ, kwargs=_number),
    Row("tenant:number_detail", on_a(404), kwargs=a(number="+442079460999")),
    Row("tenant:locations", READ, kwargs=a()),
    Row("tenant:calls", READ, kwargs=a()),
    Row("tenant:calls", READ, kwargs=a(), query="direction=inbound&after=garbage"),
    # members
    Row("tenant:members", READ, kwargs=a()),
    Row("tenant:member_add", WRITE_PAGE, kwargs=a()),
    Row(
        "tenant:member_add",
        WRITE_DONE,
        kwargs=a(),
        method="post",
        data={"email": "new.person@contoso.test", "full_name": "New Person", "role": "viewer"},
    ),
    Row(
        "tenant:member_role",
        WRITE_DONE,
        kwargs=a(),
        method="post",
        data={"email": "victor@contoso.test", "role": "admin"},
    ),
    Row("tenant:member_role", on_a(405, 403), kwargs=a()),
    Row(
        "tenant:member_remove",
        WRITE_PAGE,  # without "confirm": the confirmation page
        kwargs=a(),
        method="post",
        data={"email": "victor@contoso.test"},
    ),
    Row(
        "tenant:member_remove",
        WRITE_DONE,
        kwargs=a(),
        method="post",
        data={"email": "victor@contoso.test", "confirm": "on"},
    ),
    Row("tenant:member_remove", on_a(405, 403), kwargs=a()),
    # audit
    Row("tenant:audit", READ, kwargs=a()),
    Row("tenant:audit", READ, kwargs=a(), query="action=assignment.added&date_from=2026-01-01"),
]
