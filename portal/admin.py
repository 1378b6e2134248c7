"""Django admin for platform staff (DESIGN §1: "maintains the operator directory, onboards
tenants and users").

Staff edit the directory, tenants, people and memberships here. Everything that decides what an
operator receives — assignments and their periods, numbers, emergency locations, call records —
is read-only: it changes through the tenant admins' services and ingestion, never by hand. Audit
events can be read, never added, changed or deleted. Membership changes go through the services
so that they are audited like the same change made in the portal.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from portal import services
from portal.errors import DomainError
from portal.models import (
    AssignmentCountry,
    AssignmentPeriod,
    AuditEvent,
    CallRecord,
    EmergencyLocation,
    EnablementPeriod,
    Membership,
    Operator,
    OperatorAssignment,
    OperatorCountry,
    OperatorMembership,
    PhoneNumber,
    PhoneNumberPeriod,
    Tenant,
    User,
)
from portal.paginators import MAX_PAGE, lookahead_paginator
from portal.permissions import client_ip
from portal.querysets import (
    CALL_WINDOW_DEFAULT_DAYS,
    CALL_WINDOW_MAX_DAYS,
    WINDOWED_CALL_FILTERS,
    WindowTooLong,
    call_window,
)
from portal.services.directory import (
    OPERATOR_FIELDS,
    TENANT_FIELDS,
    countries_in_use,
    create_operator,
    create_tenant,
    update_operator,
    update_tenant,
)
from portal.services.members import is_last_admin

admin.site.site_header = "Operator Connect portal — platform staff"
admin.site.site_title = "Operator Connect admin"
admin.site.index_title = "Directory, tenants and shared data"


def _is_staff(request) -> bool:
    return bool(request.user.is_active and request.user.is_staff)


class StaffMixin:
    """Platform staff are ``is_staff`` (DESIGN §2): they need no per-model permission rows."""

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_staff(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return _is_staff(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_staff(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_staff(request)

    def has_module_permission(self, request) -> bool:
        return _is_staff(request)


class ReadOnlyMixin(StaffMixin):
    """View only: no add, change or delete, whatever the user's permissions say."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class HugeTableMixin:
    """Changelists over millions of rows: never COUNT(*), never "show all"."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts would COUNT every filter choice
    list_max_show_all = 0
    list_per_page = 100

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return lookahead_paginator(request, queryset, per_page)

    def changelist_view(self, request, extra_context=None):
        """Page N reads N × 100 rows before it (OFFSET): past page MAX_PAGE, say to filter."""
        from django.contrib.admin.views.main import PAGE_VAR

        try:
            number = int(request.GET.get(PAGE_VAR, 1))
        except ValueError:
            number = 1
        if number > MAX_PAGE:
            messages.warning(
                request,
                f"Only the first {MAX_PAGE} pages are shown (each deeper page reads every row "
                "before it). Filter the list — a tenant, an operator, a date — to reach older "
                "rows.",
            )
            query = request.GET.copy()
            query.pop(PAGE_VAR, None)
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)


# --- people -----------------------------------------------------------------------------------


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(ReadOnlyTabularInline):
    model = Membership
    fields = ("tenant", "role", "created_at")
    readonly_fields = fields
    verbose_name_plural = "tenant memberships (change them under Memberships)"


class OperatorMembershipInline(ReadOnlyTabularInline):
    model = OperatorMembership
    fields = ("operator", "role", "created_at")
    readonly_fields = fields
    verbose_name_plural = "operator memberships (change them under Operator memberships)"


@admin.register(User)
class UserAdmin(StaffMixin, BaseUserAdmin):
    """Users sign in with their e-mail address: there is no username. Only superusers grant
    superuser status, groups or permissions."""

    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_superuser", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "full_name")
    inlines = [MembershipInline, OperatorMembershipInline]

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else []  # a new user has no memberships yet

    def get_readonly_fields(self, request, obj=None):
        fields = ("last_login", "date_joined")
        if not request.user.is_superuser:
            fields += ("is_superuser", "groups", "user_permissions")
        return fields

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "time_zone")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "tenant", "role")

    def clean(self):
        data = super().clean()
        instance = self.instance
        stored = Membership.objects.get(pk=instance.pk) if instance.pk else None
        if stored and data.get("role") != stored.role and is_last_admin(stored):
            raise ValidationError(
                "The last admin can't be demoted. Make someone else an admin first."
            )
        return data


@admin.register(Membership)
class MembershipAdmin(StaffMixin, admin.ModelAdmin):
    """Adding, re-roling and removing go through the member services (audited)."""

    form = MembershipForm
    list_display = ("user", "tenant", "role", "created_at")
    list_filter = ("role", "tenant")
    list_select_related = ("user", "tenant")
    search_fields = ("user__email", "user__full_name", "tenant__name")
    autocomplete_fields = ("user", "tenant")

    def get_readonly_fields(self, request, obj=None):
        return ("user", "tenant") if obj else ()

    def save_model(self, request, obj, form, change):
        ip = client_ip(request)
        if not change:
            saved = services.add_member(
                obj.tenant, email=obj.user.email, role=obj.role, by=request.user, ip=ip
            )
            obj.pk = saved.pk
        elif "role" in form.changed_data:
            old = Membership.objects.get(pk=obj.pk)
            services.change_member_role(old, role=obj.role, by=request.user, ip=ip)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for membership in objs:
            if is_last_admin(membership):
                protected = [*protected, f"{membership} (the last admin of {membership.tenant})"]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        services.remove_member(obj, by=request.user, ip=client_ip(request))

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            try:
                services.remove_member(membership, by=request.user, ip=client_ip(request))
            except DomainError as error:
                messages.error(request, error.message)


@admin.register(OperatorMembership)
class OperatorMembershipAdmin(StaffMixin, admin.ModelAdmin):
    """Adding and removing go through the services; to change a role, remove and add again."""

    list_display = ("user", "operator", "role", "created_at")
    list_filter = ("role", "operator")
    list_select_related = ("user", "operator")
    search_fields = ("user__email", "user__full_name", "operator__name")
    autocomplete_fields = ("user", "operator")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        saved = services.add_operator_member(
            obj.operator,
            email=obj.user.email,
            role=obj.role,
            by=request.user,
            ip=client_ip(request),
        )
        obj.pk = saved.pk

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for membership in objs:
            if is_last_admin(membership):
                protected = [*protected, f"{membership} (the last admin of {membership.operator})"]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        services.remove_operator_member(obj, by=request.user, ip=client_ip(request))

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            try:
                services.remove_operator_member(membership, by=request.user, ip=client_ip(request))
            except DomainError as error:
                messages.error(request, error.message)


# --- directory and tenants --------------------------------------------------------------------------


class OperatorCountryFormSet(forms.BaseInlineFormSet):
    """A country still used by a tenant's assignment can't be dropped from the directory."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.instance.pk:
                continue
            dropping = form in self.deleted_forms or "country" in form.changed_data
            old = OperatorCountry.objects.get(pk=form.instance.pk).country
            used = countries_in_use(self.instance, [old]) if dropping else {}
            if used:
                tenants = ", ".join(used[old])
                raise ValidationError(
                    f"{old} is still used by {tenants}. They must remove it from their "
                    f"assignment first."
                )


class OperatorCountryInline(StaffMixin, admin.TabularInline):
    model = OperatorCountry
    formset = OperatorCountryFormSet
    extra = 1


def _saved_through(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` stand for the row a service created (for its redirect,
    its log entry and its inlines)."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


def _form_values(form, names, *, only_changed: bool) -> dict:
    wanted = form.changed_data if only_changed else form.cleaned_data
    return {name: form.cleaned_data[name] for name in names if name in wanted}


@admin.register(Operator)
class OperatorAdmin(StaffMixin, admin.ModelAdmin):
    """Saves go through the directory services (their checks, their audit events): the entry
    and its countries together, once the country inline is known to be valid."""

    list_display = (
        "name",
        "slug",
        "is_active",
        "served_countries",
        "transfer_mechanism",
        "links_checked_at",
    )
    list_filter = ("is_active", "transfer_mechanism")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("links_checked_at", "links_broken", "created_at")
    inlines = [OperatorCountryInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("countries")

    @admin.display(description="countries")
    def served_countries(self, obj: Operator) -> str:
        return ", ".join(obj.country_codes)

    def save_model(self, request, obj, form, change):
        """Nothing yet: save_related() has the countries the service needs."""

    def save_related(self, request, form, formsets, change):
        countries = []
        for formset in formsets:
            formset.save(commit=False)  # what the admin's change message reads; saved below
            if isinstance(formset, OperatorCountryFormSet):
                countries += [
                    f.cleaned_data["country"]
                    for f in formset.forms
                    if f not in formset.deleted_forms and f.cleaned_data.get("country")
                ]
        obj, by, ip = form.instance, request.user, client_ip(request)
        if change:
            values = _form_values(form, OPERATOR_FIELDS, only_changed=True)
            update_operator(obj, by=by, ip=ip, countries=countries, **values)
        else:
            values = _form_values(form, OPERATOR_FIELDS, only_changed=False)
            _saved_through(obj, create_operator(countries=countries, by=by, ip=ip, **values))


class EnablementPeriodInline(ReadOnlyTabularInline):
    model = EnablementPeriod
    fields = ("started_at", "ended_at", "acknowledgement", "ended_by")
    readonly_fields = fields


@admin.register(Tenant)
class TenantAdmin(StaffMixin, admin.ModelAdmin):
    """Operator Connect itself is switched on and off by the tenant's admins, with their
    acknowledgement (I4), so it is read-only here. Saves go through the directory services."""

    list_display = ("name", "slug", "country", "operator_connect_enabled", "created_at")
    list_filter = ("operator_connect_enabled", "country")
    search_fields = ("name", "slug", "microsoft_tenant_id")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = (
        "operator_connect_enabled",
        "operator_connect_changed_at",
        "operator_connect_changed_by",
        "created_at",
    )
    inlines = [EnablementPeriodInline]

    def get_exclude(self, request, obj=None):
        # A new tenant's masking follows its country (create_tenant); change it afterwards.
        excluded = super().get_exclude(request, obj) or ()
        return (*excluded, "mask_external_digits") if obj is None else excluded

    def save_model(self, request, obj, form, change):
        by, ip = request.user, client_ip(request)
        if change:
            values = _form_values(form, TENANT_FIELDS, only_changed=True)
            update_tenant(obj, by=by, ip=ip, **values)
        else:  # without mask_external_digits: create_tenant sets it from the country
            values = _form_values(form, TENANT_FIELDS, only_changed=False)
            _saved_through(obj, create_tenant(by=by, ip=ip, **values))


# --- read-only views of shared data ---------------------------------------------------------------


class AssignmentPeriodInline(ReadOnlyTabularInline):
    model = AssignmentPeriod
    fields = ("started_at", "ended_at", "countries", "end_reason", "started_by", "ended_by")
    readonly_fields = fields


class AssignmentCountryInline(ReadOnlyTabularInline):
    model = AssignmentCountry
    fields = ("country",)
    readonly_fields = fields


@admin.register(OperatorAssignment)
class OperatorAssignmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("tenant", "operator", "status", "relationship_status", "status_changed_at")
    list_filter = ("status", "relationship_status", "operator")
    list_select_related = ("tenant", "operator")
    search_fields = ("tenant__name", "operator__name")
    inlines = [AssignmentCountryInline, AssignmentPeriodInline]


class PhoneNumberPeriodInline(ReadOnlyTabularInline):
    model = PhoneNumberPeriod
    fields = ("operator", "assigned_upn", "started_at", "ended_at")
    readonly_fields = fields


@admin.register(PhoneNumber)
class PhoneNumberAdmin(ReadOnlyMixin, HugeTableMixin, admin.ModelAdmin):
    list_display = (
        "telephone_number",
        "tenant",
        "operator",
        "iso_country_code",
        "usage",
        "pstn_assignment_status",
        "activation_state",
        "assigned_display_name",
    )
    list_filter = ("usage", "pstn_assignment_status", "activation_state", "operator", "tenant")
    list_select_related = ("tenant", "operator")
    search_fields = ("=telephone_number", "assigned_upn")
    inlines = [PhoneNumberPeriodInline]


@admin.register(EmergencyLocation)
class EmergencyLocationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "company_name",
        "street_line",
        "city",
        "country",
        "place_name",
        "elin",
        "validation_status",
        "tenant",
    )
    list_filter = ("validation_status", "country", "tenant")
    list_select_related = ("tenant",)
    search_fields = ("company_name", "city", "postal_code", "=location_id")


@admin.register(CallRecord)
class CallRecordAdmin(ReadOnlyMixin, HugeTableMixin, admin.ModelAdmin):
    """Millions of rows: no COUNT(*), no date hierarchy (it aggregates), filters with fixed
    choices only, no sortable columns (each would sort the whole table), and an order the
    (tenant, invite_time, id) and (tenant, operator, invite_time, id) indexes serve by a backward
    scan: tenant by tenant, newest first (one tenant filtered: simply newest first)."""

    list_display = (
        "invite_time",
        "tenant",
        "operator",
        "call_type",
        "direction",
        "tenant_country",
        "duration_seconds",
        "final_sip_code",
        "quality",
        "is_emergency",
    )
    list_filter = (
        ("invite_time", admin.DateFieldListFilter),
        "tenant",
        "operator",
        "call_type",
        "direction",
        "quality",
        "success",
        "is_emergency",
    )
    list_select_related = ("tenant", "operator")
    sortable_by = ()
    search_fields = ("=call_id",)
    search_help_text = "Exact call ID."
    ordering = ("-tenant_id", "-invite_time", "-id")

    # Every filter but the tenant needs a tenant: the indexes lead with it. Without one, a
    # filter matching few rows walks every tenant's index (docs/design.md "Scaling").
    NEEDS_TENANT = ("invite_time", "operator", *WINDOWED_CALL_FILTERS)

    def _filters(self, request) -> set[str]:
        return {
            key.split("__")[0] for key in request.GET if key.split("__")[0] in self.NEEDS_TENANT
        }

    def get_queryset(self, request):
        """A tenant for any filter; a window of days for the filters no index serves."""
        qs = super().get_queryset(request)
        used = self._filters(request)
        if not used or request.resolver_match is None:
            return qs
        if request.resolver_match.url_name != "portal_callrecord_changelist":
            return qs
        if "tenant__id__exact" not in request.GET:
            return qs.none()
        if used & set(WINDOWED_CALL_FILTERS):
            start = parse_datetime(request.GET.get("invite_time__gte", "") or "")
            end = parse_datetime(request.GET.get("invite_time__lt", "") or "")
            start, end = (t and (t if t.tzinfo else timezone.make_aware(t)) for t in (start, end))
            now = timezone.now()
            try:
                start, end = call_window(start, end, now=now)
            except WindowTooLong:  # e.g. "This year": its last CALL_WINDOW_MAX_DAYS up to now
                end = min(end or now, now)
                start = end - timedelta(days=CALL_WINDOW_MAX_DAYS)
            qs = qs.filter(invite_time__gte=start, invite_time__lt=end)
        return qs

    def changelist_view(self, request, extra_context=None):
        used = self._filters(request)
        if used and "tenant__id__exact" not in request.GET:
            messages.warning(
                request,
                "Choose a tenant first: call records are filtered by date, operator, type, "
                "direction, quality, result or emergency one tenant at a time.",
            )
        elif used & set(WINDOWED_CALL_FILTERS):
            messages.info(
                request,
                f"Type, direction, quality, result and emergency filters read at most "
                f"{CALL_WINDOW_MAX_DAYS} days: the date filter chosen, or the last "
                f"{CALL_WINDOW_DEFAULT_DAYS} days.",
            )
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        """Look a call ID up through the (tenant, call_id, leg) index, one tenant at a time:
        without the tenant, PostgreSQL would walk the whole table."""
        term = search_term.strip()
        if not term:
            return queryset, False
        tenants = Tenant.objects.values("pk")
        return queryset.filter(tenant_id__in=tenants, call_id=term), False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, HugeTableMixin, admin.ModelAdmin):
    """Append-only: staff can read the log, nobody can add to, change or delete it here."""

    list_display = ("occurred_at", "sentence", "action", "tenant", "operator", "actor_label")
    list_filter = ("action", ("occurred_at", admin.DateFieldListFilter))
    list_select_related = ("tenant", "operator")
    search_fields = ("actor_label", "target_label")
    sortable_by = ("occurred_at",)
    actions = None


# --- single sign-on (docs/sso.md) ------------------------------------------------------------

from portal.models import TenantDomain, TenantSSO  # noqa: E402
from portal.services.sso import verify_domain  # noqa: E402


@admin.register(TenantDomain)
class TenantDomainAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Tenant admins claim e-mail domains; staff verify them here, once they have checked
    ownership out of band (e.g. a DNS TXT record). Verifying goes through the audited service."""

    list_display = ("domain", "tenant", "verified", "verified_at", "verified_by", "created_at")
    list_filter = ("verified",)
    list_select_related = ("tenant", "verified_by")
    search_fields = ("domain", "tenant__name")
    actions = ["verify"]

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_staff(request)  # needed to run the action; every field stays read-only

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.action(description="Verify the selected domains")
    def verify(self, request, queryset):
        done = 0
        for claim in queryset:
            try:
                verify_domain(claim, by=request.user, ip=client_ip(request))
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"{done} domain(s) verified.", messages.SUCCESS)


@admin.register(TenantSSO)
class TenantSSOAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: tenant admins configure their provider; the secret is never shown."""

    list_display = ("tenant", "issuer", "client_id", "enabled", "require_sso", "updated_at")
    list_filter = ("enabled", "require_sso")
    fields = ("tenant", "issuer", "client_id", "enabled", "require_sso", "updated_at", "updated_by")
    readonly_fields = fields
