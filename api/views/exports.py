"""Export jobs for scripts: create → 202 + Location; poll; download (200 / 409 / 410); cancel.

The same services as the browser: ``request_export`` checks who may ask and what the notice
names (I2, I3), ``download_export`` authorizes and audits every download (I5). Jobs outside the
caller's scope answer 404 like missing ones (I1).
"""

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiViewMixin, NewestFirstCursorPagination
from api.errors import UnknownReference, error_body
from api.filters import ExportJobFilter
from api.schema import ERROR_DESCRIPTIONS
from api.scopes import limit_exports, token_of
from api.serializers.exports import (
    ExportJobSerializer,
    ExportRequestSerializer,
    NotReadySerializer,
)
from exports import services
from exports.models import ExportJob
from exports.permissions import VIA_OPERATOR, VIA_TENANT
from portal.errors import Conflict
from portal.models import Operator, Tenant


class ExportPagination(NewestFirstCursorPagination):
    ordering = ("-created_at", "-id")


class ExportScopedMixin(ApiViewMixin):
    def get_queryset(self):
        if self.generating_schema:
            return ExportJob.objects.none()
        jobs = ExportJob.objects.visible_to(self.request.user)
        return limit_exports(jobs, token_of(self.request)).select_related("tenant", "operator")

    def get_job(self) -> ExportJob:
        job = self.get_queryset().filter(pk=self.kwargs["job_id"]).first()
        if job is None:
            raise Http404
        return job


def _parties(user, tenant_slug: str, operator_slug: str) -> tuple[Tenant, Operator, str]:
    """Resolve the request's tenant and operator within the caller's scope, and the channel.

    Operator staff ask for tenants that assigned their operator; tenant members for operators of
    the directory. A name outside that scope gets the same answer as one that does not exist: 404.
    """
    staffed = Operator.objects.staffed_by(user).filter(slug=operator_slug).first()
    if staffed is not None and not user.is_staff:
        operator, via = staffed, VIA_OPERATOR
        tenants = Tenant.objects.assigning(operator)
    else:
        operator, via = Operator.objects.filter(slug=operator_slug).first(), VIA_TENANT
        tenants = Tenant.objects.visible_to(user)
    tenant = tenants.filter(slug=tenant_slug).first()
    unknown = {}
    if tenant is None:
        unknown["tenant"] = "No such organization."
    if operator is None:
        unknown["operator"] = "No such operator."
    if unknown:
        raise UnknownReference(unknown)
    return tenant, operator, via


class ExportListView(ExportScopedMixin, generics.ListAPIView):
    """Export jobs you can see, newest first. POST queues a new one."""

    serializer_class = ExportJobSerializer
    pagination_class = ExportPagination
    filterset_class = ExportJobFilter
    extra_error_statuses = ("404",)  # POST naming a tenant or operator out of scope

    @extend_schema(operation_id="exports_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="exports_create",
        request=ExportRequestSerializer,
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[202],
                description="The job's own URL: poll it until the file is ready.",
            )
        ],
        responses={
            202: OpenApiResponse(
                ExportJobSerializer,
                description="Queued (or an identical job already in flight). Poll `Location`.",
            )
        },
    )
    def post(self, request):
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        tenant, operator, via = _parties(request.user, values.pop("tenant"), values.pop("operator"))
        job, _created = services.request_export(
            tenant=tenant, operator=operator, by=request.user, via=via, ip=self.ip(), **values
        )
        job = self.get_queryset().get(pk=job.pk)
        return Response(
            ExportJobSerializer(job).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("api:export-detail", args=[job.pk])},
        )


class ExportDetailView(ExportScopedMixin, APIView):
    @extend_schema(operation_id="exports_retrieve", responses=ExportJobSerializer)
    def get(self, request, job_id):
        return Response(ExportJobSerializer(self.get_job()).data)


class ExportCancelView(ExportScopedMixin, APIView):
    """Stop a queued or running export (only its requester, or staff)."""

    @extend_schema(operation_id="exports_cancel", request=None, responses=ExportJobSerializer)
    def post(self, request, job_id):
        job = services.cancel_export(self.get_job(), by=request.user, ip=self.ip())
        return Response(ExportJobSerializer(self.get_queryset().get(pk=job.pk)).data)


class FirstRenderer(BaseContentNegotiation):
    """Errors are JSON whatever ``Accept`` says; the file itself bypasses renderers."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportDownloadView(ExportScopedMixin, APIView):
    """The ZIP: one file per dataset and ``manifest.json``. Every download is audited."""

    content_negotiation_class = FirstRenderer
    extra_error_statuses = ("410",)

    @extend_schema(
        operation_id="exports_download",
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file (compare its SHA-256 to file_sha256)."
            ),
            409: OpenApiResponse(NotReadySerializer, description=ERROR_DESCRIPTIONS["409"]),
        },
    )
    def get(self, request, job_id):
        job = self.get_job()  # out of scope: the same 404 as every other endpoint
        try:
            job, handle = services.download_export(job.pk, user=request.user, ip=self.ip())
        except Conflict as exc:
            body = error_body(exc.code, exc.message)
            body["error"].update(status=job.status, progress=job.progress)
            return Response(body, status=409, headers={"Retry-After": "5"})
        response = FileResponse(
            handle, as_attachment=True, filename=job.download_name, content_type="application/zip"
        )
        response.setdefault("Content-Length", str(job.file_size))  # a stream from S3 has none
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
