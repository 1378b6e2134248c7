"""The public privacy notice, under ``/notice/<tenant_slug>`` (namespace ``public``)."""

from django.urls import path

from public import views

app_name = "public"

urlpatterns = [
    path("notice/<slug:tenant_slug>/", views.notice_page, name="notice"),
    path("notice/<slug:tenant_slug>/v/<int:number>/", views.notice_page, name="version"),
    path("notice/<slug:tenant_slug>.json", views.notice_json, name="json"),
    path("notice/<slug:tenant_slug>/diff/", views.notice_diff, name="diff"),
    path("notice/<slug:tenant_slug>/feed.atom", views.notice_feed, name="feed"),
]
