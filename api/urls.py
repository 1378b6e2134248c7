"""``/api/`` — the schema, its docs page, and v1.

API views answer 401/403 themselves (JSON), so they are exempt from LoginRequiredMiddleware,
which would otherwise redirect a script to the HTML login page.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.errors import not_found
from api.views import (
    directory,
    exports,
    ingest,
    notices,
    operator,
    privacy,
    records,
    schedules,
    tenancy,
    webhooks,
)

app_name = "api"


def _api(route: str, view, name: str) -> URLPattern:
    return path(route, login_not_required(view.as_view()), name=name)


TENANT = "tenants/<slug:tenant_slug>/"
ASSIGNMENT = TENANT + "assignments/<slug:operator_slug>/"
OPERATOR = "operators/<slug:operator_slug>/"

v1 = [
    _api("me", directory.MeView, "me"),
    _api("operators/", directory.OperatorListView, "operator-list"),
    _api(OPERATOR, directory.OperatorDetailView, "operator-detail"),
    _api(OPERATOR + "members/", tenancy.OperatorMemberListView, "operator-member-list"),
    _api(
        OPERATOR + "members/<uuid:member_id>/",
        tenancy.OperatorMemberDetailView,
        "operator-member-detail",
    ),
    _api(
        OPERATOR + "tenants/<slug:tenant_slug>/",
        operator.OperatorTenantDetailView,
        "operator-tenant-detail",
    ),
    _api(OPERATOR + "schedules/", schedules.ScheduleListView, "operator-schedule-list"),
    _api(
        OPERATOR + "schedules/<uuid:schedule_id>/",
        schedules.ScheduleDetailView,
        "operator-schedule-detail",
    ),
    _api(
        OPERATOR + "schedules/<uuid:schedule_id>/run",
        schedules.ScheduleRunView,
        "operator-schedule-run",
    ),
    _api(OPERATOR + "webhooks/", webhooks.WebhookListView, "operator-webhook-list"),
    _api(
        OPERATOR + "webhooks/<uuid:endpoint_id>/",
        webhooks.WebhookDetailView,
        "operator-webhook-detail",
    ),
    _api(
        OPERATOR + "webhooks/<uuid:endpoint_id>/rotate-secret",
        webhooks.WebhookRotateView,
        "operator-webhook-rotate",
    ),
    _api(
        OPERATOR + "webhooks/<uuid:endpoint_id>/test",
        webhooks.WebhookTestView,
        "operator-webhook-test",
    ),
    _api(OPERATOR + "consents/", tenancy.ConsentListView, "consent-list"),
    _api(
        OPERATOR + "consents/<slug:tenant_slug>/status",
        tenancy.ConsentStatusView,
        "consent-status",
    ),
    _api("tenants/", directory.TenantListView, "tenant-list"),
    _api(TENANT, directory.TenantDetailView, "tenant-detail"),
    _api(
        TENANT + "operator-connect/enable",
        directory.EnableOperatorConnectView,
        "operator-connect-enable",
    ),
    _api(
        TENANT + "operator-connect/disable",
        directory.DisableOperatorConnectView,
        "operator-connect-disable",
    ),
    _api(TENANT + "assignments/", tenancy.AssignmentListView, "assignment-list"),
    _api(ASSIGNMENT, tenancy.AssignmentDetailView, "assignment-detail"),
    _api(ASSIGNMENT + "suspend", tenancy.AssignmentSuspendView, "assignment-suspend"),
    _api(ASSIGNMENT + "resume", tenancy.AssignmentResumeView, "assignment-resume"),
    _api(ASSIGNMENT + "remove", tenancy.AssignmentRemoveView, "assignment-remove"),
    _api(TENANT + "members/", tenancy.MemberListView, "member-list"),
    _api(TENANT + "members/<uuid:member_id>/", tenancy.MemberDetailView, "member-detail"),
    _api(TENANT + "numbers/", records.NumberListView, "number-list"),
    _api(TENANT + "call-records/", records.CallRecordListView, "call-record-list"),
    _api(
        TENANT + "emergency-locations/",
        records.EmergencyLocationListView,
        "emergency-location-list",
    ),
    _api(TENANT + "audit-events/", records.AuditEventListView, "audit-event-list"),
    _api(TENANT + "notice/", notices.NoticeStatusView, "notice-status"),
    _api(TENANT + "notice/versions/", notices.NoticeVersionListView, "notice-version-list"),
    _api(
        TENANT + "notice/versions/<int:number>/",
        notices.NoticeVersionDetailView,
        "notice-version-detail",
    ),
    _api(TENANT + "notice/publish", notices.NoticePublishView, "notice-publish"),
    _api(TENANT + "privacy/access-report/", privacy.AccessReportView, "privacy-access-report"),
    _api("exports/", exports.ExportListView, "export-list"),
    _api("exports/<uuid:job_id>/", exports.ExportDetailView, "export-detail"),
    _api("exports/<uuid:job_id>/download", exports.ExportDownloadView, "export-download"),
    _api("exports/<uuid:job_id>/cancel", exports.ExportCancelView, "export-cancel"),
    _api("ingest/numbers", ingest.IngestNumbersView, "ingest-numbers"),
    _api("ingest/call-records", ingest.IngestCallRecordsView, "ingest-call-records"),
    _api(
        "ingest/emergency-locations",
        ingest.IngestEmergencyLocationsView,
        "ingest-emergency-locations",
    ),
]

urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("v1/", include(v1)),
    # Anything else under /api/ answers the JSON error shape, not the HTML 404 page.
    re_path(r"^", login_not_required(not_found)),
]
