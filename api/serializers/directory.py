"""Operators, tenants and the caller (``/me``)."""

from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from api.fields import CountryCodeField, ModelSerializer
from portal.choices import OperatorRole, OperatorService, TenantRole
from portal.models import Operator, Tenant
from portal.services.directory import OPERATOR_FIELDS, TENANT_FIELDS


def country_list_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=CountryCodeField(),
        help_text="ISO 3166-1 alpha-2 codes.",
        **kwargs,
    )


class OperatorSerializer(serializers.ModelSerializer):
    # Optional links and contacts are "" when unset: plain strings, not uri/email formats.
    website = serializers.CharField(read_only=True)
    support_email = serializers.CharField(read_only=True)
    countries = country_list_field(source="country_codes", read_only=True)
    services = serializers.ListField(child=serializers.ChoiceField(OperatorService.choices))
    processing_countries = country_list_field(source="processing_codes", read_only=True)
    transfer_mechanism = serializers.CharField(
        read_only=True, help_text="Safeguard for processing outside the EEA; empty: none."
    )

    class Meta:
        model = Operator
        fields = [
            "slug", "name", "privacy_policy_url", "terms_url", "website", "support_email",
            "support_phone", "description", "services", "countries", "is_active", "created_at",
            "processing_countries", "transfer_mechanism",
        ]  # fmt: skip
        read_only_fields = fields


class OperatorWriteSerializer(ModelSerializer):
    """What staff send to create (all required fields) or PATCH (any subset) an operator."""

    countries = country_list_field(min_length=1)
    services = serializers.ListField(
        child=serializers.ChoiceField(OperatorService.choices), required=False
    )
    processing_countries = country_list_field(required=False)

    class Meta:
        model = Operator
        fields = [*OPERATOR_FIELDS, "countries"]
        extra_kwargs = {
            # Uniqueness is the service's job (409 with a clear message), not the serializer's.
            "name": {"validators": []},
            "slug": {"validators": []},
        }


class TenantSerializer(serializers.ModelSerializer):
    country = CountryField()
    privacy_contact_email = serializers.CharField(read_only=True)
    role = serializers.SerializerMethodField(help_text="Your role here: admin or viewer.")

    class Meta:
        model = Tenant
        fields = [
            "slug", "name", "microsoft_tenant_id", "country", "privacy_contact_name",
            "privacy_contact_email", "privacy_contact_address", "mask_external_digits",
            "operator_connect_enabled", "operator_connect_changed_at", "created_at", "role",
        ]  # fmt: skip
        read_only_fields = fields

    def get_role(self, tenant: Tenant) -> str | None:
        roles = self.context.get("roles")
        if roles is None:
            return None
        return roles.get(tenant.pk)


class TenantWriteSerializer(ModelSerializer):
    """Staff create tenants and may change any field; tenant admins only ``ADMIN_FIELDS``."""

    ADMIN_FIELDS = (
        "privacy_contact_name",
        "privacy_contact_email",
        "privacy_contact_address",
        "mask_external_digits",
    )
    country = CountryField()

    class Meta:
        model = Tenant
        fields = list(TENANT_FIELDS)
        extra_kwargs = {
            "slug": {"validators": []},
            "microsoft_tenant_id": {"validators": [], "required": False},
        }


class TenantRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = ["slug", "name", "microsoft_tenant_id"]
        read_only_fields = fields


class OperatorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Operator
        fields = ["slug", "name"]
        read_only_fields = fields


class MeMembershipSerializer(serializers.Serializer):
    tenant = TenantRefSerializer()
    role = serializers.ChoiceField(TenantRole.choices)


class MeOperatorMembershipSerializer(serializers.Serializer):
    operator = OperatorRefSerializer()
    role = serializers.ChoiceField(OperatorRole.choices)


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    is_staff = serializers.BooleanField()
    time_zone = serializers.CharField()
    memberships = MeMembershipSerializer(many=True)
    operator_memberships = MeOperatorMembershipSerializer(many=True)
    authenticated_by = serializers.ChoiceField(
        ["token", "session"], help_text="How this request was authenticated."
    )
