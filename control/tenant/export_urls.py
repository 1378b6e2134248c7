"""Export pages of one tenant, under ``/t/<tenant_slug>/exports/`` (namespace ``exports``)."""

from django.urls import path

from control.tenant import exports

_job = "<uuid:job_id>"

app_name = "exports"

urlpatterns = [
    path("t/<slug:tenant_slug>/exports/", exports.ExportListView.as_view(), name="tenant_exports"),
    path(
        "t/<slug:tenant_slug>/exports/new/",
        exports.ExportRequestView.as_view(),
        name="tenant_export_new",
    ),
    path(
        "t/<slug:tenant_slug>/exports/shared/", exports.SharedView.as_view(), name="tenant_shared"
    ),
    path(
        f"t/<slug:tenant_slug>/exports/{_job}/",
        exports.ExportDetailView.as_view(),
        name="tenant_export",
    ),
    path(
        f"t/<slug:tenant_slug>/exports/{_job}/status.json",
        exports.ExportStatusView.as_view(),
        name="tenant_export_status",
    ),
    path(
        f"t/<slug:tenant_slug>/exports/{_job}/download/",
        exports.DownloadView.as_view(),
        name="tenant_export_download",
    ),
    path(
        f"t/<slug:tenant_slug>/exports/{_job}/cancel/",
        exports.CancelView.as_view(),
        name="tenant_export_cancel",
    ),
]
