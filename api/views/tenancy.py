"""A tenant's operators (assignments) and members; an operator's members and consents."""

import uuid

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import OperatorScopedMixin, PagePagination, TenantScopedMixin
from api.errors import UnknownReference
from api.serializers.tenancy import (
    CONSENT_STATUS_REQUEST,
    AssignmentCreateSerializer,
    AssignmentSerializer,
    AssignmentUpdateSerializer,
    ConsentSerializer,
    ConsentStatusSerializer,
    MemberCreateSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    OperatorMemberCreateSerializer,
    OperatorMemberSerializer,
    OperatorMemberUpdateSerializer,
)
from portal.mfa.stepup import require_recent_second_factor
from portal.models import Membership, Operator, OperatorAssignment, OperatorMembership
from portal.services.assignments import (
    assign_operator,
    change_assignment_contact,
    change_assignment_countries,
    remove_assignment,
    resume_assignment,
    set_relationship_status,
    suspend_assignment,
)
from portal.services.members import (
    add_member,
    add_operator_member,
    change_member_role,
    change_operator_member_role,
    remove_member,
    remove_operator_member,
)
from portal.sharing import gates
from portal.validation import country_codes

# --- assignments ---------------------------------------------------------------------------------


class AssignmentScopedMixin(TenantScopedMixin):
    """Assignments of the URL's tenant, addressed by the operator's slug."""

    def get_queryset(self):
        if self.generating_schema:
            return OperatorAssignment.objects.none()
        return (
            OperatorAssignment.objects.for_tenant(self.tenant)
            .select_related("operator", "acknowledgement")
            .prefetch_related("countries", "periods")
            .order_by("operator__name", "pk")
        )

    def get_assignment(self) -> OperatorAssignment:
        assignment = self.get_queryset().filter(operator__slug=self.kwargs["operator_slug"]).first()
        if assignment is None:
            raise Http404
        return assignment

    def render(self, assignment: OperatorAssignment, **kwargs) -> Response:
        fresh = self.get_queryset().get(pk=assignment.pk)  # re-read countries and periods
        return Response(AssignmentSerializer(fresh).data, **kwargs)


class AssignmentListView(AssignmentScopedMixin, generics.ListAPIView):
    """The tenant's operators, with countries, contact, status and active periods."""

    extra_error_statuses = ("404",)  # POST naming an unknown operator
    serializer_class = AssignmentSerializer
    pagination_class = PagePagination

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not self.generating_schema:  # every operator's gate from one read of the history
            context["gates"] = gates(self.tenant)
        return context

    @extend_schema(operation_id="assignments_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="assignments_create",
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer},
    )
    def post(self, request, tenant_slug: str):
        data = AssignmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        operator = Operator.objects.filter(slug=values.pop("operator")).first()
        if operator is None:
            raise UnknownReference({"operator": "No such operator."})
        assignment = assign_operator(
            self.tenant, operator=operator, by=request.user, ip=self.ip(), **values
        )
        location = reverse("api:assignment-detail", args=[tenant_slug, assignment.operator.slug])
        return self.render(
            assignment, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class AssignmentDetailView(AssignmentScopedMixin, APIView):
    @extend_schema(operation_id="assignments_retrieve", responses=AssignmentSerializer)
    def get(self, request, tenant_slug: str, operator_slug: str):
        return self.render(self.get_assignment())

    @extend_schema(
        operation_id="assignments_update",
        request=AssignmentUpdateSerializer,
        responses=AssignmentSerializer,
    )
    def patch(self, request, tenant_slug: str, operator_slug: str):
        assignment = self.get_assignment()
        data = AssignmentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = data.validated_data
        contact = {f: changes[f] for f in data.CONTACT_FIELDS if f in changes}
        # Both parts change together or not at all.
        with transaction.atomic():
            if "countries" in changes and (
                country_codes(changes["countries"]) != assignment.country_codes
            ):
                assignment = change_assignment_countries(
                    assignment, countries=changes["countries"], by=request.user, ip=self.ip()
                )
            if contact:
                current = {f: getattr(assignment, f) for f in data.CONTACT_FIELDS}
                assignment = change_assignment_contact(
                    assignment, **{**current, **contact}, by=request.user, ip=self.ip()
                )
        return self.render(assignment)


class AssignmentActionView(AssignmentScopedMixin, APIView):
    """Suspend, resume or remove: set ``action`` in the URL conf."""

    action_name = ""
    services = {
        "suspend": suspend_assignment,
        "resume": resume_assignment,
        "remove": remove_assignment,
    }

    def post(self, request, tenant_slug: str, operator_slug: str):
        service = self.services[self.action_name]
        assignment = service(self.get_assignment(), by=request.user, ip=self.ip())
        return self.render(assignment)


def assignment_action(name: str, doc: str):
    """A view class per action, so each has its own operation in the schema."""

    @extend_schema(operation_id=f"assignments_{name}", request=None, responses=AssignmentSerializer)
    def post(self, request, tenant_slug: str, operator_slug: str):
        return AssignmentActionView.post(self, request, tenant_slug, operator_slug)

    attrs = {"action_name": name, "__doc__": doc, "post": post}
    return type(f"Assignment{name.title()}View", (AssignmentActionView,), attrs)


AssignmentSuspendView = assignment_action(
    "suspend", "Stop sharing with this operator now; keep its configuration."
)
AssignmentResumeView = assignment_action("resume", "Share with a suspended operator again.")
AssignmentRemoveView = assignment_action(
    "remove", "Remove the operator. Refused (409) while its numbers are assigned to users."
)


# --- tenant members ------------------------------------------------------------------------------


class MemberScopedMixin(TenantScopedMixin):
    def get_queryset(self):
        if self.generating_schema:
            return Membership.objects.none()
        return Membership.objects.filter(tenant=self.tenant).select_related("user").order_by("pk")

    def get_member(self) -> Membership:
        member = self.get_queryset().filter(public_id=self.kwargs["member_id"]).first()
        if member is None:
            raise Http404
        return member


class MemberListView(MemberScopedMixin, generics.ListAPIView):
    """Who belongs to the organization, with which role. Admins add members."""

    serializer_class = MemberSerializer
    pagination_class = PagePagination

    @extend_schema(operation_id="tenant_members_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="tenant_members_create",
        request=MemberCreateSerializer,
        responses={201: MemberSerializer},
    )
    def post(self, request, tenant_slug: str):
        require_recent_second_factor(request)  # docs/mfa.md: step-up
        data = MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = add_member(self.tenant, by=request.user, ip=self.ip(), **data.validated_data)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class MemberDetailView(MemberScopedMixin, APIView):
    @extend_schema(
        operation_id="tenant_members_update",
        request=MemberUpdateSerializer,
        responses=MemberSerializer,
    )
    def patch(self, request, tenant_slug: str, member_id: uuid.UUID):
        member = self.get_member()
        data = MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        role = data.validated_data.get("role", member.role)
        if role != member.role:  # the same role again changes nothing, like an empty PATCH
            member = change_member_role(member, role=role, by=request.user, ip=self.ip())
        return Response(MemberSerializer(member).data)

    @extend_schema(operation_id="tenant_members_destroy", responses={204: None})
    def delete(self, request, tenant_slug: str, member_id: uuid.UUID):
        remove_member(self.get_member(), by=request.user, ip=self.ip())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- operator members ----------------------------------------------------------------------------


class OperatorMemberScopedMixin(OperatorScopedMixin):
    admin_for_reads = True

    def get_queryset(self):
        if self.generating_schema:
            return OperatorMembership.objects.none()
        return (
            OperatorMembership.objects.filter(operator=self.operator)
            .select_related("user")
            .order_by("pk")
        )


class OperatorMemberListView(OperatorMemberScopedMixin, generics.ListAPIView):
    """The operator's staff in the portal (staff or operator admins only)."""

    serializer_class = OperatorMemberSerializer
    pagination_class = PagePagination

    @extend_schema(operation_id="operator_members_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="operator_members_create",
        request=OperatorMemberCreateSerializer,
        responses={201: OperatorMemberSerializer},
    )
    def post(self, request, operator_slug: str):
        require_recent_second_factor(request)  # docs/mfa.md: step-up
        data = OperatorMemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = add_operator_member(
            self.operator, by=request.user, ip=self.ip(), **data.validated_data
        )
        return Response(OperatorMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class OperatorMemberDetailView(OperatorMemberScopedMixin, APIView):
    """Change a member's role, or remove them. The last admin can be neither (409)."""

    def get_member(self, member_id: uuid.UUID) -> OperatorMembership:
        member = self.get_queryset().filter(public_id=member_id).first()
        if member is None:
            raise Http404
        return member

    @extend_schema(
        operation_id="operator_members_update",
        request=OperatorMemberUpdateSerializer,
        responses=OperatorMemberSerializer,
    )
    def patch(self, request, operator_slug: str, member_id: uuid.UUID):
        member = self.get_member(member_id)
        data = OperatorMemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        role = data.validated_data.get("role", member.role)
        if role != member.role:  # the same role again changes nothing, like an empty PATCH
            member = change_operator_member_role(member, role=role, by=request.user, ip=self.ip())
        return Response(OperatorMemberSerializer(member).data)

    @extend_schema(operation_id="operator_members_destroy", responses={204: None})
    def delete(self, request, operator_slug: str, member_id: uuid.UUID):
        remove_operator_member(self.get_member(member_id), by=request.user, ip=self.ip())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- consents (the operator's side of assignments) -----------------------------------------------


class ConsentScopedMixin(OperatorScopedMixin):
    def get_queryset(self):
        if self.generating_schema:
            return OperatorAssignment.objects.none()
        return (
            OperatorAssignment.objects.for_operator(self.operator)
            .current()
            .select_related("tenant")
            .prefetch_related("countries")
            .order_by("tenant__name", "pk")
        )


class ConsentListView(ConsentScopedMixin, generics.ListAPIView):
    """The tenants that assigned this operator, with the relationship status of each."""

    serializer_class = ConsentSerializer
    pagination_class = PagePagination

    @extend_schema(operation_id="consents_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ConsentStatusView(ConsentScopedMixin, APIView):
    """Set the relationship: agreement signed, or declined / terminated with a reason.

    Operator admins only, as in the operator portal.
    """

    admin_for_writes = True
    request_body_required = True  # a oneOf body: drf-spectacular does not mark it required

    @extend_schema(
        operation_id="consents_set_status",
        request=CONSENT_STATUS_REQUEST,
        responses=ConsentSerializer,
    )
    def post(self, request, operator_slug: str, tenant_slug: str):
        assignment = self.get_queryset().filter(tenant__slug=tenant_slug).first()
        if assignment is None:
            raise Http404
        data = ConsentStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = set_relationship_status(
            assignment, by=request.user, ip=self.ip(), **data.validated_data
        )
        return Response(ConsentSerializer(self.get_queryset().get(pk=assignment.pk)).data)
