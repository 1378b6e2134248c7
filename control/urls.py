"""Signed-in pages: the account's own, then one tenant's, then the operator portal."""

from django.urls import include, path, register_converter

from control.account import sso, tokens
from control.account import views as accounts


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
    path("accounts/profile/", accounts.ProfileView.as_view(), name="profile"),
    path("accounts/sso/", sso.discover, name="sso_discover"),
    path("accounts/sso/<slug:tenant_slug>/", sso.start, name="sso_start"),
    path("accounts/sso/<slug:tenant_slug>/callback/", sso.callback, name="sso_callback"),
    path(
        "accounts/sign-out-everywhere/",
        accounts.sign_out_everywhere_view,
        name="sign_out_everywhere",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/tokens/", tokens.TokenListView.as_view(), name="tokens"),
    path("account/tokens/revoke/", tokens.RevokeTokenView.as_view(), name="token_revoke"),
    path("account/security/", include("control.account.mfa_urls")),
    path("account/security/passkeys/", include("control.account.passkeys")),
    # One tenant: its pages (``tenant``), notice and record (``notices``), exports (``exports``),
    # data subjects (``privacy``).
    path("t/<slug:tenant_slug>/", include("control.tenant.urls", namespace="tenant")),
    path("", include("control.tenant.notice_urls")),
    path("", include("control.tenant.export_urls")),
    path("", include("control.tenant.privacy_urls")),
    # The operator portal.
    path("o/<slug:operator_slug>/", include("control.operator.urls")),
]
