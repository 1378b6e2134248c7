"""Turning Operator Connect on (with a recorded acknowledgement) and off (with a confirmation)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from control.base import ServiceFormPage, text_blocks
from control.forms import ConfirmForm, EnableForm
from portal.acknowledgements import ENABLE_TEXT
from portal.services import disable_operator_connect, enable_operator_connect


class EnableView(ServiceFormPage):
    """States the data transfer in plain words and records the acknowledgement (I4)."""

    template_name = "portal/tenant/enable.html"
    form_class = EnableForm
    title = _("Enable Operator Connect")

    def get(self, request, *args, **kwargs):
        if self.tenant.operator_connect_enabled:
            messages.info(request, gettext("Operator Connect is already enabled."))
            return redirect("tenant:dashboard", tenant_slug=self.tenant.slug)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["ack_text"] = ENABLE_TEXT
        ctx["ack_blocks"] = text_blocks(ENABLE_TEXT.text)
        return ctx

    def perform(self, form) -> str:
        enable_operator_connect(
            self.tenant, by=self.request.user, acknowledged=form.cleaned_data["acknowledged"],
            ip=self.ip,
        )  # fmt: skip
        return gettext(
            "Operator Connect is now enabled. Data is shared with each operator you add, "
            "for the countries you choose."
        )

    def get_success_url(self) -> str:
        return self.tenant_url("dashboard")


class DisableView(ServiceFormPage):
    """Explains that sharing stops at once for every operator, then asks for confirmation."""

    template_name = "portal/tenant/disable.html"
    form_class = ConfirmForm
    title = _("Disable Operator Connect")

    def get(self, request, *args, **kwargs):
        if not self.tenant.operator_connect_enabled:
            messages.info(request, gettext("Operator Connect is already disabled."))
            return redirect("tenant:dashboard", tenant_slug=self.tenant.slug)
        return super().get(request, *args, **kwargs)

    def perform(self, form) -> str:
        disable_operator_connect(self.tenant, by=self.request.user, ip=self.ip)
        return gettext("Operator Connect is now disabled. No data is shared with any operator.")

    def get_success_url(self) -> str:
        return self.tenant_url("dashboard")
