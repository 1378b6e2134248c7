"""The public pages: no login, cached, revalidated with 304, in four languages, nothing else."""

import json
import time

import pytest
from django.urls import reverse

from notices.models import NoticeVersion
from portal import services
from tests.notices.conftest import publish


@pytest.fixture
def v1(world):
    return publish(world.tenant_a, world.alice)


def test_anonymous_reads_the_current_notice(world, v1, client):
    response = client.get("/notice/contoso/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Privacy notice: Operator Connect at Contoso" in body
    assert "Operator O privacy policy" in body
    assert "https://go.microsoft.com/fwlink/?LinkId=521839" in body


def test_public_headers_allow_shared_caching(world, v1, client):
    response = client.get("/notice/contoso/")
    assert response["Cache-Control"] == "public, max-age=300, stale-while-revalidate=60"
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 34
    assert response["Last-Modified"].endswith("GMT")
    assert response["Content-Language"] == "en"
    vary = [v.strip().lower() for v in response.get("Vary", "").split(",")]
    assert "cookie" not in vary
    assert "accept-language" in vary
    assert not response.cookies


def test_signed_in_visitor_gets_no_cookie_and_no_vary_cookie(world, v1, login):
    client = login(world.alice)
    client.get("/t/contoso/notice/")  # a portal page first: the session is live
    session = client.session
    session["_auth_last_seen"] = int(time.time()) - 120  # the timeout check will touch it
    session.save()
    response = client.get("/notice/contoso/")
    assert response.status_code == 200
    assert "cookie" not in response.get("Vary", "").lower()
    assert not response.cookies
    assert "Alice" not in response.content.decode()


def test_etag_revalidation_answers_304_without_a_body(world, v1, client):
    first = client.get("/notice/contoso/")
    again = client.get("/notice/contoso/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"].startswith("public")
    other = client.get("/notice/contoso/", HTTP_IF_NONE_MATCH='"stale"')
    assert other.status_code == 200


def test_if_modified_since_answers_304(world, v1, client):
    first = client.get("/notice/contoso/")
    again = client.get("/notice/contoso/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    older = client.get("/notice/contoso/", HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT")
    assert older.status_code == 200


def test_each_language_has_its_own_etag(world, v1, client):
    en = client.get("/notice/contoso/?lang=en")
    de = client.get("/notice/contoso/?lang=de")
    assert en["ETag"] != de["ETag"]
    assert client.get("/notice/contoso/?lang=de", HTTP_IF_NONE_MATCH=en["ETag"]).status_code == 200


def test_served_from_cache_without_database_queries(world, v1, client, django_assert_num_queries):
    client.get("/notice/contoso/?lang=fr")
    with django_assert_num_queries(0):
        response = client.get("/notice/contoso/?lang=fr")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("header", "lang", "words"),
    [
        ("de-DE,de;q=0.9,en;q=0.5", "de", "Datenschutzhinweis"),
        ("fr-CH, fr;q=0.9", "fr", "Avis de confidentialité"),
        ("es-MX,es;q=0.8", "es", "Aviso de privacidad"),
        ("ja,ko;q=0.5", "en", "Privacy notice"),
    ],
)
def test_accept_language_chooses_the_language(world, v1, client, header, lang, words):
    response = client.get("/notice/contoso/", HTTP_ACCEPT_LANGUAGE=header)
    body = response.content.decode()
    assert f'<html lang="{lang}">' in body
    assert words in body
    assert response["Content-Language"] == lang


def test_explicit_switcher_wins_over_accept_language(world, v1, client):
    response = client.get("/notice/contoso/?lang=es", HTTP_ACCEPT_LANGUAGE="de")
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert "Aviso de privacidad" in body
    for code, name in [("en", "English"), ("de", "Deutsch"), ("fr", "Français")]:
        assert (
            f'href="/notice/contoso/?lang={code}" lang="{code}" hreflang="{code}">{name}</a>'
            in (body)
        )
    assert 'lang="es" hreflang="es" aria-current="true">Español</a>' in body


def test_unknown_tenant_is_404(world, client):
    assert client.get("/notice/nobody-here/").status_code == 404
    assert client.get("/notice/nobody-here.json").status_code == 404
    assert client.get("/notice/nobody-here/v/1/").status_code == 404


def test_never_published_is_a_friendly_404(world, client):
    response = client.get("/notice/fabrikam/?lang=de")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Fabrikam hat noch keinen Datenschutzhinweis für Operator Connect veröffentlicht" in body
    assert '<html lang="de">' in body
    assert client.get("/notice/fabrikam.json").status_code == 404


def test_disabled_tenant_page_says_so_and_links_the_history(world, v1, client):
    services.disable_operator_connect(world.tenant_a, by=world.alice)
    from notices import cache as notice_cache

    notice_cache.invalidate_tenant("contoso")
    body = client.get("/notice/contoso/").content.decode()
    assert "Contoso does not use Operator Connect at the moment" in body
    assert 'href="#history"' in body
    assert 'href="/notice/contoso/v/1/?lang=en"' in body
    assert "Operator O privacy policy" not in body


def test_switching_operator_connect_off_and_on_shows_on_the_notice_at_once(
    world, v1, client, django_capture_on_commit_callbacks
):
    assert "Operator O privacy policy" in client.get("/notice/contoso/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.disable_operator_connect(world.tenant_a, by=world.alice)
    off = client.get("/notice/contoso/").content.decode()
    assert "Contoso does not use Operator Connect at the moment" in off
    with django_capture_on_commit_callbacks(execute=True):
        services.enable_operator_connect(world.tenant_a, by=world.alice, acknowledged=True)
    assert "Operator O privacy policy" in client.get("/notice/contoso/").content.decode()


def test_historic_version_says_a_newer_one_exists(world, v1, client):
    services.remove_assignment(world.assignment, by=world.alice)
    publish(world.tenant_a, world.alice)
    old = client.get("/notice/contoso/v/1/?lang=de").content.decode()
    assert "Es gibt eine neuere Version dieses Hinweises." in old
    assert 'href="/notice/contoso/?lang=de"' in old
    assert "Operator O" in old
    current = client.get("/notice/contoso/v/2/").content.decode()
    assert "A newer version of this notice exists." not in current
    assert client.get("/notice/contoso/v/3/").status_code == 404


def test_publishing_replaces_the_cached_current_page(
    world, v1, client, django_capture_on_commit_callbacks
):
    assert "Operator O privacy policy" in client.get("/notice/contoso/").content.decode()
    services.remove_assignment(world.assignment, by=world.alice)
    from notices.services import publish_notice

    with django_capture_on_commit_callbacks(execute=True):
        publish_notice(world.tenant_a, by=world.alice)
    body = client.get("/notice/contoso/").content.decode()
    assert "Version 2" in body
    assert "Operator O privacy policy" not in body


def test_page_shows_nothing_else(world, v1, client):
    body = client.get("/notice/contoso/").content.decode()
    assert "/t/" not in body and "/admin" not in body
    assert "Alice" not in body and "alice@" not in body
    assert str(world.tenant_a.microsoft_tenant_id) not in body
    assert f"/{world.operator_o.pk}/" not in body
    assert "style=" not in body and "<script" not in body  # CSP: no inline style or script
    assert "csrfmiddlewaretoken" not in body


def test_version_in_force_on_a_date_redirects_to_it(world, v1, client):
    day = v1.effective_at.date().isoformat()
    response = client.get(f"/notice/contoso/?on={day}&lang=fr")
    assert response.status_code == 302
    assert response["Location"] == "/notice/contoso/v/1/?lang=fr"
    before = client.get("/notice/contoso/?on=2001-01-01")
    assert before.status_code == 404
    assert client.get("/notice/contoso/?on=garbage").status_code == 404


def test_json_document(world, v1, client):
    response = client.get("/notice/contoso.json?lang=de")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"].startswith("public")
    doc = json.loads(response.content)
    assert doc["version"] == 1
    assert doc["sha256"] == v1.sha256
    assert doc["effective_at"] == v1.effective_at.isoformat()
    assert [c["key"] for c in doc["categories"]] == [
        "numbers",
        "call_details",
        "emergency_location",
    ]
    assert doc["categories"][0]["title"] == "Telefonnummern und SIP-URIs"
    assert doc["operators"] == [
        {
            "name": "Operator O",
            "countries": ["DE", "GB"],
            "privacy_policy_url": world.operator_o.privacy_policy_url,
            "terms_of_use_url": world.operator_o.terms_url,
            "processing_countries": [],
            "transfer_mechanism": "",
        }
    ]
    assert doc["controller"]["privacy_url"] == "https://go.microsoft.com/fwlink/?LinkId=521839"
    assert doc["operators_can_export_and_download"] is True
    assert "id" not in doc["operators"][0]
    again = client.get("/notice/contoso.json?lang=de", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_public_pages_refuse_writes(world, v1, client):
    assert client.post("/notice/contoso/").status_code == 405


def test_versions_are_listed_with_localized_summaries(world, v1, client):
    services.remove_assignment(world.assignment, by=world.alice)
    publish(world.tenant_a, world.alice)
    body = client.get(reverse("public:notice", args=["contoso"]) + "?lang=de").content.decode()
    assert "Versionsverlauf" in body
    assert "Operator O entfernt" in body
    assert "Erste veröffentlichte Version" in body
    assert NoticeVersion.objects.for_tenant(world.tenant_a).count() == 2


def test_repeat_requests_answered_early_carry_the_same_headers(world, v1, client):
    first = client.get("/notice/contoso/?lang=de")
    second = client.get("/notice/contoso/?lang=de")
    assert second.status_code == 200
    assert second.content == first.content
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "Cache-Control",
        "ETag",
        "Vary",
        "Content-Language",
        "X-Content-Type-Options",
    ):
        assert second[header] == first[header], header
    assert "frame-ancestors 'none'" in second["Content-Security-Policy"]


def test_middleware_strips_cookies_and_vary_cookie_from_public_responses(rf):
    from django.http import HttpResponse

    from public.middleware import PublicCacheMiddleware

    def inner(request):
        response = HttpResponse("notice")
        response["Vary"] = "Cookie, Accept-Language"
        response.set_cookie("sessionid", "secret-session")
        response.public_cacheable = True
        return response

    def private(request):
        response = inner(request)
        del response.public_cacheable
        return response

    public = PublicCacheMiddleware(inner)(rf.get("/notice/contoso/"))
    assert public["Vary"] == "Accept-Language"
    assert not public.cookies
    untouched = PublicCacheMiddleware(private)(rf.get("/t/contoso/"))
    assert untouched["Vary"] == "Cookie, Accept-Language"
    assert "sessionid" in untouched.cookies


@pytest.mark.django_db
def test_names_from_the_database_are_escaped_in_the_published_page(world, client):
    # The stored, pre-rendered notice is served with mark_safe: everything in it must have been
    # escaped when it was rendered at publish time.
    world.tenant_a.name = '<img src=x onerror="alert(1)">Contoso'
    world.tenant_a.save(update_fields=["name"])
    world.operator_o.name = "<script>alert(2)</script>Operator O"
    world.operator_o.save(update_fields=["name"])
    publish(world.tenant_a, world.alice)
    for path in ("/notice/contoso/?lang=en", "/notice/contoso/v/1/?lang=de"):
        body = client.get(path).content.decode()
        assert "<script>alert(2)" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(2)&lt;/script&gt;Operator O" in body
        assert "&lt;img src=x onerror=" in body
