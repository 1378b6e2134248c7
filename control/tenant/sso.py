"""Single sign-on settings of one tenant (``/t/<slug>/settings/sso/``, admins; docs/sso.md):
the identity provider and the e-mail domains its members sign in with."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from control.account.sso import callback_url
from control.base import ServiceFormPage, TenantPage
from control.sso_forms import DomainForm, SSOSettingsForm
from portal.models import TenantDomain, TenantSSO
from portal.permissions import client_ip
from portal.services import sso as sso_services


class SSOSettingsView(ServiceFormPage):
    nav_section = "sso"
    template_name = "portal/tenant/sso.html"
    form_class = SSOSettingsForm
    title = _("Single sign-on")

    def get_initial(self):
        config = TenantSSO.objects.filter(tenant=self.tenant).first()
        if config is None:
            return {}
        return {
            "issuer": config.issuer,
            "client_id": config.client_id,
            "enabled": config.enabled,
            "require_sso": config.require_sso,
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        config = TenantSSO.objects.filter(tenant=self.tenant).first()
        ctx["config"] = config
        ctx["domains"] = TenantDomain.objects.filter(tenant=self.tenant)
        ctx["domain_form"] = DomainForm()
        ctx["callback_url"] = callback_url(self.request, self.tenant)
        ctx["start_url"] = self.request.build_absolute_uri(
            reverse("sso_start", kwargs={"tenant_slug": self.tenant.slug})
        )
        return ctx

    def perform(self, form) -> str:
        config = sso_services.configure_sso(
            self.tenant, **form.cleaned_data, by=self.request.user, ip=self.ip
        )
        if config.require_sso:
            return gettext(
                "Single sign-on is on and required: members can no longer use a password."
            )
        if config.enabled:
            return gettext("Single sign-on is on.")
        return gettext("The identity provider was saved; single sign-on is off.")

    def get_success_url(self) -> str:
        return self.tenant_url("sso")


class DomainAction(TenantPage):
    """An action on the domain list of the SSO page; a refusal is shown there."""

    admin_required = True
    http_method_names = ["post"]
    nav_section = "sso"

    def refused_url(self) -> str:
        return self.tenant_url("sso")


class DomainAddView(DomainAction):
    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = DomainForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Enter a domain such as contoso.com."))
            return redirect(self.tenant_url("sso"))
        claim = sso_services.add_domain(
            self.tenant, domain=form.cleaned_data["domain"], by=request.user, ip=client_ip(request)
        )
        messages.success(
            request,
            gettext("%(domain)s was added; platform staff will verify it.")
            % {"domain": claim.domain},
        )
        return redirect(self.tenant_url("sso"))


class DomainRemoveView(DomainAction):
    def post(self, request, *args, **kwargs) -> HttpResponse:
        domain = (request.POST.get("domain") or "").strip().lower()
        claim = TenantDomain.objects.filter(tenant=self.tenant, domain=domain).first()
        if claim is None:
            raise Http404("No such domain.")
        sso_services.remove_domain(claim, by=request.user, ip=client_ip(request))
        messages.success(request, gettext("%(domain)s was removed.") % {"domain": domain})
        return redirect(self.tenant_url("sso"))
