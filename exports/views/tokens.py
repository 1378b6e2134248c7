"""``/account/tokens/``: personal API tokens of the signed-in user. The secret is shown once."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import TemplateView

from exports.forms import TokenForm
from portal.errors import DomainError
from portal.mfa.stepup import recent_second_factor
from portal.models import ApiToken
from portal.permissions import client_ip
from portal.services.tokens import create_token, revoke_token


@method_decorator(recent_second_factor, name="post")  # a new token: step-up (docs/mfa.md)
class TokenListView(TemplateView):
    template_name = "exports/tokens.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", TokenForm())
        # Personal, not tenant data: a user's own tokens are the whole scope.
        ctx["tokens"] = ApiToken.objects.filter(user=self.request.user)
        return ctx

    def post(self, request):
        form = TokenForm(request.POST)
        secret = None
        status = 400
        if form.is_valid():
            try:
                token, secret = create_token(
                    request.user,
                    name=form.cleaned_data["name"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                    ip=client_ip(request),
                )
            except DomainError as exc:
                form.add_error("name", exc.message)
            else:
                status = 201
                form = TokenForm()
        response = self.render_to_response(
            self.get_context_data(form=form, secret=secret), status=status
        )
        response["Cache-Control"] = "no-store"  # the secret must not linger in any cache
        return response


class RevokeTokenView(View):
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
        try:
            revoke_token(token, by=request.user, ip=client_ip(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"The token “{token.name}” was revoked.")
        return redirect("exports:tokens")
