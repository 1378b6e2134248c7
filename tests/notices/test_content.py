"""Generated content: complete in every language, naming exactly the operators receiving data."""

import re

import pytest
from django.utils import translation

from notices.content import CATEGORIES, MICROSOFT_PRIVACY_URL, PURPOSE, build_configuration
from notices.services import notice_status
from portal import services
from tests.notices.conftest import publish

LANGS = ["en", "de", "fr", "es"]

# Fixed sentences every language must carry (msgids; compared after translation).
REQUIRED = [
    "Operators will be able to export and download the information listed above.",
    "Microsoft is the controller of the personal data it processes in connection with "
    "Operator Connect.",
    "This information will be handled by each operator in accordance with that operator's own "
    "privacy practices. For more information, refer to the operator's privacy policy and terms "
    "of use linked above.",
    "Information Microsoft shares with the operator when you use Operator Connect includes:",
    "In short",
]

ENGLISH_CATEGORY_WORDS = [
    "SIP URI",
    "call invite and end times",
    "certain caller identifiers",
    "call duration",
    "IP addresses and operating systems",
    "Emergency calling location",
]


def _html_text(html: str) -> str:
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _links(html: str) -> dict[str, str]:
    """href → link text of every link in the body."""
    return {
        href: " ".join(re.sub(r"<[^>]+>", "", text).split())
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)
    }


def _check_required(html: str, lang: str, operators) -> None:
    text = _html_text(html)
    with translation.override(lang):
        for sentence in REQUIRED:
            translated = translation.gettext(sentence)
            if lang != "en":
                assert translated != sentence, f"{lang}: no translation for {sentence!r}"
            assert " ".join(translated.split()) in text, f"{lang}: missing {translated!r}"
        for category in CATEGORIES:
            assert str(category["text"]) in text
            assert str(category["title"]) in text
        assert str(PURPOSE) in text
        links = _links(html)
        assert MICROSOFT_PRIVACY_URL.replace("&", "&amp;") in html or MICROSOFT_PRIVACY_URL in links
        for op in operators:
            privacy = translation.gettext("%(operator)s privacy policy") % {"operator": op.name}
            terms = translation.gettext("%(operator)s terms of use") % {"operator": op.name}
            assert links[op.privacy_policy_url] == privacy
            assert links[op.terms_url] == terms
            assert op.name in links[op.privacy_policy_url]
    assert "privacy@contoso.example" in text or "dpo@contoso.example" in text


@pytest.mark.parametrize("lang", LANGS)
def test_english_text_spells_out_the_three_categories(world, lang):
    version = publish(world.tenant_a, world.alice)
    english = _html_text(version.content["en"])
    for words in ENGLISH_CATEGORY_WORDS:
        assert words in english
    assert set(version.content) == set(LANGS)
    assert version.content[lang] != "" and (lang == "en" or version.content[lang] != english)


@pytest.mark.parametrize("lang", LANGS)
def test_required_content_with_zero_operators(world, lang):
    services.remove_assignment(world.assignment, by=world.alice)
    version = publish(world.tenant_a, world.alice)
    _check_required(version.content[lang], lang, [])
    with translation.override(lang):
        nobody = translation.gettext("No operator receives your information at the moment.")
    assert nobody in _html_text(version.content[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_required_content_with_one_operator(world, lang):
    version = publish(world.tenant_a, world.alice)
    _check_required(version.content[lang], lang, [world.operator_o])


@pytest.mark.parametrize("lang", LANGS)
def test_required_content_with_many_operators(world, carriers, lang):
    version = publish(world.tenant_a, world.alice)
    _check_required(version.content[lang], lang, carriers.receiving)


@pytest.mark.parametrize("lang", LANGS)
def test_operator_links_are_exactly_those_of_operators_receiving_data(world, carriers, lang):
    version = publish(world.tenant_a, world.alice)
    links = set(_links(version.content[lang]))
    operator_links = {u for u in links if u.startswith("https://") and ".example/" in u}
    expected = {u for op in carriers.receiving for u in (op.privacy_policy_url, op.terms_url)}
    assert operator_links == expected
    text = _html_text(version.content[lang])
    for op in carriers.not_receiving:
        assert op.name not in text
        assert op.privacy_policy_url not in version.content[lang]


def test_countries_are_named_per_operator_in_the_readers_language(world, carriers):
    version = publish(world.tenant_a, world.alice)
    assert (
        "Contoso Telecom</strong>, for calls in these countries: Germany, France."
        in (version.content["en"])
    )
    assert "Fabrikam Voice</strong>, for calls in this country: Spain." in version.content["en"]
    assert "Deutschland" in version.content["de"]
    assert "Espagne" in version.content["fr"]
    assert "Alemania" in version.content["es"]


def test_disabled_tenant_names_no_operator(world):
    services.disable_operator_connect(world.tenant_a, by=world.alice)
    config = build_configuration(world.tenant_a)
    assert config["enabled"] is False
    assert config["operators"] == []
    version = publish(world.tenant_a, world.alice)
    assert world.operator_o.privacy_policy_url not in version.content["en"]
    assert "does not use Operator Connect at the moment" in version.content["en"]


def test_admin_introduction_is_added_above_but_cannot_remove_required_text(world, login):
    client = login(world.alice)
    response = client.post(
        "/t/contoso/notice/settings/",
        {"introduction": "Questions? Ask the IT desk.", "contact_email": "dpo@contoso.example"},
    )
    assert response.status_code == 302
    version = publish(world.tenant_a, world.alice)
    html = version.content["en"]
    assert "Questions? Ask the IT desk." in html
    assert html.index("Questions? Ask the IT desk.") < html.index("What Operator Connect is")
    assert "dpo@contoso.example" in html
    _check_required(html, "en", [world.operator_o])


def test_introduction_is_escaped_not_html(world, login):
    login(world.alice).post("/t/contoso/notice/settings/", {"introduction": "<b>bold</b>"})
    draft = notice_status(world.tenant_a).draft_html("en")
    assert "&lt;b&gt;bold&lt;/b&gt;" in draft
    assert "<b>bold</b>" not in draft


def test_every_translation_entry_is_filled():
    from pathlib import Path

    from django.conf import settings

    for lang in ("de", "fr", "es"):
        po = (Path(settings.BASE_DIR) / "locale" / lang / "LC_MESSAGES" / "django.po").read_text()
        entries = po.split("\n\n")[1:]
        assert len(entries) > 60
        for entry in entries:
            strs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', entry, re.M)
            assert strs and all(strs), f"{lang}: untranslated entry {entry[:80]!r}"
            assert "#, fuzzy" not in entry
