"""The pages: requesting from both sides, live status, relationship, tokens, what was shared."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from exports.models import ExportJob
from portal.choices import AuditAction, RelationshipStatus
from portal.models import ApiToken, AuditEvent
from portal.services.audit import record_event


def _form(**overrides):
    today = timezone.now().date()
    data = {
        "datasets": ["call_records", "numbers"],
        "start_date": str(today - timedelta(days=7)),
        "end_date": str(today),
        "format": "csv",
    }
    data.update(overrides)
    return data


def test_tenant_admin_requests_an_export_for_an_assigned_operator(world, published, login):
    alice = login(world.alice)
    url = reverse("exports:tenant_export_new", kwargs={"tenant_slug": "contoso"})
    page = alice.get(url)
    assert b"Operator O" in page.content and b"Operator U" not in page.content
    response = alice.post(url, _form(party="operator-o"))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/contoso/exports/{job.id}/"
    assert job.datasets == ["call_records", "numbers"] and job.requested_via == "tenant"
    assert job.end - job.start == timedelta(days=8)  # both days included, midnight UTC
    listing = alice.get(reverse("exports:tenant_exports", kwargs={"tenant_slug": "contoso"}))
    assert f'data-export-status-url="/t/contoso/exports/{job.id}/status.json"'.encode() in (
        listing.content
    )
    status = alice.get(f"/t/contoso/exports/{job.id}/status.json").json()
    assert status == {"id": str(job.id), "status": "queued", "status_label": "Queued",
                      "progress": 0, "rows_total": 0, "in_flight": True, "error": ""}  # fmt: skip


def test_a_refused_request_shows_the_reason_on_the_form(world, published, login, settings):
    settings.EXPORT_MAX_SPAN_DAYS = 3
    response = login(world.alice).post(
        reverse("exports:tenant_export_new", kwargs={"tenant_slug": "contoso"}),
        _form(party="operator-o"),
    )
    assert response.status_code == 400
    assert "at most 3 days per export" in response.context["form"].errors["end_date"][0]
    assert not ExportJob.objects.exists()
    # The error summary above the form links to the field, as in every form (docs/ui.md).
    html = response.content.decode()
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_end_date"' in summary and "at most 3 days per export" in summary
    assert 'aria-invalid="true"' in html


def test_operator_user_requests_only_for_tenants_sharing_with_it(world, published, login):
    oscar = login(world.oscar)
    url = reverse("operator:export_new", kwargs={"operator_slug": "operator-o"})
    assert oscar.post(url, _form(party="fabrikam")).status_code == 400
    response = oscar.post(url, _form(party="contoso", format="ndjson"))
    job = ExportJob.objects.get()
    assert response["Location"] == f"/o/operator-o/exports/{job.id}/"
    assert (job.tenant, job.requested_by, job.format) == (world.tenant_a, world.oscar, "ndjson")


def test_operator_home_lists_tenants_and_admins_set_the_relationship(world, login):
    olivia = login(world.olivia)
    home = olivia.get(reverse("operator:home", kwargs={"operator_slug": "operator-o"}))
    assert b"Contoso" in home.content and b"DE, GB" in home.content
    assert b"Fabrikam" not in home.content
    url = reverse("operator:relationship",
                  kwargs={"operator_slug": "operator-o", "tenant_slug": "contoso"})  # fmt: skip
    olivia.post(url, {"status": "declined", "reason": ""})
    world.assignment.refresh_from_db()
    assert world.assignment.relationship_status == RelationshipStatus.PENDING
    olivia.post(url, {"status": "declined", "reason": "No contract yet"})
    world.assignment.refresh_from_db()
    assert world.assignment.relationship_status == RelationshipStatus.DECLINED
    assert world.assignment.relationship_reason == "No contract yet"
    analyst_view = login(world.oscar).get(
        reverse("operator:home", kwargs={"operator_slug": "operator-o"})
    )
    assert b"No contract yet" in analyst_view.content and b'name="reason"' not in (
        analyst_view.content
    )


def test_a_token_secret_is_shown_once_and_stored_hashed(world, login):
    oscar = login(world.oscar)
    created = oscar.post(reverse("tokens"), {"name": "nightly sync", "scope": "read",
                                                    "expires_in_days": "30"})  # fmt: skip
    assert created.status_code == 302 and created["Location"] == reverse("tokens")
    response = oscar.get(reverse("tokens"))
    assert response["Cache-Control"] == "no-store, private"
    secret = response.context["secret"]
    token = ApiToken.objects.get(user=world.oscar)
    assert secret.startswith("ocp_") and token.key_hash == ApiToken.hash_key(secret)
    assert secret.encode() in response.content
    assert secret.encode() not in oscar.get(reverse("tokens")).content
    assert login(world.uma).post(reverse("token_revoke"),
                                 {"token": str(token.pk)}).status_code == 404  # fmt: skip
    login(world.oscar).post(reverse("token_revoke"), {"token": str(token.pk)})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert list(AuditEvent.objects.filter(actor=world.oscar).values_list("action", flat=True)
                .order_by("id")) == [AuditAction.TOKEN_CREATED, AuditAction.TOKEN_REVOKED]  # fmt: skip


def test_what_has_been_shared_lists_downloads_with_ip_for_admins_only(world, login):
    job = ExportJob.objects.create(
        tenant=world.tenant_a, operator=world.operator_o, requested_by=world.oscar,
        requested_via="operator", datasets=["numbers"], format="csv", dedupe_key="k",
        start=timezone.now() - timedelta(days=1), end=timezone.now(), status="succeeded",
        manifest={"files": [{"name": "numbers.csv", "rows": 12, "bytes": 3456}]},
        notice_version=1,
    )  # fmt: skip
    record_event(AuditAction.EXPORT_DOWNLOADED, actor=world.oscar, tenant=world.tenant_a,
                 operator=world.operator_o, target=job, ip="203.0.113.9", job=str(job.id))  # fmt: skip
    url = reverse("exports:tenant_shared", kwargs={"tenant_slug": "contoso"})
    admin_page = login(world.alice).get(url).content.decode()
    assert "numbers.csv" in admin_page and "12 rows" in admin_page
    assert "Oscar Operator" in admin_page and "203.0.113.9" in admin_page
    viewer_page = login(world.victor).get(url).content.decode()
    assert "Oscar Operator" in viewer_page and "203.0.113.9" not in viewer_page


@pytest.mark.django_db
def test_dashboard_card_shows_recent_exports_and_downloads(world):
    job = ExportJob.objects.create(
        tenant=world.tenant_a, operator=world.operator_o, requested_by=world.alice,
        requested_via="tenant", datasets=["numbers"], format="csv", dedupe_key="k",
        start=timezone.now() - timedelta(days=1), end=timezone.now(),
    )  # fmt: skip
    record_event(AuditAction.EXPORT_DOWNLOADED, actor=world.oscar, tenant=world.tenant_a,
                 operator=world.operator_o, target=job, job=str(job.id))  # fmt: skip
    html = render_to_string("exports/inc/dashboard_card.html", {"tenant": world.tenant_a})
    assert job.short_id in html and "Oscar Operator (Operator O)" in html
    other = render_to_string("exports/inc/dashboard_card.html", {"tenant": world.tenant_b})
    assert job.short_id not in other and "No exports yet." in other
