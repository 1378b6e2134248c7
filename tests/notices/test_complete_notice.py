"""A complete notice (GDPR Art. 13/14, UK ICO checklist): every element, in every language.

The checklist: legal basis; retention per data category; the five rights and how to use them;
the right to complain, with the authority of the tenant's country; transfers outside the EEA and
their safeguard; the source of the data (Microsoft). Each is checked in the published HTML, in
the JSON and on the public (print) page, in en/de/fr/es, with no English left in the others.
"""

import json
import re
from html import unescape

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from notices.content import build_configuration, missing_requirements
from notices.law import RIGHTS, privacy_context
from notices.services import notice_status, publish_notice, update_notice_settings
from portal.errors import DomainError
from portal.privacy_law import EEA, SUPERVISORY_AUTHORITIES
from portal.retention_policy import MAX_DAYS, MIN_DAYS, default_retention_days
from portal.services.directory import update_operator
from tests.factories import TenantFactory
from tests.notices.conftest import publish

LANGS = ["en", "de", "fr", "es"]
ELEMENTS = ["legal_basis", "retention", "rights", "complaint", "transfers", "source"]
HEADINGS = {
    "legal_basis": ["Legal basis"],
    "retention": ["How long the information is kept"],
    "rights": ["Your rights"],
    "complaint": ["Your right to complain"],
    "transfers": ["Where operators process your information"],
    "source": ["Where the information comes from"],
}


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _sentences(element: str, ctx: dict) -> list[str]:
    """The generated sentences of one element (in the language ``ctx`` was built in)."""
    if element == "legal_basis":
        return [ctx["legal_basis"]["text"]]
    if element == "retention":
        return [f"{r['title']}: {r['text']}" for r in ctx["retention"]] + [
            ctx["retention_operators"]
        ]
    if element == "rights":
        return [f"{r['title']}: {r['text']}" for r in ctx["rights"]] + [ctx["rights_how"]]
    if element == "complaint":
        authority = ctx["complaint"]["authority"]
        return [ctx["complaint"]["text"], authority["name"]]
    if element == "transfers":
        return [t["text"] for t in ctx["transfers"]] + [ctx["transfers_microsoft"]]
    return [ctx["source"]]


@pytest.fixture
def complete(world):
    """Tenant A (GB) publishes with Operator O processing in Ireland and the United States."""
    update_operator(
        world.operator_o,
        by=world.sam,
        processing_countries=["IE", "US"],
        transfer_mechanism="scc",
    )
    return publish(world.tenant_a, world.alice)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("element", ELEMENTS)
def test_every_element_is_in_the_published_notice(world, complete, element, lang):
    text = _text(complete.content[lang])
    with translation.override(lang):
        ctx = privacy_context(complete.configuration)
        for heading in HEADINGS[element]:
            translated = translation.gettext(heading)
            if lang != "en":
                assert translated != heading, f"{lang}: heading {heading!r} is not translated"
            assert translated in text, f"{lang}: no heading {translated!r}"
        for sentence in _sentences(element, ctx):
            assert " ".join(sentence.split()) in text, f"{lang}/{element}: missing {sentence!r}"


@pytest.mark.parametrize("lang", ["de", "fr", "es"])
@pytest.mark.parametrize("element", ELEMENTS)
def test_no_english_is_left_in_other_languages(world, complete, element, lang):
    with translation.override("en"):
        english = _sentences(element, privacy_context(complete.configuration))
    with translation.override(lang):
        translated = _sentences(element, privacy_context(complete.configuration))
    text = _text(complete.content[lang])
    authority = complete.configuration["privacy"]["authority"]["name"]
    for en, other in zip(english, translated, strict=True):
        if en == authority:
            continue  # a proper name: the authority's own name, the same in every language
        assert en != other, f"{lang}/{element}: {en!r} is not translated"
        assert en not in text


def test_the_content_of_each_element(world, complete):
    ctx_en = complete.content["en"]
    text = _text(ctx_en)
    assert "on the basis of its legitimate interests" in text
    assert "(Art. 6(1)(f) UK GDPR)" in text
    assert "Call details and call quality data: Kept for 365 days after the call" in text
    assert "Phone numbers and SIP URIs: Kept while the number is assigned to you and for 90" in text
    for right in ("Access", "Rectification", "Erasure", "Restriction", "Objection"):
        assert f"{right}:" in text
    assert "contact Contoso (see “Whom to contact”)" in text
    assert "Information Commissioner's Office (ICO)" in text
    assert '<a href="https://ico.org.uk/"' in ctx_en
    assert (
        "Operator O processes your information in Ireland and United States of America. Transfers outside "
        "the European Economic Area are protected by standard contractual clauses approved by "
        "the European Commission."
    ) in text
    assert "Microsoft creates it when you make or receive calls in Microsoft Teams" in text
    german = _text(complete.content["de"])
    assert "(Art. 6 Abs. 1 lit. f UK-DSGVO)" in german
    assert "Irland und Vereinigte Staaten von Amerika" in german


@pytest.mark.parametrize("lang", LANGS)
def test_every_element_is_in_the_json(world, complete, client, lang):
    doc = json.loads(client.get(f"/notice/contoso.json?lang={lang}").content)
    with translation.override(lang):
        ctx = privacy_context(complete.configuration)
    assert doc["legal_basis"] == ctx["legal_basis"]
    assert [(r["category"], r["days"]) for r in doc["retention"]] == [
        ("numbers", 90),
        ("call_details", 365),
        ("emergency_location", 90),
        ("operators", None),
    ]
    assert doc["retention"][1]["text"] == ctx["retention"][1]["text"]
    assert [r["key"] for r in doc["rights"]] == [r["key"] for r in RIGHTS]
    assert doc["rights"] == ctx["rights"]
    assert doc["how_to_exercise_rights"]["text"] == ctx["rights_how"]
    assert doc["how_to_exercise_rights"]["contact"]["email"]
    assert doc["complaint"]["authority"] == {
        "name": "Information Commissioner's Office (ICO)",
        "url": "https://ico.org.uk/",
    }
    assert doc["complaint"]["country"] == "GB"
    assert doc["transfers"] == [
        {
            "operator": "Operator O",
            "countries": ["IE", "US"],
            "outside_eea": ["US"],
            "mechanism": "scc",
            "text": ctx["transfers"][0]["text"],
        }
    ]
    assert doc["operators"][0]["processing_countries"] == ["IE", "US"]
    assert doc["source"] == {"key": "microsoft", "text": ctx["source"]}


@pytest.mark.parametrize("lang", LANGS)
def test_every_element_is_on_the_public_page_that_prints(world, complete, client, lang):
    """The public page is the print view (notice.css @media print): the body is all there."""
    text = _text(client.get(f"/notice/contoso/?lang={lang}").content.decode())
    with translation.override(lang):
        ctx = privacy_context(complete.configuration)
        for element in ELEMENTS:
            for sentence in _sentences(element, ctx):
                assert " ".join(sentence.split()) in text


def test_print_styles_hide_none_of_the_notice():
    css = (settings.BASE_DIR / "static/css/notice.css").read_text(encoding="utf-8")
    print_block = css[css.index("@media print") :]
    hidden = re.findall(r"([^{}]+)\{[^}]*display:\s*none", print_block)
    assert not any(".notice" in selector for selector in hidden)


def test_defaults_follow_the_tenants_country(world):
    tenant = TenantFactory(name="Tailspin", slug="tailspin", country="DE")
    config = build_configuration(tenant)
    privacy = config["privacy"]
    assert privacy["authority"]["url"] == "https://www.bfdi.bund.de/"
    assert privacy["retention_days"] == {
        "numbers": 90,
        "call_details": 150,
        "emergency_location": 90,
    }
    assert privacy["legal_basis"] == "legitimate_interests"
    assert privacy["law"] == "gdpr"


def test_every_eea_country_the_uk_and_switzerland_have_an_authority():
    assert set(SUPERVISORY_AUTHORITIES) == EEA | {"GB", "CH"}
    assert all(a.url.startswith("https://") for a in SUPERVISORY_AUTHORITIES.values())


def test_retention_defaults_stay_inside_microsofts_range():
    for country in [*EEA, "GB", "CH", "US", "", None]:
        assert MIN_DAYS <= default_retention_days(country) <= MAX_DAYS
    assert (MIN_DAYS, MAX_DAYS) == (150, 730)


def test_a_country_without_a_known_authority_blocks_publishing_until_one_is_entered(world):
    tenant = world.tenant_a
    tenant.country = "US"
    tenant.save()
    status = notice_status(tenant)
    assert any(
        "No data protection authority is on file for United States" in p for p in status.problems
    ), status.problems
    with pytest.raises(DomainError, match="No data protection authority"):
        publish_notice(tenant, by=world.alice)
    update_notice_settings(
        tenant,
        by=world.alice,
        contact_email="privacy@contoso.test",
        authority_name="Federal Trade Commission",
        authority_url="https://www.ftc.gov/",
    )
    version = publish_notice(tenant, by=world.alice)
    assert "Federal Trade Commission" in version.content["fr"]


def test_an_operator_abroad_without_a_safeguard_blocks_publishing(world):
    world.operator_o.processing_countries = ["US"]
    world.operator_o.save()
    problems = missing_requirements(build_configuration(world.tenant_a))
    assert problems == [
        "Operator O processes data outside the EEA (US) and the directory names no safeguard. "
        "Platform staff must record it before you can publish."
    ]
    with pytest.raises(DomainError):
        publish_notice(world.tenant_a, by=world.alice)


def test_staff_cannot_save_an_operator_abroad_without_a_safeguard(world):
    world.operator_o.processing_countries = ["US"]
    with pytest.raises(ValidationError) as error:
        world.operator_o.clean()
    assert "transfer_mechanism" in error.value.message_dict
    world.operator_o.transfer_mechanism = "dpf"
    world.operator_o.clean()


def test_tenant_inputs_replace_the_defaults_and_change_the_notice(world):
    v1 = publish(world.tenant_a, world.alice)
    update_notice_settings(
        world.tenant_a,
        by=world.alice,
        contact_email="privacy@contoso.test",
        legal_basis="contract",
        numbers_retention_days=30,
        locations_retention_days=60,
        dpo_name="Dana Officer",
        dpo_email="dpo@contoso.test",
    )
    status = notice_status(world.tenant_a)
    assert status.out_of_date
    v2 = publish(world.tenant_a, world.alice)
    assert v2.number == v1.number + 1
    assert "legal basis changed" in v2.change_summary
    assert "retention periods changed" in v2.change_summary
    text = _text(v2.content["es"])
    assert "art. 6.1.b) RGPD del Reino Unido" in text
    assert "Dana Officer dpo@contoso.test" in text
    assert "durante 30 días después de su liberación" in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("numbers_retention_days", 0, None),
        ("numbers_retention_days", 5000, "between 1 and 3,650"),
        ("authority_name", "Somebody", "both the authority's name and its web site"),
        ("legal_basis", "because", "legal basis"),
    ],
)
def test_bad_settings_are_refused(world, field, value, message):
    if message is None:
        update_notice_settings(world.tenant_a, by=world.alice, **{field: value})  # 0 = default
        return
    with pytest.raises(DomainError, match=message):
        update_notice_settings(world.tenant_a, by=world.alice, **{field: value})


def test_the_introduction_cannot_remove_the_generated_elements(world):
    update_notice_settings(
        world.tenant_a,
        by=world.alice,
        contact_email="privacy@contoso.test",
        introduction="<h3>Your rights</h3> none.",
    )
    version = publish(world.tenant_a, world.alice)
    assert "&lt;h3&gt;Your rights&lt;/h3&gt;" in version.content["en"]
    assert version.content["en"].count('<h3 id="rights">') == 1


def test_admin_completes_the_notice_fields_in_the_portal(world, login):
    client = login(world.alice)
    page = client.get("/t/contoso/notice/settings/").content.decode()
    assert "call records are kept 365 days" in page
    response = client.post(
        "/t/contoso/notice/settings/",
        {
            "contact_email": "privacy@contoso.test",
            "legal_basis": "contract",
            "numbers_retention_days": "30",
            "locations_retention_days": "",
            "dpo_name": "Dana Officer",
            "dpo_email": "dpo@contoso.test",
        },
    )
    assert response.status_code == 302
    config = build_configuration(world.tenant_a)["privacy"]
    assert config["legal_basis"] == "contract"
    assert config["retention_days"]["numbers"] == 30
    assert config["retention_days"]["emergency_location"] == 90
    assert config["dpo"] == {"name": "Dana Officer", "email": "dpo@contoso.test"}
    bad = client.post("/t/contoso/notice/settings/", {"authority_name": "Somebody"})
    assert bad.status_code == 200
    assert "both the authority" in bad.content.decode()
