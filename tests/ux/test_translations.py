"""Translations that cannot silently fail: compiled in Python, checked at start-up, complete."""

import io
import os
import re
import shutil
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote

import pytest
from django.core.management import call_command
from django.test import override_settings

from portal.translations import check_catalogues
from tests.factories import tell_users

# Words that only an English sentence strings together (German/French/Spanish text has none
# of these in pairs). Names of people, tenants and operators are not sentences.
ENGLISH = {
    "the", "is", "with", "and", "of", "no", "not", "yet", "since", "for", "your", "has", "been",
    "are", "this", "shared", "now", "nothing", "from", "until", "by", "all", "see", "what",
    "which", "their", "its", "you", "have", "records", "call", "notice", "sign", "out",
}  # fmt: skip


class _Text(HTMLParser):
    """Visible text nodes (no script/style), plus aria-label and title attributes. Text marked
    ``lang="en"`` inside a page in another language (audit sentences, recorded in English on
    purpose) is left out."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.nodes: list[str] = []
        self._open: list[bool] = []  # per open element: does it hide its text?

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            hidden = False
        else:
            hidden = tag in ("script", "style") or (tag != "html" and ("lang", "en") in attrs)
            self._open.append(hidden)
        if not any(self._open):
            for name, value in attrs:
                if name in ("aria-label", "title", "placeholder") and value:
                    self.nodes.append(value)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self._open:
            self._open.pop()

    def handle_data(self, data):
        if not any(self._open) and data.strip():
            self.nodes.append(" ".join(data.split()))


def english_sentences(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    found = []
    for node in parser.nodes:
        words = re.findall(r"[a-z]+", node.lower())
        if len([w for w in words if w in ENGLISH]) >= 2:
            found.append(node)
    return found


def test_the_detector_finds_english_sentences():
    assert english_sentences("<p>Nothing is shared with Operator O now.</p>")
    assert not english_sentences("<p>Mit Operator O wird derzeit nichts geteilt.</p>")


@pytest.fixture
def locale_copy(tmp_path, settings):
    """A copy of the project's catalogues, without any compiled .mo."""
    target = tmp_path / "locale"
    shutil.copytree(settings.LOCALE_PATHS[0], target, ignore=shutil.ignore_patterns("*.mo"))
    return target


def test_a_missing_catalogue_fails_the_start_up_check(locale_copy):
    with override_settings(LOCALE_PATHS=[locale_copy]):
        errors = check_catalogues()
    assert {e.id for e in errors} == {"portal.E100"}
    assert len(errors) == 3  # de, fr, es
    assert "de:" in " ".join(e.msg for e in errors)


def test_compile_translations_makes_the_check_pass_without_gettext(locale_copy, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no msgfmt to fall back on
    with override_settings(LOCALE_PATHS=[locale_copy]):
        call_command("compile_translations", stdout=io.StringIO())
        assert check_catalogues() == []
        # A .po edited after compiling is stale again.
        po = locale_copy / "de" / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        stamp = mo.stat().st_mtime
        os.utime(po, (stamp + 10, stamp + 10))
        errors = check_catalogues()
    assert [e.id for e in errors] == ["portal.E100"]
    assert "older than its .po" in errors[0].msg


@pytest.mark.django_db
def test_the_compiled_catalogue_is_the_one_django_serves(world, client):
    client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(f"/t/{world.tenant_a.slug}/?lang=de").content.decode()
    assert '<html lang="de">' in html
    assert "Übersicht" in html and "Meine Betreiber" in html


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["de", "fr", "es"])
def test_signed_in_dashboard_in_lang_has_no_english_sentence(world, client, lang):
    tell_users(world.tenant_a, world.alice)
    client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
    english = client.get(f"/t/{world.tenant_a.slug}/?lang=en").content.decode()
    assert english_sentences(english)  # the page does have sentences to translate
    response = client.get(f"/t/{world.tenant_a.slug}/?lang={lang}")
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert response["Content-Language"] == lang
    assert english_sentences(html) == []


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["de", "fr", "es"])
def test_public_notice_in_lang_has_no_english_sentence(world, client, lang):
    tell_users(world.tenant_a, world.alice)
    client.get("/notice/contoso/?lang=en")
    html = client.get(f"/notice/contoso/?lang={lang}").content.decode()
    assert f'lang="{lang}"' in html
    assert english_sentences(html) == []


@pytest.mark.django_db
def test_the_language_switcher_keeps_signed_in_pages_in_the_chosen_language(world, client):
    client.force_login(world.alice, backend="django.contrib.auth.backends.ModelBackend")
    page = f"/t/{world.tenant_a.slug}/"
    html = client.get(page).content.decode()
    assert 'action="/i18n/setlang/"' in html and 'name="language"' in html
    response = client.post("/i18n/setlang/", {"language": "fr", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    html = client.get(page).content.decode()
    assert '<html lang="fr">' in html and "Tableau de bord" in html


# --- every translated signed-in page, in every language -------------------------------------------

LANGS = ["de", "fr", "es"]


@pytest.fixture
def filled(world, tmp_path, settings):
    """Tenant A with numbers, call records and a finished export, so every string shows."""
    from datetime import timedelta

    from django.utils import timezone

    from exports import runner, services
    from notices.services import publish_notice
    from tests.factories import CallRecordFactory, EmergencyLocationFactory, PhoneNumberFactory

    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports"), "base_url": None},
        },
    }
    settings.VAR_DIR = tmp_path
    publish_notice(world.tenant_a, by=world.alice)
    location = EmergencyLocationFactory(tenant=world.tenant_a)
    number = PhoneNumberFactory(
        tenant=world.tenant_a, operator=world.operator_o, emergency_location=location
    )
    world.call = CallRecordFactory(
        tenant=world.tenant_a, operator=world.operator_o, is_emergency=True
    )
    CallRecordFactory(tenant=world.tenant_a, operator=world.operator_o, success=False)
    job, _ = services.request_export(
        tenant=world.tenant_a, operator=world.operator_o, by=world.oscar, via="operator",
        datasets=["call_records", "numbers"], start=timezone.now() - timedelta(days=2),
        end=timezone.now() + timedelta(hours=1), format="csv",
    )  # fmt: skip
    runner.run_export(job.pk)
    from portal.services.tokens import create_token

    create_token(world.oscar, name="nightly", scope="exports")
    world.job = job
    world.number = number
    # A schedule whose first run made an export, and an endpoint with a pending test delivery.
    from exports import schedules
    from portal.services import webhooks

    world.schedule = schedules.create_schedule(
        world.operator_o, by=world.olivia, name="Nightly", datasets=["call_records"],
        format="csv", cadence="weekly", hour=2, weekday=2, tenant=world.tenant_a,
        starts_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    for run in schedules.run_schedule(world.schedule.pk, manual=True, by=world.olivia):
        runner.run_export(run.export_id)
    world.endpoint, _secret = webhooks.create_endpoint(
        world.operator_o, by=world.olivia, url="https://hooks.operator-o.test/events",
        event_types=["export.succeeded"], description="Feed",
    )  # fmt: skip
    webhooks.send_test_event(world.endpoint, by=world.olivia)
    from exports.models import ExportSubject
    from portal.models import TenantDomain
    from privacy.subjects import NUMBER, subject_hash

    TenantDomain.objects.create(tenant=world.tenant_a, domain="contoso.test")  # SSO page's table
    # The export held the number (the access report and erasure review of a person). The
    # runner's own list of people is read on another connection, which sees no test data.
    ExportSubject.objects.create(
        export=job, tenant=world.tenant_a, kind=NUMBER, numbers=1, call_records=0,
        value_hash=subject_hash(NUMBER, number.telephone_number),
    )  # fmt: skip
    # A departed user the export held, erased (the erasure's result page).
    from privacy.erasure import erase_subject
    from privacy.subjects import UPN, parse_subject

    ExportSubject.objects.create(
        export=job, tenant=world.tenant_a, kind=UPN, numbers=0, call_records=1,
        value_hash=subject_hash(UPN, "gone@contoso.test"),
    )  # fmt: skip
    _, world.erasure = erase_subject(
        world.tenant_a, [parse_subject(upn="gone@contoso.test")], by=world.alice
    )
    # A second notice version (a data protection officer named): the notice history and diff.
    from notices.services import update_notice_settings

    update_notice_settings(
        world.tenant_a, by=world.alice, dpo_name="Dana Officer", dpo_email="dpo@contoso.example"
    )
    publish_notice(world.tenant_a, by=world.alice)
    return world


# (page, persona, URL) — the signed-in pages whose templates are translated.
PAGES = [
    ("tenant dashboard", "alice", lambda w: f"/t/{w.tenant_a.slug}/"),
    ("numbers", "alice", lambda w: f"/t/{w.tenant_a.slug}/numbers/"),
    ("call records", "alice", lambda w: f"/t/{w.tenant_a.slug}/call-records/"),
    ("tenant exports", "alice", lambda w: f"/t/{w.tenant_a.slug}/exports/"),
    ("tenant export detail", "alice", lambda w: f"/t/{w.tenant_a.slug}/exports/{w.job.pk}/"),
    ("operator home", "olivia", lambda w: f"/o/{w.operator_o.slug}/"),
    ("operator tenant page", "olivia", lambda w: f"/o/{w.operator_o.slug}/t/{w.tenant_a.slug}/"),
    ("operator exports", "oscar", lambda w: f"/o/{w.operator_o.slug}/exports/"),
    ("operator export detail", "oscar", lambda w: f"/o/{w.operator_o.slug}/exports/{w.job.pk}/"),
    ("API tokens", "oscar", lambda w: "/account/tokens/"),
    ("tenant members", "alice", lambda w: f"/t/{w.tenant_a.slug}/members/"),
    ("operator members", "olivia", lambda w: f"/o/{w.operator_o.slug}/members/"),
    ("sign-in security", "oscar", lambda w: "/account/security/"),
    ("profile", "alice", lambda w: "/accounts/profile/"),
    ("my operators", "alice", lambda w: f"/t/{w.tenant_a.slug}/operators/"),
    ("tenant export request", "alice", lambda w: f"/t/{w.tenant_a.slug}/exports/new/"),
    ("operator export request", "oscar", lambda w: f"/o/{w.operator_o.slug}/exports/new/"),
    ("what has been shared", "alice", lambda w: f"/t/{w.tenant_a.slug}/exports/shared/"),
    ("call record", "alice", lambda w: f"/t/{w.tenant_a.slug}/call-records/{w.call.pk}/"),
    (
        "phone number",
        "alice",
        lambda w: f"/t/{w.tenant_a.slug}/numbers/{w.number.telephone_number}/",
    ),
    ("emergency locations", "alice", lambda w: f"/t/{w.tenant_a.slug}/emergency-locations/"),
    ("assignment", "alice", lambda w: f"/t/{w.tenant_a.slug}/operators/{w.operator_o.slug}/"),
    ("operator directory", "alice", lambda w: f"/t/{w.tenant_a.slug}/directory/"),
    ("directory entry", "alice", lambda w: f"/t/{w.tenant_a.slug}/directory/{w.operator_o.slug}/"),
    ("add a member", "alice", lambda w: f"/t/{w.tenant_a.slug}/members/add/"),
    ("invite an operator member", "olivia", lambda w: f"/o/{w.operator_o.slug}/members/invite/"),
    (
        "change countries",
        "alice",
        lambda w: f"/t/{w.tenant_a.slug}/operators/{w.operator_o.slug}/countries/",
    ),
    (
        "change contact",
        "alice",
        lambda w: f"/t/{w.tenant_a.slug}/operators/{w.operator_o.slug}/contact/",
    ),
    ("suspend", "alice", lambda w: f"/t/{w.tenant_a.slug}/operators/{w.operator_o.slug}/suspend/"),
    (
        "remove an operator",
        "alice",
        lambda w: f"/t/{w.tenant_a.slug}/operators/{w.operator_o.slug}/remove/",
    ),
    ("sign-in policy", "alice", lambda w: f"/t/{w.tenant_a.slug}/security/"),
    ("add an authenticator app", "alice", lambda w: "/account/security/app/"),
    ("operator schedules", "olivia", lambda w: f"/o/{w.operator_o.slug}/schedules/"),
    ("new schedule", "olivia", lambda w: f"/o/{w.operator_o.slug}/schedules/new/"),
    ("schedule", "olivia", lambda w: f"/o/{w.operator_o.slug}/schedules/{w.schedule.pk}/"),
    ("operator webhooks", "olivia", lambda w: f"/o/{w.operator_o.slug}/webhooks/"),
    ("register a webhook endpoint", "olivia", lambda w: f"/o/{w.operator_o.slug}/webhooks/new/"),
    (
        "webhook endpoint",
        "olivia",
        lambda w: f"/o/{w.operator_o.slug}/webhooks/{w.endpoint.public_id}/",
    ),
    # Tenant B has Operator Connect off; Operator U is not one of tenant A's operators.
    ("enable Operator Connect", "bob", lambda w: f"/t/{w.tenant_b.slug}/operator-connect/enable/"),
    (
        "disable Operator Connect",
        "alice",
        lambda w: f"/t/{w.tenant_a.slug}/operator-connect/disable/",
    ),
    (
        "add an operator",
        "alice",
        lambda w: f"/t/{w.tenant_a.slug}/directory/{w.operator_u.slug}/add/",
    ),
    ("single sign-on", "alice", lambda w: f"/t/{w.tenant_a.slug}/settings/sso/"),
    ("change your password", "alice", lambda w: "/accounts/password_change/"),
    ("password changed", "alice", lambda w: "/accounts/password_change/done/"),
    ("access report", "alice", lambda w: f"/t/{w.tenant_a.slug}/privacy/access/"),
    # The filled world's phone number, held in its finished export.
    (
        "access report of a person",
        "alice",
        lambda w: f"/t/{w.tenant_a.slug}/privacy/access/?number={quote(w.number.telephone_number)}",
    ),
    (
        "printable access report",
        "alice",
        lambda w: (
            f"/t/{w.tenant_a.slug}/privacy/access/print/?number={quote(w.number.telephone_number)}"
        ),
    ),
    ("erase a user's data", "alice", lambda w: f"/t/{w.tenant_a.slug}/privacy/erase/"),
    (
        "review an erasure",
        "alice",
        lambda w: f"/t/{w.tenant_a.slug}/privacy/erase/?number={quote(w.number.telephone_number)}",
    ),
    ("erasure done", "alice", lambda w: f"/t/{w.tenant_a.slug}/privacy/erase/?done={w.erasure.pk}"),
    ("retention", "alice", lambda w: f"/t/{w.tenant_a.slug}/privacy/retention/"),
    ("notice status", "alice", lambda w: f"/t/{w.tenant_a.slug}/notice/"),
    ("notice history", "alice", lambda w: f"/t/{w.tenant_a.slug}/notice/history/"),
    ("notice version", "alice", lambda w: f"/t/{w.tenant_a.slug}/notice/v/1/"),
    ("notice diff", "alice", lambda w: f"/t/{w.tenant_a.slug}/notice/diff/?a=1&b=2"),
    ("notice settings", "alice", lambda w: f"/t/{w.tenant_a.slug}/notice/settings/"),
    ("notice settings, read only", "victor", lambda w: f"/t/{w.tenant_a.slug}/notice/settings/"),
    ("record of processing", "alice", lambda w: f"/t/{w.tenant_a.slug}/record/"),
]


# Python modules whose strings (labels, choices, titles) those pages show.
PY_SOURCES = [
    "portal/choices.py", "exports/choices.py", "control/forms.py", "control/tenant/data.py",
    "control/export_forms.py", "portal/mfa/policy.py", "control/tenant/exports.py",
    "control/tenant/call_detail.py", "control/account/mfa.py", "control/tenant/security.py",
    "control/sso_forms.py", "control/account/sso.py", "control/tenant/operator_connect.py",
    "control/tenant/directory.py", "control/tenant/privacy_forms.py", "control/tenant/privacy.py", "control/tenant/notice_forms.py",
    "control/tenant/notice.py", "control/tenant/record.py", "notices/choices.py",
    "exports/models.py", "control/operator/schedules.py", "control/operator/webhooks.py",
]  # fmt: skip


def _visible(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes


def _left_in_english(english: str, translated: str, msgids: list[str], lang: str) -> list[str]:
    """Msgids of the page shown in English that still show, untranslated, in ``lang``.

    A msgid of one or two words counts only as a whole text node (names such as "Operator O"
    or "Alice Admin" contain such words); a longer one anywhere in a node.
    """
    from django.utils import translation

    def shows(msgid: str, nodes: list[str]) -> bool:
        if len(msgid.split()) <= 2:
            return any(node.strip(" .:·—") == msgid for node in nodes)
        return any(msgid in node for node in nodes)

    shown, now = _visible(english), _visible(translated)
    left = []
    for msgid in msgids:
        if "%(" in msgid or not shows(msgid, shown):
            continue
        with translation.override(lang):
            if translation.gettext(msgid) == msgid:  # the same word in both ("Type", "Pages")
                continue
        if shows(msgid, now) and msgid not in left:
            left.append(msgid)
    return left


def _assert_translated(english, response, lang: str, *, page: str = "", py_sources=()) -> None:
    """What every translated page must pass, given its English answer and its answer in ``lang``.

    Every msgid of its templates (and of ``py_sources``, the modules whose labels it shows) has a
    translation, none of those shown in English is left in English, and no English sentence
    remains. With ``page``, its templates must mark something for translation.
    """
    from pathlib import Path

    from django.conf import settings

    from portal.translations import template_messages, untranslated

    templates = sorted(
        {Path(t.origin.name) for t in english.templates if t.origin and t.origin.name}
        & {p for p in Path(settings.BASE_DIR, "templates").rglob("*.html")}
    )
    modules = [Path(settings.BASE_DIR, p) for p in py_sources]
    msgids = [m for t in templates for m in template_messages(t)]
    if page:
        assert msgids, f"{page}: no template of the page is marked for translation"
    msgids += [m for p in modules for m in template_messages(p)]
    assert untranslated(templates + modules).get(lang, []) == []  # every msgid is translated
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert _left_in_english(english.content.decode(), html, msgids, lang) == []
    # Nor any English sentence from elsewhere (a file name such as call_records.csv is none).
    assert [n for n in english_sentences(html) if " " in n] == []


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("page", "persona", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_signed_in_page_has_no_catalogue_message_left_in_english(
    filled, client, page, persona, url, lang
):
    client.force_login(getattr(filled, persona))
    path, _, query = url(filled).partition("?")  # a row's own query (?number=…) stays
    params = dict(parse_qsl(query))
    english = client.get(path, {**params, "lang": "en"})
    assert english.status_code == 200
    response = client.get(path, {**params, "lang": lang})
    assert response.status_code == 200
    _assert_translated(english, response, lang, page=page, py_sources=PY_SOURCES)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Victor Viewer is now admin."),
        ("de", "Victor Viewer ist jetzt Administrator."),
        ("fr", "Victor Viewer est désormais administrateur."),
        ("es", "Victor Viewer es ahora administrador."),
    ],
)
def test_a_confirmation_message_is_in_the_chosen_language(world, client, lang, expected):
    client.force_login(world.alice)
    client.post("/i18n/setlang/", {"language": lang, "next": "/"})
    response = client.post(
        f"/t/{world.tenant_a.slug}/members/role/",
        {"email": "victor@contoso.test", "role": "admin"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [expected]


# --- sign-in and password pages, for a visitor who is not signed in -----------------------------


def _locked_out(client, lang):
    """Wrong passwords until the account is blocked: the lockout page."""
    for _ in range(10):
        response = client.post(
            f"/accounts/login/?lang={lang}",
            {"username": "alice@contoso.test", "password": "wrong-password"},
        )
        if response.status_code == 429:
            return response
    raise AssertionError("never locked out")


def _contoso_signs_in_with_sso():
    """Tenant A with an identity provider (never asked here) and its verified domain."""
    from portal.models import Tenant, TenantDomain, TenantSSO

    tenant = Tenant.objects.get(slug="contoso")
    TenantSSO.objects.get_or_create(
        tenant=tenant,
        defaults={"issuer": "https://idp.contoso.invalid", "client_id": "portal", "enabled": True},
    )
    TenantDomain.objects.get_or_create(tenant=tenant, domain="contoso.test", verified=True)


def _sso_continue(client, lang):
    _contoso_signs_in_with_sso()
    return client.post(f"/accounts/sso/?lang={lang}", {"email": "anna@contoso.test"})


def _sso_refused(client, lang):
    """The provider cannot be reached: refused (the reason is the service's, in English, marked
    lang="en")."""
    _contoso_signs_in_with_sso()
    return client.get("/accounts/sso/contoso/", {"lang": lang})


# (page, request made by the test client in a language) — sign-in and password pages.
SIGN_IN_PAGES = [
    ("sign in", lambda c, lang: c.get("/accounts/login/", {"lang": lang})),
    (
        "sign in, not an e-mail address",
        lambda c, lang: c.post(
            f"/accounts/login/?lang={lang}", {"username": "alice", "password": "wrong-password"}
        ),
    ),
    (
        "sign in, wrong password",
        lambda c, lang: c.post(
            f"/accounts/login/?lang={lang}",
            {"username": "alice@contoso.test", "password": "wrong-password"},
        ),
    ),
    ("locked out", _locked_out),
    ("reset your password", lambda c, lang: c.get("/accounts/password_reset/", {"lang": lang})),
    ("check your e-mail", lambda c, lang: c.get("/accounts/password_reset/done/", {"lang": lang})),
    (
        "invalid reset link",
        lambda c, lang: c.get("/accounts/reset/MQ/set-password/", {"lang": lang}),
    ),
    ("password set", lambda c, lang: c.get("/accounts/reset/done/", {"lang": lang})),
    ("sign in with your organization", lambda c, lang: c.get("/accounts/sso/", {"lang": lang})),
    (
        "no organization for this address",
        lambda c, lang: c.post(f"/accounts/sso/?lang={lang}", {"email": "nobody@example.test"}),
    ),
    ("continue to the organization's sign-in", _sso_continue),
    ("single sign-on refused", _sso_refused),
]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("page", "fetch"), SIGN_IN_PAGES, ids=[p[0] for p in SIGN_IN_PAGES])
def test_sign_in_page_has_no_catalogue_message_left_in_english(world, client, page, fetch, lang):
    english = fetch(client, "en")
    assert english.status_code in (200, 429, 502)
    response = fetch(client, lang)
    assert response.status_code == english.status_code
    _assert_translated(english, response, lang, py_sources=["control/forms.py"])


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
def test_the_password_reset_e_mail_is_in_the_chosen_language(world, client, lang):
    from django.core import mail

    for asked in ("en", lang):
        client.post(f"/accounts/password_reset/?lang={asked}", {"email": "alice@contoso.test"})
    english, message = mail.outbox
    assert message.subject != english.subject
    assert message.body.strip().splitlines()[-1] != english.body.strip().splitlines()[-1]
    lines = [line for line in message.body.splitlines() if " " in line]
    assert len(lines) == 4  # greeting, why, where, what if not
    assert [line for line in lines if english_sentences(f"<p>{line}</p>")] == []
    assert len([line for line in english.body.splitlines() if english_sentences(line)]) == 2


# Confirmation pages a POST without "confirm" shows: (page, persona, URL, form data).
CONFIRMATIONS = [
    (
        "delete a schedule",
        "olivia",
        lambda w: f"/o/{w.operator_o.slug}/schedules/{w.schedule.pk}/delete/",
        lambda w: {},
    ),
    (
        "delete a webhook endpoint",
        "olivia",
        lambda w: f"/o/{w.operator_o.slug}/webhooks/{w.endpoint.public_id}/delete/",
        lambda w: {},
    ),
    (
        "remove an operator member",
        "olivia",
        lambda w: f"/o/{w.operator_o.slug}/members/remove/",
        lambda w: {"email": w.oscar.email},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("page", "persona", "url", "data"), CONFIRMATIONS, ids=[p[0] for p in CONFIRMATIONS]
)
def test_confirmation_page_has_no_catalogue_message_left_in_english(
    filled, client, page, persona, url, data, lang
):
    client.force_login(getattr(filled, persona))
    path = url(filled)
    english = client.post(f"{path}?lang=en", data(filled))
    assert english.status_code == 200
    response = client.post(f"{path}?lang={lang}", data(filled))
    assert response.status_code == 200
    _assert_translated(english, response, lang, page=page)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
def test_the_file_unavailable_page_is_translated_and_marks_the_reason_english(filled, client, lang):
    """A refused download (410 here: sharing suspended) in the viewer's language; the reason is
    the service's English sentence, marked ``lang="en"`` (DomainError texts stay English)."""
    from portal.services import suspend_assignment

    suspend_assignment(filled.assignment, by=filled.alice)
    client.force_login(filled.oscar)
    path = f"/o/{filled.operator_o.slug}/exports/{filled.job.pk}/download/"
    english = client.get(path, {"lang": "en"})
    assert english.status_code == 410
    assert "This file is not available" in english.content.decode()
    response = client.get(path, {"lang": lang})
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert '<p lang="en">Contoso has suspended sharing with Operator O.</p>' in html
    assert "This file is not available" not in html
    assert [n for n in english_sentences(html) if " " in n] == []
