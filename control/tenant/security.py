"""``/t/<slug>/security/``: a tenant admin requires a second factor of the tenant's members."""

from __future__ import annotations

from django import forms
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _

from control.base import ServiceFormPage
from portal.mfa.stepup import recent_second_factor
from portal.services.mfa import set_require_mfa


class TenantSecurityForm(forms.Form):
    require_mfa = forms.BooleanField(
        label=_("Members must sign in with a second factor"),
        required=False,
        help_text=_(
            "An authenticator app or a passkey. Members without one must set one up at "
            "their next page view."
        ),
    )


@method_decorator(recent_second_factor, name="post")
class TenantSecurityView(ServiceFormPage):
    nav_section = "security"
    template_name = "mfa/tenant_security.html"
    form_class = TenantSecurityForm
    title = _("Sign-in policy")
    admin_required = "unsafe"

    def get_initial(self):
        return {"require_mfa": self.tenant.require_mfa}

    def perform(self, form) -> str:
        require = form.cleaned_data["require_mfa"]
        set_require_mfa(self.tenant, require=require, by=self.request.user, ip=self.ip)
        return (
            "Members must now use a second factor."
            if require
            else "A second factor is now optional for members."
        )

    def get_success_url(self) -> str:
        return self.tenant_url("security")
