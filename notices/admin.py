"""Django admin for staff: published notices (read-only) and operator link health."""

from django.contrib import admin
from django.utils.html import format_html_join

from notices.models import NoticeSettings, NoticeVersion, OperatorLinkHealth


class ReadOnlyAdmin(admin.ModelAdmin):
    """Readable by every platform staff member (DESIGN: staff = ``is_staff``), writable by none."""

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NoticeVersion)
class NoticeVersionAdmin(ReadOnlyAdmin):
    """Published versions are immutable: staff can read them, nobody can edit or delete them."""

    list_display = ("tenant", "number", "effective_at", "published_by_label", "change_summary")
    list_filter = ("tenant",)
    search_fields = ("tenant__name", "tenant__slug", "change_summary")
    ordering = ("tenant__name", "-number")
    exclude = ("published_by",)


@admin.register(NoticeSettings)
class NoticeSettingsAdmin(admin.ModelAdmin):
    list_display = ("tenant", "contact_email", "updated_at")
    search_fields = ("tenant__name", "tenant__slug")
    raw_id_fields = ("tenant", "updated_by")


class BrokenFilter(admin.SimpleListFilter):
    title = "link health"
    parameter_name = "links"

    def lookups(self, request, model_admin):
        return [("broken", "Broken links"), ("ok", "All links work"), ("never", "Never checked")]

    def queryset(self, request, queryset):
        if self.value() == "broken":
            return queryset.exclude(links_broken={})
        if self.value() == "ok":
            return queryset.filter(links_broken={}, links_checked_at__isnull=False)
        if self.value() == "never":
            return queryset.filter(links_checked_at__isnull=True)
        return queryset


@admin.register(OperatorLinkHealth)
class OperatorLinkHealthAdmin(ReadOnlyAdmin):
    """Which operators' privacy or terms links failed the last periodic check."""

    list_display = ("name", "links_status", "problems", "links_checked_at")
    list_filter = (BrokenFilter,)
    search_fields = ("name", "slug")
    fields = ("name", "privacy_policy_url", "terms_url", "links_checked_at", "problems")
    readonly_fields = fields

    @admin.display(description="Links")
    def links_status(self, obj) -> str:
        if obj.links_checked_at is None:
            return "never checked"
        return "BROKEN" if obj.links_broken else "ok"

    @admin.display(description="Problems")
    def problems(self, obj) -> str:
        broken = obj.links_broken or {}
        labels = {"privacy_policy_url": "Privacy policy", "terms_url": "Terms of use"}
        return format_html_join(
            "; ",
            "{}: {} ({})",
            (
                (labels.get(k, k), v.get("url", ""), v.get("reason", ""))
                for k, v in sorted(broken.items())
                if isinstance(v, dict)
            ),
        )
