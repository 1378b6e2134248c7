"""The operator's view of one tenant that chose it (docs/operator.md "The tenant page")."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.directory import TenantRefSerializer, country_list_field
from api.serializers.exports import ExportJobSerializer
from api.serializers.tenancy import GateSerializer, PeriodSerializer
from portal.choices import AssignmentStatus, CompanySize, RelationshipStatus


class MonthlyVolumeSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="First day of the UTC month.")
    call_records = serializers.IntegerField(help_text="Call legs shared with you that month.")


class NamingNoticeSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    effective_at = serializers.DateTimeField()
    countries = serializers.ListField(
        child=serializers.CharField(), help_text="Countries it names you for."
    )
    url = serializers.CharField(help_text="The public page of this version.")


class OperatorTenantSerializer(serializers.Serializer):
    """Everything your operator may see of one tenant that chose it."""

    tenant = TenantRefSerializer(source="assignment.tenant")
    operator_connect_enabled = serializers.BooleanField(
        source="assignment.tenant.operator_connect_enabled"
    )
    status = serializers.ChoiceField(AssignmentStatus.choices, source="assignment.status")
    status_changed_at = serializers.DateTimeField(source="assignment.status_changed_at")
    countries = country_list_field(source="assignment.country_codes")
    contact_full_name = serializers.CharField(source="assignment.contact_full_name")
    contact_email = serializers.EmailField(source="assignment.contact_email")
    contact_phone = serializers.CharField(source="assignment.contact_phone")
    company_size = serializers.ChoiceField(CompanySize.choices, source="assignment.company_size")
    acknowledged_at = serializers.DateTimeField(source="assignment.acknowledgement.acknowledged_at")
    acknowledgement_version = serializers.CharField(
        source="assignment.acknowledgement.text_version"
    )
    periods = PeriodSerializer(many=True, help_text="When the assignment was active, and where.")
    relationship_status = serializers.ChoiceField(
        RelationshipStatus.choices, source="assignment.relationship_status"
    )
    relationship_reason = serializers.CharField(source="assignment.relationship_reason")
    relationship_changed_at = serializers.DateTimeField(
        source="assignment.relationship_changed_at", allow_null=True
    )
    sharing = GateSerializer(source="gate", help_text=GateSerializer.__doc__)
    monthly_call_records = serializers.SerializerMethodField(
        help_text="Call legs shared with you per UTC month, the last twelve months."
    )
    notice = serializers.SerializerMethodField(
        help_text="The notice version in force that names you, or null."
    )
    exports = ExportJobSerializer(many=True, help_text="This tenant's exports for you.")
    request_export_url = serializers.SerializerMethodField(
        help_text="POST an export request here (tenant = this tenant's slug)."
    )

    @extend_schema_field(MonthlyVolumeSerializer(many=True))
    def get_monthly_call_records(self, overview) -> list[dict]:
        return [{"month": m.date(), "call_records": n} for m, n in overview.monthly_calls]

    @extend_schema_field(NamingNoticeSerializer(allow_null=True))
    def get_notice(self, overview) -> dict | None:
        notice = overview.notice
        if notice is None:
            return None
        url = reverse("public:version", args=[overview.tenant.slug, notice.number])
        return NamingNoticeSerializer(
            {
                "number": notice.number,
                "effective_at": notice.effective_at,
                "countries": overview.notice_countries,
                "url": url,
            }  # fmt: skip
        ).data

    def get_request_export_url(self, overview) -> str:
        return reverse("api:export-list")
