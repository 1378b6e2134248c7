"""``/account/tokens/``: personal API tokens of the signed-in user. The secret is shown once.

Creating is POST → redirect → GET (a reload never creates another token); the secret travels to
the next page in the session, which the GET takes out, so it shows exactly once. Every response
here is ``no-store, private`` (portal.middleware.PrivateByDefaultMiddleware).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from control.base import AccountPage
from control.export_forms import TokenForm
from portal.mfa.stepup import recent_second_factor
from portal.models import ApiToken
from portal.permissions import client_ip
from portal.services.tokens import create_token, revoke_token

NEW_SECRET_KEY = "new_api_token_secret"  # noqa: S105 — the session key's name, not a secret


@method_decorator(recent_second_factor, name="post")  # a new token: step-up (docs/mfa.md)
class TokenListView(AccountPage):
    template_name = "exports/tokens.html"
    title = _("Personal API tokens")
    nav_section = "tokens"
    refusal_fields = {"": "name"}
    refusal_status = 400

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", TokenForm(user=self.request.user))
        # Personal, not tenant data: a user's own tokens are the whole scope.
        ctx["tokens"] = ApiToken.objects.filter(user=self.request.user).select_related(
            "tenant", "operator"
        )
        return ctx

    def get(self, request, *args, **kwargs):
        secret = request.session.pop(NEW_SECRET_KEY, None)  # shown on this one page only
        return self.render_to_response(self.get_context_data(secret=secret))

    def post(self, request):
        form = self.form = TokenForm(request.POST, user=request.user)
        if form.is_valid():
            _token, secret = create_token(
                request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                ip=client_ip(request),
                **form.cleaned_data["limit"],
            )
            request.session[NEW_SECRET_KEY] = secret
            return redirect("tokens")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RevokeTokenView(AccountPage):
    http_method_names = ["post"]

    def refused_url(self) -> str:
        return reverse("tokens")

    def post(self, request):
        raw = request.POST.get("token", "")
        # The id travels in the form body, never in a URL; only the user's own tokens match.
        token = (
            ApiToken.objects.filter(user=request.user, pk=int(raw)).first()
            if raw.isdigit()
            else None
        )
        if token is None:
            raise Http404("No such token.")
        revoke_token(token, by=request.user, ip=client_ip(request))
        messages.success(
            request, gettext("The token “%(name)s” was revoked.") % {"name": token.name}
        )
        return redirect("tokens")
