"""Sign-in, the home page (tenant switcher) and the user's own profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from control.base import AccountPage, FormPage
from control.forms import EmailAuthenticationForm, ProfileForm
from portal.models import Membership, Operator, Tenant
from portal.permissions import client_ip
from portal.services.accounts import sign_out_everywhere, update_profile


class EmailLoginView(LoginView):
    """Django's login view with an e-mail field. Axes checks the attempt before the hasher."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a signed-in user lands: straight into their only tenant or operator, or a chooser."""
    user = request.user
    tenants = list(Tenant.objects.visible_to(user).order_by("name"))
    operators = list(Operator.objects.staffed_by(user).order_by("name"))
    if len(tenants) == 1 and not operators and not user.is_staff:
        return redirect("tenant:dashboard", tenant_slug=tenants[0].slug)
    if len(operators) == 1 and not tenants and not user.is_staff:
        return redirect("operator:home", operator_slug=operators[0].slug)
    roles = dict(
        Membership.objects.filter(user=user, tenant__in=tenants).values_list("tenant_id", "role")
    )
    rows = [(t, roles.get(t.pk, "staff" if user.is_staff else "")) for t in tenants]
    return render(
        request,
        "portal/home.html",
        {
            "tenant_rows": rows,
            "operators": operators,
            "operator_links": [(o, f"/o/{o.slug}/") for o in operators],
        },
    )


class ProfileView(AccountPage, FormPage):
    """The user's name and time zone (dates everywhere are shown in it)."""

    template_name = "portal/profile.html"
    form_class = ProfileForm
    title = _("Your profile")

    def get_initial(self):
        user = self.request.user
        return {
            "full_name": user.full_name,
            "time_zone": user.time_zone,
            "optional_emails": user.optional_emails,
        }

    def form_valid(self, form):
        update_profile(self.request.user, **form.cleaned_data)
        messages.success(self.request, gettext("Your profile was saved."))
        return redirect(reverse("profile"))


@require_POST
@login_required
def sign_out_everywhere_view(request: HttpRequest) -> HttpResponse:
    """End every other session of the user (a new session salt); this one stays."""
    sign_out_everywhere(request.user, request=request, ip=client_ip(request))
    messages.success(request, gettext("Every other session was signed out."))
    return redirect(reverse("profile"))
