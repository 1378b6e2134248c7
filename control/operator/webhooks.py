"""Webhook endpoints in the operator portal, for the operator's admins (docs/operator.md).

Analysts get 403, anyone outside the operator 404 (``OperatorMixin``). A new or rotated secret
travels to the next page in the session, which the GET takes out: it shows exactly once, and a
reload neither shows it again nor makes another (POST-redirect-GET).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from control.base import FormPage, OperatorPage
from control.export_forms import WebhookForm
from portal.choices import WebhookEvent
from portal.mfa.stepup import recent_second_factor
from portal.models import WebhookEndpoint
from portal.permissions import client_ip
from portal.services import webhooks

NEW_SECRET_KEY = "new_webhook_secret"  # noqa: S105 — the session key's name, not a secret


class WebhookAdminPage(OperatorPage):
    admin_required = True
    nav_section = "operator_webhooks"

    def list_url(self) -> str:
        return reverse("operator:webhooks", kwargs={"operator_slug": self.operator.slug})

    def parent_crumbs(self):
        return [(_("Webhooks"), self.list_url())]

    def detail_url(self, endpoint: WebhookEndpoint) -> str:
        return reverse(
            "operator:webhook",
            kwargs={"operator_slug": self.operator.slug, "endpoint_id": endpoint.public_id},
        )

    def get_endpoint(self) -> WebhookEndpoint:
        endpoint = (
            WebhookEndpoint.objects.filter(operator=self.operator)
            .select_related("operator", "created_by")
            .filter(public_id=self.kwargs["endpoint_id"])
            .first()
        )
        if endpoint is None:
            raise Http404("No such webhook endpoint.")
        return endpoint

    def show_secret_once(self, endpoint: WebhookEndpoint, secret: str) -> None:
        self.request.session[NEW_SECRET_KEY] = {"endpoint": str(endpoint.public_id), "s": secret}


class WebhookListView(WebhookAdminPage):
    template_name = "exports/operator/webhooks.html"
    title = _("Webhooks")

    def parent_crumbs(self):
        return []

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["endpoints"] = WebhookEndpoint.objects.filter(operator=self.operator).order_by(
            "created_at"
        )
        return ctx


# A new secret is a credential, like an API token: step-up (docs/mfa.md).
@method_decorator(recent_second_factor, name="post")
class WebhookCreateView(WebhookAdminPage, FormPage):
    template_name = "exports/operator/webhook_form.html"
    form_class = WebhookForm
    title = _("Register a webhook endpoint")

    def form_valid(self, form) -> HttpResponse:
        data = form.cleaned_data
        endpoint, secret = webhooks.create_endpoint(
            self.operator, by=self.request.user, url=data["url"],
            event_types=data["event_types"], description=data["description"],
            ip=client_ip(self.request),
        )  # fmt: skip
        self.show_secret_once(endpoint, secret)
        messages.success(self.request, gettext("Webhook endpoint registered."))
        return redirect(self.detail_url(endpoint))


class WebhookDetailView(WebhookAdminPage):
    """The endpoint, its secret once (just made or rotated), and its delivery log."""

    template_name = "exports/operator/webhook_detail.html"
    title = _("Webhook endpoint")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        endpoint = self.get_endpoint()
        ctx["endpoint"] = endpoint
        shown = self.request.session.pop(NEW_SECRET_KEY, None)
        if shown and shown.get("endpoint") == str(endpoint.public_id):
            ctx["new_secret"] = shown["s"]
        ctx["events"] = [  # the code a receiver matches on, and what it means
            (event, WebhookEvent(event).label if event in WebhookEvent.values else "")
            for event in endpoint.event_types
        ]
        ctx["deliveries"] = webhooks.deliveries_of(endpoint)
        return ctx


class WebhookActionView(WebhookAdminPage):
    http_method_names = ["post"]

    def act(self, endpoint: WebhookEndpoint) -> str:
        raise NotImplementedError

    def refused_url(self) -> str:
        return self.detail_url(self.get_endpoint())

    def post(self, request, *args, **kwargs) -> HttpResponse:
        endpoint = self.get_endpoint()
        done = self.act(endpoint)
        if done:
            messages.success(request, done)
        return redirect(self.detail_url(endpoint))


class WebhookTestView(WebhookActionView):
    def act(self, endpoint):
        webhooks.send_test_event(endpoint, by=self.request.user)
        return gettext("Test event sent; its delivery is in the log below.")


@method_decorator(recent_second_factor, name="post")
class WebhookRotateView(WebhookActionView):
    def act(self, endpoint):
        secret = webhooks.rotate_secret(endpoint, by=self.request.user, ip=client_ip(self.request))
        self.show_secret_once(endpoint, secret)
        return gettext(
            "New secret made. The old one keeps signing too for 24 hours: switch your "
            "receiver to the new one before then."
        )


class WebhookActiveView(WebhookActionView):
    """POST ``active=true`` re-enables, ``active=false`` disables."""

    def act(self, endpoint):
        active = self.request.POST.get("active") == "true"
        webhooks.set_active(
            endpoint, active=active, by=self.request.user, ip=client_ip(self.request)
        )
        return gettext("Endpoint enabled.") if active else gettext("Endpoint disabled.")


class WebhookDeleteView(WebhookAdminPage):
    """POST without ``confirm`` shows the confirmation page; with it, deletes the endpoint."""

    http_method_names = ["post"]
    template_name = "exports/operator/webhook_delete.html"
    title = _("Delete a webhook endpoint")

    def post(self, request, *args, **kwargs) -> HttpResponse:
        endpoint = self.get_endpoint()
        if request.POST.get("confirm") != "yes":
            return render(request, self.template_name, self.get_context_data(endpoint=endpoint))
        webhooks.delete_endpoint(endpoint, by=request.user, ip=client_ip(request))
        messages.success(
            request, gettext("Webhook endpoint %(url)s deleted.") % {"url": endpoint.url}
        )
        return redirect(self.list_url())
