"""Export jobs in the Django admin: read-only, for platform staff."""

from django.contrib import admin

from exports.models import ExportJob, ExportSchedule
from portal.admin import ReadOnlyMixin
from portal.models import WebhookEndpoint


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "id", "tenant", "operator", "status", "requested_via", "format", "rows_total",
        "created_at", "finished_at", "expires_at",
    )  # fmt: skip
    list_filter = ("status", "requested_via", "format")
    list_select_related = ("tenant", "operator")
    search_fields = ("id", "tenant__name", "tenant__slug", "operator__name", "operator__slug")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    readonly_fields = [f.name for f in ExportJob._meta.fields]
    fields = readonly_fields
    show_full_result_count = False


@admin.register(ExportSchedule)
class ExportScheduleAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: operator admins manage schedules in the portal (``exports.schedules``)."""

    list_display = ("name", "operator", "tenant", "cadence", "next_run_at", "paused")
    list_filter = ("cadence", "paused")
    list_select_related = ("operator", "tenant")
    search_fields = ("name", "operator__name", "tenant__name")
    readonly_fields = [f.name for f in ExportSchedule._meta.fields]
    fields = readonly_fields


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only, and never the secrets (stored encrypted): operator admins manage endpoints."""

    list_display = ("url", "operator", "is_active", "consecutive_failures", "created_at")
    list_filter = ("is_active",)
    list_select_related = ("operator",)
    search_fields = ("url", "operator__name")
    readonly_fields = [
        f.name for f in WebhookEndpoint._meta.fields if f.name not in ("secret", "previous_secret")
    ]
    fields = readonly_fields
