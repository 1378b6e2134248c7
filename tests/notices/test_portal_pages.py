"""Tenant portal pages: status and draft, publish, history, version, diff, settings, card."""

from django.template.loader import render_to_string
from django.test import RequestFactory

from notices.models import NoticeSettings, NoticeVersion
from portal import services
from portal.choices import AuditAction
from portal.models import AuditEvent
from tests.notices.conftest import publish


def test_status_shows_never_published_warning_and_publish_button_to_admin(world, login):
    body = login(world.alice).get("/t/contoso/notice/").content.decode()
    assert "Your users have not been told about Operator Connect" in body
    assert "Publish version 1" in body
    assert "Draft preview" in body
    assert "Operator O privacy policy" in body  # the draft names the operator


def test_viewer_sees_the_warning_but_no_publish_button(world, login):
    body = login(world.victor).get("/t/contoso/notice/").content.decode()
    assert "Your users have not been told about Operator Connect" in body
    assert "Publish version" not in body
    assert "Ask an admin of Contoso" in body


def test_viewer_cannot_publish(world, login):
    response = login(world.victor).post("/t/contoso/notice/publish/", {"note": ""})
    assert response.status_code == 403
    assert not NoticeVersion.objects.exists()


def test_admin_of_another_tenant_gets_404(world, login):
    client = login(world.bob)
    assert client.get("/t/contoso/notice/").status_code == 404
    assert client.post("/t/contoso/notice/publish/").status_code == 404
    assert not NoticeVersion.objects.exists()


def test_admin_publishes_then_sees_out_of_date_after_a_change(world, login):
    client = login(world.alice)
    response = client.post("/t/contoso/notice/publish/", {"note": "First notice"})
    assert response.status_code == 302
    version = NoticeVersion.objects.get(tenant=world.tenant_a)
    assert version.number == 1 and version.admin_note == "First notice"
    assert AuditEvent.objects.filter(action=AuditAction.NOTICE_PUBLISHED).count() == 1
    body = client.get("/t/contoso/notice/").content.decode()
    assert "Version 1 is published and in force" in body
    assert "The published notice matches your current configuration." in body
    assert "Publish version" not in body

    services.change_assignment_countries(world.assignment, countries=["GB"], by=world.alice)
    body = client.get("/t/contoso/notice/").content.decode()
    assert "The published notice is out of date" in body
    assert "Removed DE for Operator O" in body
    assert "Publish version 2" in body


def test_publishing_an_up_to_date_notice_shows_the_reason(world, login):
    client = login(world.alice)
    client.post("/t/contoso/notice/publish/")
    response = client.post("/t/contoso/notice/publish/", follow=True)
    assert "there is nothing new to publish" in response.content.decode()
    assert NoticeVersion.objects.count() == 1


def test_draft_preview_in_german(world, login):
    body = login(world.alice).get("/t/contoso/notice/?lang=de").content.decode()
    assert "Datenschutzrichtlinie von Operator O" in body


def test_history_lists_versions_and_finds_the_one_in_force(world, login):
    v1 = publish(world.tenant_a, world.alice)
    services.remove_assignment(world.assignment, by=world.alice)
    publish(world.tenant_a, world.alice)
    client = login(world.victor)
    body = client.get("/t/contoso/notice/history/").content.decode()
    assert "Version 2</a> (current)" in body
    assert "Removed Operator O" in body
    assert "First published version" in body
    response = client.get(f"/t/contoso/notice/history/?on={v1.effective_at.date().isoformat()}")
    assert response.status_code == 302
    assert response["Location"] == "/t/contoso/notice/v/2/"  # both published the same day
    response = client.get("/t/contoso/notice/history/?on=2001-01-01", follow=True)
    assert "No version of the notice was in force on 2001-01-01." in response.content.decode()


def test_version_page_and_permalink(world, login):
    v1 = publish(world.tenant_a, world.alice, note="Launch")
    body = login(world.victor).get("/t/contoso/notice/v/1/?lang=fr").content.decode()
    assert v1.sha256 in body
    assert "Launch" in body
    assert 'href="/notice/contoso/v/1/"' in body
    assert "Politique de confidentialité de Operator O" in body
    assert login(world.victor).get("/t/contoso/notice/v/9/").status_code == 404


def test_diff_page_is_readable(world, login, carriers):
    publish(world.tenant_a, world.alice)
    services.remove_assignment(world.assignment, by=world.alice)
    publish(world.tenant_a, world.alice)
    body = login(world.alice).get("/t/contoso/notice/diff/?a=1&b=2").content.decode()
    assert "Removed Operator O" in body
    assert '<del><span class="diff-mark">Removed: </span>Operator O, for calls in these' in body
    assert login(world.alice).get("/t/contoso/notice/diff/?a=1&b=7").status_code == 404
    assert login(world.alice).get("/t/contoso/notice/diff/").status_code == 404


def test_settings_admin_saves_viewer_reads_only(world, login):
    response = login(world.victor).post("/t/contoso/notice/settings/", {"introduction": "Hi"})
    assert response.status_code == 403
    body = login(world.victor).get("/t/contoso/notice/settings/").content.decode()
    assert "Only admins of Contoso can change these." in body
    response = login(world.alice).post(
        "/t/contoso/notice/settings/",
        {"introduction": "Hi", "contact_url": "http://insecure.example/"},
    )
    assert response.status_code == 200
    assert "must be an https:// address" in response.content.decode()
    response = login(world.alice).post(
        "/t/contoso/notice/settings/", {"introduction": "Hi", "contact_phone": "+44 20 7946 0000"}
    )
    assert response.status_code == 302
    assert NoticeSettings.objects.get(tenant=world.tenant_a).introduction == "Hi"


def test_settings_change_makes_the_notice_out_of_date(world, login):
    publish(world.tenant_a, world.alice)
    login(world.alice).post("/t/contoso/notice/settings/", {"introduction": "Welcome"})
    body = login(world.alice).get("/t/contoso/notice/").content.decode()
    assert "Introduction changed" in body


def _card(world, user):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "notices/inc/dashboard_card.html",
        {"tenant": world.tenant_a, "is_tenant_admin": True},
        request=request,
    )


def test_dashboard_card_warns_prominently_when_out_of_date(world):
    publish(world.tenant_a, world.alice)
    assert "up to date" in _card(world, world.alice)
    services.remove_assignment(world.assignment, by=world.alice)
    card = _card(world, world.alice)
    assert 'role="alert"' in card
    assert "The published notice is out of date" in card
    assert "Preview and publish the new notice" in card
    assert 'href="/t/contoso/notice/"' in card


def test_nav_links_on_tenant_pages(world, login):
    body = login(world.victor).get("/t/contoso/notice/history/").content.decode()
    assert 'href="/t/contoso/notice/">Privacy notice</a>' in body


def test_the_draft_preview_and_version_pages_escape_names_from_the_database(world, login):
    # Both pages show pre-rendered notice HTML through mark_safe: it must have been escaped.
    world.operator_o.name = "<script>alert(3)</script>Operator O"
    world.operator_o.save(update_fields=["name"])
    publish(world.tenant_a, world.alice)
    client = login(world.alice)
    world.tenant_a.name = '<img src=x onerror="alert(4)">Contoso'
    world.tenant_a.save(update_fields=["name"])
    draft = client.get("/t/contoso/notice/").content.decode()
    version = client.get("/t/contoso/notice/v/1/").content.decode()
    for body in (draft, version):
        assert "<script>alert(3)" not in body
        assert "&lt;script&gt;alert(3)&lt;/script&gt;Operator O" in body
    assert "<img src=x" not in draft and "&lt;img src=x onerror=" in draft
