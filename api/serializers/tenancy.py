"""A tenant's operators (assignments), members, and the operator's view of them (consents)."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from api.fields import CharField, MustBeTrueField, PhoneNumberField
from api.serializers.directory import (
    OperatorRefSerializer,
    TenantRefSerializer,
    country_list_field,
)
from portal.choices import CompanySize, OperatorRole, RelationshipStatus, TenantRole
from portal.models import (
    AssignmentPeriod,
    Membership,
    OperatorAssignment,
    OperatorMembership,
)
from portal.sharing import BLOCKING_RELATIONSHIPS, gate

# What an operator may set; "pending" is only the initial state.
CONSENT_STATUS_CHOICES = [
    (s.value, s.label) for s in RelationshipStatus if s != RelationshipStatus.PENDING
]


class AcknowledgeSerializer(serializers.Serializer):
    acknowledged = MustBeTrueField(
        help_text="Must be true: you accept the data transfer described in the portal."
    )


class PeriodSerializer(serializers.ModelSerializer):
    countries = country_list_field(read_only=True)

    class Meta:
        model = AssignmentPeriod
        fields = ["started_at", "ended_at", "countries", "end_reason"]


class GateBlockSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        ["not_sharing", "relationship_closed", "notice_missing_operator"],
        help_text="Why nothing is shared now.",
    )
    message = serializers.CharField()


class GateSerializer(serializers.Serializer):
    """The sharing gate between the tenant and the operator, as of now."""

    open = serializers.BooleanField(source="is_open", help_text="Data is shared now.")
    countries = serializers.ListField(
        child=serializers.CharField(), help_text="Countries whose data is shared now."
    )
    held_back = serializers.ListField(
        child=serializers.CharField(),
        help_text="Countries the assignment covers but the notice in force does not name the "
        "operator for: their data waits for a notice that names them.",
    )
    blocks = GateBlockSerializer(many=True, help_text="Why the gate is shut (empty when open).")


class AssignmentSerializer(serializers.ModelSerializer):
    operator = OperatorRefSerializer(read_only=True)
    countries = country_list_field(source="country_codes", read_only=True)
    acknowledged_at = serializers.DateTimeField(source="acknowledgement.acknowledged_at")
    acknowledgement_version = serializers.CharField(source="acknowledgement.text_version")
    periods = PeriodSerializer(many=True, read_only=True)
    sharing = serializers.SerializerMethodField(help_text=GateSerializer.__doc__)

    @extend_schema_field(GateSerializer)
    def get_sharing(self, assignment: OperatorAssignment) -> dict:
        # A list passes every gate of the tenant in the context, computed from one history.
        known = self.context.get("gates", {})
        state = known.get(assignment.operator_id) or gate(assignment.tenant, assignment.operator)
        return GateSerializer(state).data

    class Meta:
        model = OperatorAssignment
        fields = [
            "operator", "status", "countries", "contact_full_name", "contact_email",
            "contact_phone", "company_size", "relationship_status", "relationship_reason",
            "relationship_changed_at", "status_changed_at", "created_at", "acknowledged_at",
            "acknowledgement_version", "periods", "sharing",
        ]  # fmt: skip
        read_only_fields = fields


class AssignmentCreateSerializer(serializers.Serializer):
    operator = serializers.SlugField(help_text="The operator's slug (unknown: 404).")
    countries = country_list_field(min_length=1)
    contact_full_name = CharField(max_length=200)
    contact_email = serializers.EmailField()
    company_size = serializers.ChoiceField(CompanySize.choices)
    contact_phone = PhoneNumberField(max_length=32, required=False, allow_blank=True)
    acknowledged = MustBeTrueField(
        help_text="Must be true: you accept the data transfer notice for this operator."
    )


class AssignmentUpdateSerializer(serializers.Serializer):
    """Change countries, contact details, or both; omitted fields stay as they are (``{}``
    changes nothing and answers the assignment)."""

    countries = country_list_field(min_length=1, required=False)
    contact_full_name = CharField(max_length=200, required=False)
    contact_email = serializers.EmailField(required=False)
    company_size = serializers.ChoiceField(CompanySize.choices, required=False)
    contact_phone = PhoneNumberField(max_length=32, required=False, allow_blank=True)

    CONTACT_FIELDS = ("contact_full_name", "contact_email", "company_size", "contact_phone")


class MemberSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    role = serializers.ChoiceField(TenantRole.choices, read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "created_at"]
        read_only_fields = fields


class MemberCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(TenantRole.choices)
    full_name = CharField(max_length=150, required=False, allow_blank=True)


class MemberUpdateSerializer(serializers.Serializer):
    """Omitted, the role stays as it is: ``{}`` changes nothing and answers the member."""

    role = serializers.ChoiceField(TenantRole.choices, required=False)


class OperatorMemberSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    role = serializers.ChoiceField(OperatorRole.choices, read_only=True)

    class Meta:
        model = OperatorMembership
        fields = ["id", "email", "full_name", "role", "created_at"]
        read_only_fields = fields


class OperatorMemberCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(OperatorRole.choices)
    full_name = CharField(max_length=150, required=False, allow_blank=True)


class OperatorMemberUpdateSerializer(serializers.Serializer):
    """Omitted, the role stays as it is: ``{}`` changes nothing and answers the member."""

    role = serializers.ChoiceField(OperatorRole.choices, required=False)


class ConsentSerializer(serializers.ModelSerializer):
    """An operator's view of a tenant that assigned it."""

    tenant = TenantRefSerializer(read_only=True)
    countries = country_list_field(source="country_codes", read_only=True)
    operator_connect_enabled = serializers.BooleanField(
        source="tenant.operator_connect_enabled", read_only=True
    )

    class Meta:
        model = OperatorAssignment
        fields = [
            "tenant", "status", "countries", "operator_connect_enabled", "contact_full_name",
            "contact_email", "contact_phone", "company_size", "relationship_status",
            "relationship_reason", "relationship_changed_at", "status_changed_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ConsentAgreedSerializer(serializers.Serializer):
    status = serializers.ChoiceField([RelationshipStatus.AGREEMENT_SIGNED.value])
    reason = CharField(required=False, allow_blank=True, max_length=2000, help_text="Ignored.")


class ConsentEndedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(sorted(BLOCKING_RELATIONSHIPS))
    reason = CharField(max_length=2000, help_text="Why: shown to the tenant.")


# The body of a status change, documented per case: declining or terminating needs a reason.
CONSENT_STATUS_REQUEST = PolymorphicProxySerializer(
    component_name="ConsentStatusChange",
    serializers=[ConsentAgreedSerializer, ConsentEndedSerializer],
    resource_type_field_name=None,
)


class ConsentStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(CONSENT_STATUS_CHOICES)
    reason = CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Required when declining or terminating.",
    )
