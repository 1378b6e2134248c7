from django.urls import path

from notices import public, record_views, views

app_name = "notices"
urlpatterns = [
    # Public, no login: what end users read.
    path("notice/<slug:tenant_slug>/", public.notice_page, name="public"),
    path("notice/<slug:tenant_slug>/v/<int:number>/", public.notice_page, name="public_version"),
    path("notice/<slug:tenant_slug>.json", public.notice_json, name="public_json"),
    path("notice/<slug:tenant_slug>/diff/", public.notice_diff, name="public_diff"),
    path("notice/<slug:tenant_slug>/feed.atom", public.notice_feed, name="public_feed"),
    # Tenant portal: viewers read, admins publish and edit.
    path("t/<slug:tenant_slug>/notice/", views.NoticeStatusView.as_view(), name="status"),
    path("t/<slug:tenant_slug>/notice/publish/", views.PublishView.as_view(), name="publish"),
    path("t/<slug:tenant_slug>/notice/history/", views.HistoryView.as_view(), name="history"),
    path(
        "t/<slug:tenant_slug>/notice/v/<int:number>/",
        views.VersionView.as_view(),
        name="version",
    ),
    path("t/<slug:tenant_slug>/notice/diff/", views.DiffView.as_view(), name="diff"),
    path("t/<slug:tenant_slug>/notice/settings/", views.SettingsView.as_view(), name="settings"),
    # Record of processing per operator (GDPR Art. 30): tenant admins only.
    path("t/<slug:tenant_slug>/record/", record_views.RecordView.as_view(), name="record"),
    path(
        "t/<slug:tenant_slug>/record.csv",
        record_views.RecordDownloadView.as_view(fmt="csv"),
        name="record_csv",
    ),
    path(
        "t/<slug:tenant_slug>/record.json",
        record_views.RecordDownloadView.as_view(fmt="json"),
        name="record_json",
    ),
]
