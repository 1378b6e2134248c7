"""Privacy pages of one tenant, under ``/t/<tenant_slug>/privacy/`` (namespace ``privacy``)."""

from django.urls import path

from control.tenant import privacy as views

app_name = "privacy"

urlpatterns = [
    path("t/<slug:tenant_slug>/privacy/access/", views.AccessReportView.as_view(), name="access"),
    path(
        "t/<slug:tenant_slug>/privacy/access/print/",
        views.AccessReportPrintView.as_view(),
        name="access_print",
    ),
    path(
        "t/<slug:tenant_slug>/privacy/retention/",
        views.RetentionView.as_view(),
        name="retention",
    ),
    path("t/<slug:tenant_slug>/privacy/erase/", views.ErasureView.as_view(), name="erase"),
]
