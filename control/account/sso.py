"""Signing in through a tenant's identity provider (docs/sso.md).

- ``/accounts/sso/``: enter an address, go to the identity provider of its domain's tenant;
- ``/accounts/sso/<slug>/`` starts a sign-in at that tenant's provider, ``…/callback/`` ends it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from control.sso_forms import DiscoveryForm
from portal.errors import DomainError
from portal.models import Tenant, TenantSSO
from portal.permissions import client_ip
from portal.services import sso as sso_services
from portal.sso.client import SSOFailed, complete_sign_in, redirect_to_provider
from portal.sso.hooks import after_sign_in

# The session records the backend that vouches for the user on later requests.
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def callback_url(request: HttpRequest, tenant: Tenant) -> str:
    """The redirect URI to register at the provider (absolute, as the browser sees the portal)."""
    return request.build_absolute_uri(reverse("sso_callback", kwargs={"tenant_slug": tenant.slug}))


def _sso_tenant(slug: str) -> tuple[Tenant, TenantSSO]:
    config = (
        TenantSSO.objects.filter(tenant__slug=slug, enabled=True).select_related("tenant").first()
    )
    if config is None:
        raise Http404("No such organization signs in with SSO.")
    return config.tenant, config


@login_not_required
@require_http_methods(["GET", "POST"])
def discover(request: HttpRequest) -> HttpResponse:
    """Which organization's identity provider an address belongs to (by its verified domain)."""
    if request.user.is_authenticated:
        return redirect("home")
    form = DiscoveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        tenant = sso_services.tenant_for_email(email)
        if tenant is not None:
            url = reverse("sso_start", kwargs={"tenant_slug": tenant.slug})
            # Not a redirect: the CSP's form-action ('self') also governs where a form's
            # redirects may lead, and the provider is another origin. This page moves on by itself.
            return render(
                request,
                "registration/sso_continue.html",
                {"sso_tenant": tenant, "next_url": f"{url}?{urlencode({'login_hint': email})}"},
            )
        form.add_error(
            "email",
            gettext(
                "No organization signs in with single sign-on for this address. "
                "Sign in with your password, or use the sign-in link your organization gave you."
            ),
        )
    return render(request, "registration/sso_discover.html", {"form": form})


@login_not_required
@require_GET
def start(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant, config = _sso_tenant(tenant_slug)
    hint = (request.GET.get("login_hint") or "").strip()[:254]
    try:
        return redirect_to_provider(
            request, config, redirect_uri=callback_url(request, tenant), login_hint=hint
        )
    except DomainError as exc:
        return _refused(request, tenant, exc.message, status=502)


@login_not_required
@require_GET
def callback(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant, config = _sso_tenant(tenant_slug)
    ip = client_ip(request)
    try:
        verified = complete_sign_in(request, config)
    except SSOFailed as exc:
        sso_services.record_sso_failure(tenant, reason=exc.reason, ip=ip)
        return _refused(request, tenant, exc.message)
    except DomainError as exc:  # the provider's address fails its checks now (host gone)
        sso_services.record_sso_failure(tenant, reason="provider_address", ip=ip)
        return _refused(request, tenant, exc.message, status=502)
    try:
        user, joined = sso_services.sso_user(tenant, verified.claims, ip=ip)
    except sso_services.SSORefused as exc:
        return _refused(request, tenant, exc.message)
    login(request, user, backend=SESSION_BACKEND)
    sso_services.record_sso_sign_in(user, tenant, ip=ip)
    interrupt = after_sign_in(request, user, method="sso", tenant=tenant)
    if interrupt is not None:
        return interrupt
    if joined is not None:
        messages.success(
            request,
            gettext("Welcome to %(tenant)s. You joined as a viewer.") % {"tenant": tenant.name},
        )
    return redirect("tenant:dashboard", tenant_slug=tenant.slug)


def _refused(request: HttpRequest, tenant: Tenant, message: str, status: int = 403):
    return render(
        request,
        "registration/sso_refused.html",
        {"sso_tenant": tenant, "message": message},
        status=status,
    )


__all__ = ["callback", "discover", "start"]
