"""The notice pages of one tenant, under ``/t/<tenant_slug>/`` (namespace ``notices``): its
status, publishing, history and settings, and the record of processing."""

from django.urls import path

from control.tenant import notice, record

app_name = "notices"

urlpatterns = [
    path("t/<slug:tenant_slug>/notice/", notice.NoticeStatusView.as_view(), name="status"),
    path("t/<slug:tenant_slug>/notice/publish/", notice.PublishView.as_view(), name="publish"),
    path("t/<slug:tenant_slug>/notice/history/", notice.HistoryView.as_view(), name="history"),
    path(
        "t/<slug:tenant_slug>/notice/v/<int:number>/",
        notice.VersionView.as_view(),
        name="version",
    ),
    path("t/<slug:tenant_slug>/notice/diff/", notice.DiffView.as_view(), name="diff"),
    path("t/<slug:tenant_slug>/notice/settings/", notice.SettingsView.as_view(), name="settings"),
    path("t/<slug:tenant_slug>/record/", record.RecordView.as_view(), name="record"),
    path(
        "t/<slug:tenant_slug>/record.csv",
        record.RecordDownloadView.as_view(fmt="csv"),
        name="record_csv",
    ),
    path(
        "t/<slug:tenant_slug>/record.json",
        record.RecordDownloadView.as_view(fmt="json"),
        name="record_json",
    ),
]
