from django.contrib import admin
from django.urls import include, path

from portal import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("api.urls")),
    # One URL map per audience: the REST API, the public notice, the signed-in pages.
    path("", include("public.urls")),
    path("", include("control.urls")),
]

handler500 = "portal.outage.server_error"
