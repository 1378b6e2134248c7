"""Export jobs in the Django admin: read-only, for platform staff."""

from django.contrib import admin

from exports.models import ExportJob
from portal.admin import ReadOnlyMixin


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
