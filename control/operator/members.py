"""Members of the operator, for its admins: list, invite by e-mail, change roles, remove.

Members are addressed by e-mail in the POST body, never by an id in the URL. The last-admin
rule and invitations live in the services (``portal.services.members``), shared with the
tenant side and the API.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from control.base import FormPage, OperatorPage
from control.forms import MemberRemoveForm, OperatorMemberInviteForm, OperatorMemberRoleForm
from control.messages import added_message, role_changed_message
from portal.choices import OperatorRole
from portal.models import OperatorMembership
from portal.permissions import client_ip
from portal.services import (
    add_operator_member,
    change_operator_member_role,
    remove_operator_member,
)


class OperatorAdminPage(OperatorPage):
    admin_required = True
    nav_section = "operator_members"

    def refused_url(self) -> str:
        return self.members_url()

    def parent_crumbs(self):
        return [(_("Members"), self.members_url())]

    def members_url(self) -> str:
        return reverse("operator:members", kwargs={"operator_slug": self.operator.slug})

    def membership(self, email: str) -> OperatorMembership:
        membership = (
            OperatorMembership.objects.filter(operator=self.operator, user__email__iexact=email)
            .select_related("user")
            .first()
        )
        if membership is None:
            raise Http404("No such member.")
        return membership


class MemberListView(OperatorAdminPage):
    template_name = "exports/operator/members.html"
    title = _("Members")

    def parent_crumbs(self):
        return []

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["memberships"] = (
            OperatorMembership.objects.filter(operator=self.operator)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )
        ctx["roles"] = OperatorRole.choices
        return ctx


class MemberInviteView(OperatorAdminPage, FormPage):
    template_name = "exports/operator/member_invite.html"
    title = _("Invite a member")
    form_class = OperatorMemberInviteForm

    def form_valid(self, form) -> HttpResponse:
        data = form.cleaned_data
        membership = add_operator_member(
            self.operator, email=data["email"], role=data["role"],
            full_name=data["full_name"], by=self.request.user, ip=client_ip(self.request),
        )  # fmt: skip
        messages.success(self.request, added_message(membership))
        return redirect(self.members_url())


class MemberRoleView(OperatorAdminPage):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = OperatorMemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Choose a valid role."))
            return redirect(self.members_url())
        membership = self.membership(form.cleaned_data["email"])
        self.refusal_subject = membership.user.display_name
        membership = change_operator_member_role(
            membership, role=form.cleaned_data["role"], by=request.user, ip=client_ip(request)
        )
        messages.success(request, role_changed_message(membership))
        return redirect(self.members_url())


class MemberRemoveView(OperatorAdminPage):
    """POST without ``confirm`` shows the confirmation page; with it, removes the member."""

    http_method_names = ["post"]
    template_name = "exports/operator/member_remove.html"
    title = _("Remove a member")

    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = MemberRemoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Choose a member to remove."))
            return redirect(self.members_url())
        membership = self.membership(form.cleaned_data["email"])
        if not form.cleaned_data["confirm"]:
            return render(request, self.template_name, self.get_context_data(membership=membership))
        name, myself = membership.user.display_name, membership.user_id == request.user.pk
        self.refusal_subject = name
        remove_operator_member(membership, by=request.user, ip=client_ip(request))
        if myself:
            messages.success(request, gettext("You left %(name)s.") % {"name": self.operator.name})
            return redirect("home")
        messages.success(request, gettext("%(name)s is no longer a member.") % {"name": name})
        return redirect(self.members_url())
