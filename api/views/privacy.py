"""The data-subject access report over the API (docs/privacy.md): tenant admins only."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import TenantScopedMixin
from api.fields import NOT_SPACE, PHONE_FORMAT
from privacy.access import access_report
from privacy.subjects import parse_subject

_DOWNLOAD = inline_serializer(
    "AccessReportDownload",
    {
        "who": serializers.CharField(),
        "at": serializers.DateTimeField(),
        "ip": serializers.IPAddressField(allow_null=True),
        "operator_staff": serializers.BooleanField(),
    },
    many=True,
)
_EXPORT = inline_serializer(
    "AccessReportExport",
    {
        "export": serializers.UUIDField(),
        "operator": inline_serializer(
            "AccessReportOperator",
            {"name": serializers.CharField(), "slug": serializers.SlugField()},
        ),
        "produced_at": serializers.DateTimeField(allow_null=True),
        "requested_via": serializers.CharField(),
        "time_range": serializers.DictField(child=serializers.DateTimeField()),
        "datasets": serializers.ListField(child=serializers.CharField()),
        "rows": serializers.DictField(child=serializers.IntegerField()),
        "notice_version": serializers.IntegerField(allow_null=True),
        "file_status": serializers.CharField(),
        "expires_at": serializers.DateTimeField(allow_null=True),
        "downloads": _DOWNLOAD,
    },
    many=True,
)
_REPORT = inline_serializer(
    "AccessReport",
    {
        "tenant": serializers.SlugField(),
        "subject": serializers.DictField(child=serializers.CharField()),
        "generated_at": serializers.DateTimeField(),
        "operators": serializers.ListField(child=serializers.DictField()),
        "exports": _EXPORT,
    },
)


SUBJECT = {
    "type": "object",
    "properties": {
        "number": {**PHONE_FORMAT, "type": "string", "maxLength": 32},
        "upn": {
            "type": "string",
            "pattern": f"^{NOT_SPACE}*@{NOT_SPACE}*$",
            "maxLength": 255,
            "description": "User principal name, e.g. anna@contoso.com.",
        },
    },
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": False,
}


class AccessReportView(TenantScopedMixin, APIView):
    """Every export file that held the person's data, with its operator, rows and downloads.

    Give exactly one of ``number`` (E.164) or ``upn``. Each call is an audit event.
    """

    admin_for_reads = True
    extra_query_params = ("number", "upn")

    @extend_schema(
        operation_id="privacy_access_report",
        parameters=[
            # "Exactly one of two query parameters", which OpenAPI 3.0 states as one object
            # parameter exploded into the query string: ``?number=…`` or ``?upn=…``.
            OpenApiParameter(
                "subject",
                SUBJECT,
                OpenApiParameter.QUERY,
                required=True,
                style="form",
                explode=True,
                description="The person: exactly one of `number` or `upn`.",
            ),
        ],
        responses=_REPORT,
    )
    def get(self, request, tenant_slug: str):
        subject = parse_subject(
            number=request.query_params.get("number", ""), upn=request.query_params.get("upn", "")
        )
        report = access_report(self.tenant, subject, by=request.user, ip=self.ip())
        return Response(report.as_dict())
