"""URLs of exports: the operator portal, the tenant side, personal API tokens."""

from django.urls import path

from exports.views import (
    operator,
    operator_members,
    operator_schedules,
    operator_webhooks,
    tenant,
    tokens,
)

app_name = "exports"

_job = "<uuid:job_id>"
_schedule = "o/<slug:operator_slug>/schedules/<uuid:schedule_id>/"
_hook = "o/<slug:operator_slug>/webhooks/<uuid:endpoint_id>/"

urlpatterns = [
    # operator portal
    path("o/<slug:operator_slug>/", operator.HomeView.as_view(), name="operator_home"),
    path("o/<slug:operator_slug>/t/<slug:tenant_slug>/", operator.TenantView.as_view(),
         name="operator_tenant"),
    path(
        "o/<slug:operator_slug>/tenants/<slug:tenant_slug>/relationship/",
        operator.RelationshipView.as_view(),
        name="operator_relationship",
    ),
    path("o/<slug:operator_slug>/members/", operator_members.MemberListView.as_view(),
         name="operator_members"),
    path("o/<slug:operator_slug>/members/invite/", operator_members.MemberInviteView.as_view(),
         name="operator_member_invite"),
    path("o/<slug:operator_slug>/members/role/", operator_members.MemberRoleView.as_view(),
         name="operator_member_role"),
    path("o/<slug:operator_slug>/members/remove/", operator_members.MemberRemoveView.as_view(),
         name="operator_member_remove"),
    path("o/<slug:operator_slug>/schedules/", operator_schedules.ScheduleListView.as_view(),
         name="operator_schedules"),
    path("o/<slug:operator_slug>/schedules/new/", operator_schedules.ScheduleCreateView.as_view(),
         name="operator_schedule_new"),
    path(_schedule, operator_schedules.ScheduleDetailView.as_view(), name="operator_schedule"),
    path(_schedule + "pause/", operator_schedules.SchedulePauseView.as_view(),
         name="operator_schedule_pause"),
    path(_schedule + "run/", operator_schedules.ScheduleRunNowView.as_view(),
         name="operator_schedule_run"),
    path(_schedule + "delete/", operator_schedules.ScheduleDeleteView.as_view(),
         name="operator_schedule_delete"),
    path("o/<slug:operator_slug>/webhooks/", operator_webhooks.WebhookListView.as_view(),
         name="operator_webhooks"),
    path("o/<slug:operator_slug>/webhooks/new/", operator_webhooks.WebhookCreateView.as_view(),
         name="operator_webhook_new"),
    path(_hook, operator_webhooks.WebhookDetailView.as_view(), name="operator_webhook"),
    path(_hook + "test/", operator_webhooks.WebhookTestView.as_view(),
         name="operator_webhook_test"),
    path(_hook + "rotate/", operator_webhooks.WebhookRotateView.as_view(),
         name="operator_webhook_rotate"),
    path(_hook + "active/", operator_webhooks.WebhookActiveView.as_view(),
         name="operator_webhook_active"),
    path(_hook + "delete/", operator_webhooks.WebhookDeleteView.as_view(),
         name="operator_webhook_delete"),
    path("o/<slug:operator_slug>/exports/", operator.ExportListView.as_view(),
         name="operator_exports"),
    path("o/<slug:operator_slug>/exports/new/", operator.ExportRequestView.as_view(),
         name="operator_export_new"),
    path(f"o/<slug:operator_slug>/exports/{_job}/", operator.ExportDetailView.as_view(),
         name="operator_export"),
    path(f"o/<slug:operator_slug>/exports/{_job}/status.json", operator.ExportStatusView.as_view(),
         name="operator_export_status"),
    path(f"o/<slug:operator_slug>/exports/{_job}/download/", operator.DownloadView.as_view(),
         name="operator_export_download"),
    path(f"o/<slug:operator_slug>/exports/{_job}/cancel/", operator.CancelView.as_view(),
         name="operator_export_cancel"),
    # tenant side
    path("t/<slug:tenant_slug>/exports/", tenant.ExportListView.as_view(), name="tenant_exports"),
    path("t/<slug:tenant_slug>/exports/new/", tenant.ExportRequestView.as_view(),
         name="tenant_export_new"),
    path("t/<slug:tenant_slug>/exports/shared/", tenant.SharedView.as_view(),
         name="tenant_shared"),
    path(f"t/<slug:tenant_slug>/exports/{_job}/", tenant.ExportDetailView.as_view(),
         name="tenant_export"),
    path(f"t/<slug:tenant_slug>/exports/{_job}/status.json", tenant.ExportStatusView.as_view(),
         name="tenant_export_status"),
    path(f"t/<slug:tenant_slug>/exports/{_job}/download/", tenant.DownloadView.as_view(),
         name="tenant_export_download"),
    path(f"t/<slug:tenant_slug>/exports/{_job}/cancel/", tenant.CancelView.as_view(),
         name="tenant_export_cancel"),
    # personal API tokens
    path("account/tokens/", tokens.TokenListView.as_view(), name="tokens"),
    path("account/tokens/revoke/", tokens.RevokeTokenView.as_view(), name="token_revoke"),
]  # fmt: skip
