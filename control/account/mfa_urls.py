"""``/account/security/`` (namespace ``mfa``); passkeys: ``control.account.passkeys``."""

from django.urls import path

from control.account import mfa as views

app_name = "mfa"

urlpatterns = [
    path("", views.security, name="security"),
    path("verify/", views.verify, name="verify"),
    path("app/", views.totp_add, name="totp_add"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("remove/", views.device_remove, name="device_remove"),
]
