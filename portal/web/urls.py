from django.urls import include, path, register_converter

from portal.web.views import accounts, sso


class E164Converter:
    """A phone number in E.164 form, with its leading ``+``, as it appears in URLs."""

    regex = r"\+[1-9][0-9]{1,14}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(E164Converter, "e164")

urlpatterns = [
    path("", accounts.home, name="home"),
    path("accounts/login/", accounts.EmailLoginView.as_view(), name="login"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/sso/", sso.discover, name="sso_discover"),
    path("accounts/sso/<slug:tenant_slug>/", sso.start, name="sso_start"),
    path("accounts/sso/<slug:tenant_slug>/callback/", sso.callback, name="sso_callback"),
    path(
        "accounts/sign-out-everywhere/",
        accounts.sign_out_everywhere_view,
        name="sign_out_everywhere",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("t/<slug:tenant_slug>/", include("portal.web.tenant_urls", namespace="tenant")),
]
