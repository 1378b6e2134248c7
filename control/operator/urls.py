"""The operator portal, under ``/o/<operator_slug>/`` (namespace ``operator``)."""

from django.urls import path

from control.operator import members, schedules, views, webhooks

_job = "<uuid:job_id>"
_schedule = "schedules/<uuid:schedule_id>/"
_hook = "webhooks/<uuid:endpoint_id>/"

app_name = "operator"

urlpatterns = [
    # operator portal
    path("", views.HomeView.as_view(), name="home"),
    path("t/<slug:tenant_slug>/", views.TenantView.as_view(), name="tenant"),
    path(
        "tenants/<slug:tenant_slug>/relationship/",
        views.RelationshipView.as_view(),
        name="relationship",
    ),
    path("members/", members.MemberListView.as_view(), name="members"),
    path("members/invite/", members.MemberInviteView.as_view(), name="member_invite"),
    path("members/role/", members.MemberRoleView.as_view(), name="member_role"),
    path("members/remove/", members.MemberRemoveView.as_view(), name="member_remove"),
    path("schedules/", schedules.ScheduleListView.as_view(), name="schedules"),
    path("schedules/new/", schedules.ScheduleCreateView.as_view(), name="schedule_new"),
    path(_schedule, schedules.ScheduleDetailView.as_view(), name="schedule"),
    path(_schedule + "pause/", schedules.SchedulePauseView.as_view(), name="schedule_pause"),
    path(_schedule + "run/", schedules.ScheduleRunNowView.as_view(), name="schedule_run"),
    path(_schedule + "delete/", schedules.ScheduleDeleteView.as_view(), name="schedule_delete"),
    path("webhooks/", webhooks.WebhookListView.as_view(), name="webhooks"),
    path("webhooks/new/", webhooks.WebhookCreateView.as_view(), name="webhook_new"),
    path(_hook, webhooks.WebhookDetailView.as_view(), name="webhook"),
    path(_hook + "test/", webhooks.WebhookTestView.as_view(), name="webhook_test"),
    path(_hook + "rotate/", webhooks.WebhookRotateView.as_view(), name="webhook_rotate"),
    path(_hook + "active/", webhooks.WebhookActiveView.as_view(), name="webhook_active"),
    path(_hook + "delete/", webhooks.WebhookDeleteView.as_view(), name="webhook_delete"),
    path("exports/", views.ExportListView.as_view(), name="exports"),
    path("exports/new/", views.ExportRequestView.as_view(), name="export_new"),
    path(f"exports/{_job}/", views.ExportDetailView.as_view(), name="export"),
    path(f"exports/{_job}/status.json", views.ExportStatusView.as_view(), name="export_status"),
    path(f"exports/{_job}/download/", views.DownloadView.as_view(), name="export_download"),
    path(f"exports/{_job}/cancel/", views.CancelView.as_view(), name="export_cancel"),
    # tenant side
]
