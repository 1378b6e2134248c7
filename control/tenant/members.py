"""Members of the tenant: add by e-mail with a role, change roles, remove.

Members are addressed by e-mail in the POST body, never by an id in the URL. The last-admin
guard lives in the service.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from control.base import ServiceFormPage, TenantPage
from control.forms import MemberAddForm, MemberRemoveForm, MemberRoleForm
from control.messages import added_message, role_changed_message
from portal.choices import TenantRole
from portal.mfa.stepup import recent_second_factor
from portal.models import Membership
from portal.permissions import client_ip
from portal.services import add_member, change_member_role, remove_member


def _membership(tenant, email: str) -> Membership:
    membership = (
        Membership.objects.filter(tenant=tenant, user__email__iexact=email)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership


class MemberListView(TenantPage):
    nav_section = "members"
    template_name = "portal/tenant/members.html"
    title = _("Members")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["memberships"] = (
            Membership.objects.filter(tenant=self.tenant)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )
        ctx["roles"] = TenantRole.choices
        # Guardrail shown before the click: the last admin can be neither demoted nor removed.
        ctx["admin_count"] = sum(1 for m in ctx["memberships"] if m.role == TenantRole.ADMIN)
        return ctx


# Adding a member: step-up before the form is even shown (docs/mfa.md).
@method_decorator(recent_second_factor, name="get")
@method_decorator(recent_second_factor, name="post")
class MemberAddView(ServiceFormPage):
    nav_section = "members"
    template_name = "portal/tenant/member_add.html"
    form_class = MemberAddForm
    title = _("Add a member")

    def get_breadcrumbs(self):
        return [(_("Members"), self.tenant_url("members")), (self.title, None)]

    def perform(self, form) -> str:
        data = form.cleaned_data
        membership = add_member(
            self.tenant, email=data["email"], role=data["role"], full_name=data["full_name"],
            by=self.request.user, ip=self.ip,
        )  # fmt: skip
        return added_message(membership)

    def get_success_url(self) -> str:
        return self.tenant_url("members")


class MembersAction(TenantPage):
    """An action on the member list; a refusal is shown there."""

    admin_required = True
    http_method_names = ["post"]
    nav_section = "members"

    def refused_url(self) -> str:
        return self.tenant_url("members")


class MemberRoleView(MembersAction):
    """POST only, from the role selector on each row of the member list."""

    admin_required = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = MemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Choose a valid role."))
            return redirect(self.tenant_url("members"))
        membership = _membership(self.tenant, form.cleaned_data["email"])
        self.refusal_subject = membership.user.display_name
        membership = change_member_role(
            membership, role=form.cleaned_data["role"], by=request.user, ip=client_ip(request)
        )
        messages.success(request, role_changed_message(membership))
        return redirect(self.tenant_url("members"))


class MemberRemoveView(MembersAction):
    """POST without ``confirm`` shows the confirmation page; with it, removes the member."""

    admin_required = True
    http_method_names = ["post"]
    template_name = "portal/tenant/member_remove.html"
    title = _("Remove a member")

    def get_breadcrumbs(self):
        return [(_("Members"), self.tenant_url("members")), (self.title, None)]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = MemberRemoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Choose a member to remove."))
            return redirect(self.tenant_url("members"))
        membership = _membership(self.tenant, form.cleaned_data["email"])
        if not form.cleaned_data["confirm"]:
            last_admin = (
                membership.role == TenantRole.ADMIN
                and not Membership.objects.filter(tenant=self.tenant, role=TenantRole.ADMIN)
                .exclude(pk=membership.pk)
                .exists()
            )
            ctx = self.get_context_data(membership=membership, last_admin=last_admin)
            return render(request, self.template_name, ctx)
        name, myself = membership.user.display_name, membership.user_id == request.user.pk
        self.refusal_subject = name
        remove_member(membership, by=request.user, ip=client_ip(request))
        if myself:
            messages.success(request, gettext("You left %(name)s.") % {"name": self.tenant.name})
            return redirect("home")
        messages.success(request, gettext("%(name)s is no longer a member.") % {"name": name})
        return redirect(self.tenant_url("members"))
