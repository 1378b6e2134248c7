"""``/account/security/``: set up, use and remove second factors (docs/mfa.md)."""

from __future__ import annotations

import base64
import io
from binascii import unhexlify
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key
from django_otp_webauthn.models import WebAuthnCredential

from portal.choices import AuditAction
from portal.mfa.policy import mark_verified, state_of
from portal.mfa.stepup import recent_second_factor
from portal.permissions import client_ip
from portal.services.audit import record_event

RECOVERY_CODES = 10
RECOVERY_DEVICE_NAME = "Recovery codes"
PENDING_TOTP_KEY = "mfa_pending_totp_key"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
    )


class TotpConfirmForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64, initial=_("Authenticator app"))
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request: HttpRequest, default: str = "") -> str:
    """The page to return to (``next``, same host only), else ``default`` or home."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return default or reverse("home")


def _recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()


@never_cache
def security(request: HttpRequest) -> HttpResponse:
    """The user's second factors, and what they must do (enrol first if it is required)."""
    user = request.user
    state = state_of(user)
    recovery = _recovery_device(user)
    return render(
        request,
        "mfa/security.html",
        {
            "title": gettext("Sign-in security"),
            "state": state,
            "apps": TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id"),
            "passkeys": WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("id"),
            "recovery_left": recovery.token_set.count() if recovery else None,
            "next": _next_url(request) if request.GET.get("next") else "",
        },
    )


def _qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@never_cache
@recent_second_factor(first_enrolment=True)
def totp_add(request: HttpRequest) -> HttpResponse:
    """Show a new secret (QR code and text), keep it in the session until a code confirms it."""
    user = request.user
    key = request.session.get(PENDING_TOTP_KEY)
    if not key:
        key = request.session[PENDING_TOTP_KEY] = default_key()
    device = TOTPDevice(user=user, key=key, name="Authenticator app")  # unsaved until confirmed
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().replace(" ", "")
        totp = TOTP(unhexlify(key.encode()), device.step, device.t0, device.digits, device.drift)
        if code.isdigit() and totp.verify(int(code), tolerance=device.tolerance):
            with transaction.atomic():
                device.name = form.cleaned_data["name"].strip() or "Authenticator app"
                device.confirmed = True
                device.last_t = totp.t()
                device.save()
                record_event(
                    AuditAction.MFA_DEVICE_ADDED, actor=user, target_label=device.name,
                    ip=client_ip(request), kind="totp",
                )  # fmt: skip
            del request.session[PENDING_TOTP_KEY]
            mark_verified(request, device)
            messages.success(
                request,
                gettext("“%(name)s” is set up. Keep recovery codes too.") % {"name": device.name},
            )
            return redirect(_next_url(request, default=reverse("mfa:security")))
        form.add_error("code", "That code doesn't match. Check the app's clock and try again.")
    secret = base64.b32encode(unhexlify(key.encode())).decode()
    return render(
        request,
        "mfa/totp_add.html",
        {
            "title": gettext("Add an authenticator app"),
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "otpauth_uri": device.config_url,
            "qr": _qr_data_uri(device.config_url),
            "next": request.GET.get("next") or request.POST.get("next") or "",
        },
    )


@never_cache
@require_POST
@recent_second_factor
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes replace the old ones; they are shown this once."""
    user = request.user
    if not state_of(user).enrolled:
        messages.error(request, gettext("Set up an authenticator app or a passkey first."))
        return redirect("mfa:security")
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        record_event(
            AuditAction.MFA_RECOVERY_CODES, actor=user, target_label=RECOVERY_DEVICE_NAME,
            ip=client_ip(request), count=len(codes),
        )  # fmt: skip
    response = render(
        request,
        "mfa/recovery_codes.html",
        {"title": gettext("Your recovery codes"), "codes": codes},
    )
    response["Cache-Control"] = "no-store"
    return response


def _own_device(user, kind: str, pk: str):
    model = {"totp": TOTPDevice, "passkey": WebAuthnCredential, "recovery": StaticDevice}.get(kind)
    if model is None or not pk.isdigit():
        raise Http404("No such device.")
    device = model.objects.filter(user=user, pk=int(pk)).first()
    if device is None:
        raise Http404("No such device.")
    return device


@require_POST
@recent_second_factor
def device_remove(request: HttpRequest) -> HttpResponse:
    """Remove one of the user's own devices. The last one stays while a second factor is due."""
    user = request.user
    kind = request.POST.get("kind", "")
    device = _own_device(user, kind, request.POST.get("device", ""))
    if kind != "recovery":
        others = (
            TOTPDevice.objects.filter(user=user, confirmed=True)
            .exclude(pk=device.pk if kind == "totp" else None)
            .count()
            + WebAuthnCredential.objects.filter(user=user, confirmed=True)
            .exclude(pk=device.pk if kind == "passkey" else None)
            .count()
        )
        state = state_of(user)
        if not others and state.required:
            messages.error(
                request, f"{state.required_because} Add another one before removing the last."
            )
            return redirect("mfa:security")
    name = device.name or ("Passkey" if kind == "passkey" else "Device")
    device.delete()
    record_event(
        AuditAction.MFA_DEVICE_REMOVED, actor=user, target_label=name, ip=client_ip(request),
        kind=kind,
    )  # fmt: skip
    messages.success(request, gettext("“%(name)s” was removed.") % {"name": name})
    return redirect("mfa:security")


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the second factor: an app's code, a recovery code (used once), or a passkey."""
    user = request.user
    state = state_of(user)
    nxt = _next_url(request)
    if not state.enrolled:
        return redirect(f"{reverse('mfa:security')}?{urlencode({'next': nxt})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().replace(" ", "")
        with transaction.atomic():
            # Six digits: an app's code; anything else: a recovery code (no wasted throttle).
            kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
            device = next(
                (
                    d
                    for d in devices_for_user(user, for_verify=True)
                    if isinstance(d, kind) and d.verify_token(code)
                ),
                None,
            )
        if device is not None:
            mark_verified(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. Generate new ones if you run low.",
                )
            return redirect(nxt)
        form.add_error(
            "code",
            "That code is not valid, was used already, or came too soon after a wrong one. "
            "Try again.",
        )
    return render(
        request,
        "mfa/verify.html",
        {
            "title": gettext("Confirm it's you"),
            "form": form,
            "next": nxt,
            "has_passkey": WebAuthnCredential.objects.filter(user=user, confirmed=True).exists(),
        },
    )
