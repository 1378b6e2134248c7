from django.contrib import admin
from django.urls import include, path

from portal import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("portal.api.urls")),
    path("", include("notices.urls")),
    path("", include("exports.urls")),
    path("", include("privacy.urls")),
    path("account/security/", include("portal.mfa.urls")),
    path("account/security/passkeys/", include("portal.mfa.webauthn")),
    path("", include("portal.web.urls")),
]

handler500 = "portal.outage.server_error"
