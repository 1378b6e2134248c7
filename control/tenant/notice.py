"""Tenant portal pages of the notice: status and draft, publish, history, versions, diff, settings.

Viewers read every page; only admins publish or change the settings (``TenantMixin``).
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from control.base import FormPage, TenantPage
from control.tenant.notice_forms import DiffForm, InForceForm, NoticeSettingsForm, PublishForm
from notices.content import LANGUAGE_NAMES, LANGUAGES, version_summary
from notices.diff import diff_versions
from notices.models import NoticeSettings, NoticeVersion
from notices.services import notice_status, publish_notice, update_notice_settings
from portal.permissions import client_ip
from portal.retention_policy import call_record_retention_days


def _lang(request) -> str:
    lang = request.GET.get("lang", "en")
    return lang if lang in LANGUAGES else "en"


def _language_links(lang: str) -> list[dict]:
    return [
        {"code": code, "name": LANGUAGE_NAMES[code], "current": code == lang} for code in LANGUAGES
    ]


class NoticePage(TenantPage):
    nav_section = "notice"

    def notice_url(self, name: str, *args) -> str:
        return reverse(f"notices:{name}", args=[self.tenant.slug, *args])


class HistoryPage(NoticePage):
    nav_section = "notice_history"

    def get_breadcrumbs(self):
        return [(_("Notice history"), self.notice_url("history")), (self.get_title(), None)]


class NoticeStatusView(NoticePage):
    """Current version, out-of-date warning, the draft as it would be published, publish form."""

    template_name = "notices/status.html"
    title = _("Privacy notice")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        lang = _lang(self.request)
        status = notice_status(self.tenant)
        ctx.update(
            {
                "status": status,
                "lang": lang,
                "language_links": _language_links(lang),
                # Nothing to publish: show the version in force, with its number and date, not
                # a "Draft — not yet published" copy of it.
                "draft_html": mark_safe(  # noqa: S308 — escaped render
                    status.current.content.get(lang) or status.current.content.get("en", "")
                    if status.current and not status.can_publish
                    else status.draft_html(lang)
                ),
                "publish_form": PublishForm(),
            }
        )
        return ctx


class PublishView(NoticePage, FormView):
    """POST only, from the status page: publish the draft as the next version. Input errors and
    refusals are shown as messages there."""

    admin_required = True
    form_class = PublishForm
    http_method_names = ["post"]

    def refused_url(self) -> str:
        return self.notice_url("status")

    def form_valid(self, form):
        day = form.cleaned_data.get("effective_on")
        version = publish_notice(
            self.tenant,
            by=self.request.user,
            note=form.cleaned_data["note"],
            ip=client_ip(self.request),
            effective_at=datetime.combine(day, time.min, tzinfo=UTC) if day else None,
        )
        if version.effective_at > version.published_at:
            messages.success(
                self.request,
                gettext("Version %(n)s is published and takes effect on %(on)s UTC: %(changes)s.")
                % {
                    "n": version.number,
                    "on": f"{version.effective_at:%d %b %Y, %H:%M}",
                    "changes": version_summary(version),
                },
            )
        else:
            messages.success(
                self.request,
                gettext("Version %(n)s is published and in force: %(changes)s.")
                % {"n": version.number, "changes": version_summary(version)},
            )
        return HttpResponseRedirect(self.notice_url("status"))

    def form_invalid(self, form):
        messages.error(self.request, " ".join(e for errs in form.errors.values() for e in errs))
        return HttpResponseRedirect(self.notice_url("status"))


class HistoryView(NoticePage):
    """Every published version, newest first, and "which version was in force on date D"."""

    template_name = "notices/history.html"
    nav_section = "notice_history"
    title = _("Notice history")

    def get(self, request, *args, **kwargs):
        if "on" in request.GET:
            form = InForceForm(request.GET)
            if form.is_valid():
                day = form.cleaned_data["on"]
                version = NoticeVersion.objects.in_force_on(
                    self.tenant, datetime.combine(day, time.max, tzinfo=UTC)
                )
                if version is not None:
                    url = reverse("notices:version", args=[self.tenant.slug, version.number])
                    return HttpResponseRedirect(url)
                messages.info(
                    request,
                    gettext("No version of the notice was in force on %(day)s.")
                    % {"day": f"{day:%Y-%m-%d}"},
                )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        versions = list(NoticeVersion.objects.for_tenant(self.tenant).order_by("-number"))
        ctx.update(
            {
                "versions": versions,
                "current": NoticeVersion.objects.current_for(self.tenant),
                "now": timezone.now(),
                "in_force_form": InForceForm(
                    self.request.GET if "on" in self.request.GET else None
                ),
                "diff_form": DiffForm(
                    initial={
                        "a": versions[1].number if len(versions) > 1 else 1,
                        "b": versions[0].number if versions else 1,
                    }
                ),
            }
        )
        return ctx


class VersionView(HistoryPage):
    """One version as published, in any of its languages, with its checksum and note."""

    template_name = "notices/version.html"

    def get_title(self) -> str:
        return gettext("Notice version %(n)s") % {"n": self.kwargs["number"]}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        version = (
            NoticeVersion.objects.for_tenant(self.tenant).filter(number=kwargs["number"]).first()
        )
        if version is None:
            raise Http404("No such version.")
        lang = _lang(self.request)
        current = NoticeVersion.objects.current_for(self.tenant)
        ctx.update(
            {
                "version": version,
                "lang": lang,
                "language_links": _language_links(lang),
                "body": mark_safe(version.content.get(lang) or version.content["en"]),  # noqa: S308
                "is_current": current is not None and current.pk == version.pk,
                "is_scheduled": version.effective_at > timezone.now(),
                "previous_number": version.number - 1 if version.number > 1 else None,
            }
        )
        return ctx


class DiffView(HistoryPage):
    """A readable diff between versions ``a`` and ``b`` (query parameters)."""

    template_name = "notices/diff.html"
    title = _("Compare notice versions")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = DiffForm(self.request.GET)
        if not form.is_valid():
            raise Http404("Choose two versions.")
        versions = {
            v.number: v
            for v in NoticeVersion.objects.for_tenant(self.tenant).filter(
                number__in=[form.cleaned_data["a"], form.cleaned_data["b"]]
            )
        }
        old = versions.get(form.cleaned_data["a"])
        new = versions.get(form.cleaned_data["b"])
        if old is None or new is None:
            raise Http404("No such version.")
        lang = _lang(self.request)
        ctx.update({"old": old, "new": new, "diff": diff_versions(old, new, lang), "lang": lang})
        return ctx


class SettingsView(NoticePage, FormPage):
    """The introduction and contact details admins may add (viewers see them read-only)."""

    template_name = "notices/settings.html"
    title = _("Notice settings")
    form_class = NoticeSettingsForm
    admin_required = "unsafe"

    def get_initial(self):
        obj = NoticeSettings.objects.filter(tenant=self.tenant).first()
        if obj is None:
            return {}
        return {
            field: getattr(obj, field)
            for field in (
                "introduction",
                "contact_name",
                "contact_email",
                "contact_phone",
                "contact_url",
                "contact_address",
                "legal_basis",
                "numbers_retention_days",
                "locations_retention_days",
                "dpo_name",
                "dpo_email",
                "authority_name",
                "authority_url",
            )
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["call_record_days"] = call_record_retention_days(self.tenant)
        return ctx

    def form_valid(self, form):
        update_notice_settings(
            self.tenant, by=self.request.user, ip=client_ip(self.request), **form.cleaned_data
        )
        messages.success(
            self.request,
            gettext(
                "Saved. Publish a new version of the notice to show these changes to your users."
            ),
        )
        return HttpResponseRedirect(self.notice_url("status"))
