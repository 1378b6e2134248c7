"""Pages of one tenant, under ``/t/<tenant_slug>/`` (namespace ``tenant``)."""

from django.urls import path

from control.tenant import (
    assignments,
    audit,
    call_detail,
    dashboard,
    data,
    directory,
    members,
    operator_connect,
    security,
    sso,
)

app_name = "tenant"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("operator-connect/enable/", operator_connect.EnableView.as_view(), name="enable"),
    path("operator-connect/disable/", operator_connect.DisableView.as_view(), name="disable"),
    # directory
    path("directory/", directory.DirectoryView.as_view(), name="directory"),
    path(
        "directory/<slug:operator_slug>/",
        directory.OperatorDetailView.as_view(),
        name="operator_detail",
    ),
    path("directory/<slug:operator_slug>/add/", directory.AssignView.as_view(), name="assign"),
    # my operators
    path("operators/", assignments.AssignmentListView.as_view(), name="assignments"),
    path(
        "operators/<slug:operator_slug>/",
        assignments.AssignmentDetailView.as_view(),
        name="assignment_detail",
    ),
    path(
        "operators/<slug:operator_slug>/countries/",
        assignments.CountriesView.as_view(),
        name="assignment_countries",
    ),
    path(
        "operators/<slug:operator_slug>/contact/",
        assignments.ContactView.as_view(),
        name="assignment_contact",
    ),
    path(
        "operators/<slug:operator_slug>/suspend/",
        assignments.SuspendView.as_view(),
        name="assignment_suspend",
    ),
    path(
        "operators/<slug:operator_slug>/resume/",
        assignments.ResumeView.as_view(),
        name="assignment_resume",
    ),
    path(
        "operators/<slug:operator_slug>/remove/",
        assignments.RemoveView.as_view(),
        name="assignment_remove",
    ),
    # data
    path("numbers/", data.NumberListView.as_view(), name="numbers"),
    path("numbers/<e164:number>/", data.NumberDetailView.as_view(), name="number_detail"),
    path("emergency-locations/", data.LocationListView.as_view(), name="locations"),
    path("call-records/", data.CallListView.as_view(), name="calls"),
    path("call-records/<uuid:call_id>/", call_detail.CallDetailView.as_view(), name="call_detail"),
    # members
    path("members/", members.MemberListView.as_view(), name="members"),
    path("members/add/", members.MemberAddView.as_view(), name="member_add"),
    path("members/role/", members.MemberRoleView.as_view(), name="member_role"),
    path("members/remove/", members.MemberRemoveView.as_view(), name="member_remove"),
    # second-factor policy (docs/mfa.md)
    path("security/", security.TenantSecurityView.as_view(), name="security"),
    # audit
    path("audit/", audit.AuditLogView.as_view(), name="audit"),
    # single sign-on
    path("settings/sso/", sso.SSOSettingsView.as_view(), name="sso"),
    path("settings/sso/domains/add/", sso.DomainAddView.as_view(), name="sso_domain_add"),
    path("settings/sso/domains/remove/", sso.DomainRemoveView.as_view(), name="sso_domain_remove"),
]
