"""``/api/v1/operators/{operator_slug}/tenants/{tenant_slug}/``: the operator's tenant page."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import OperatorScopedMixin
from api.serializers.operator import OperatorTenantSerializer
from exports.operator_overview import tenant_overview
from exports.services import operator_download_closed


class OperatorTenantDetailView(OperatorScopedMixin, APIView):
    """One tenant that chose your operator: the contact it shared, its acknowledgement,
    countries, status and periods, the relationship, what is shared now and held back (and
    why), call-record volume by month, the notice that names you, and its exports for you.

    A tenant that did not choose you (or removed you) answers 404 like a missing one.
    """

    @extend_schema(operation_id="operator_tenants_retrieve", responses=OperatorTenantSerializer)
    def get(self, request, operator_slug: str, tenant_slug: str):
        overview = tenant_overview(self.operator, tenant_slug, request.user)
        closed = operator_download_closed(overview.exports)
        context = {"operator_download_closed": closed}
        return Response(OperatorTenantSerializer(overview, context=context).data)
