"""The tenant's privacy notice over the API: status, versions, publish (invariant I3)."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import PagePagination, TenantScopedMixin
from api.serializers.notices import (
    NoticeStatusSerializer,
    NoticeVersionSerializer,
    NoticeVersionSummarySerializer,
    PublishSerializer,
)
from notices.models import NoticeVersion
from notices.services import notice_status, publish_notice


class NoticeVersionScopedMixin(TenantScopedMixin):
    def get_queryset(self):
        if self.generating_schema:
            return NoticeVersion.objects.none()
        return NoticeVersion.objects.for_tenant(self.tenant).order_by("-number")


class NoticeStatusView(TenantScopedMixin, APIView):
    """The version in force, whether it is out of date, and the draft the next one would be."""

    @extend_schema(operation_id="notice_status", responses=NoticeStatusSerializer)
    def get(self, request, tenant_slug: str):
        state = notice_status(self.tenant)
        data = {
            "current": state.current,
            "never_published": state.never_published,
            "out_of_date": state.out_of_date,
            "can_publish": state.can_publish,
            "problems": state.problems,
            "change_summary": state.change_summary,
            "changes": state.changes,
            "draft": state.draft,
            "broken_links": state.broken_links,
            "upcoming": state.upcoming,
        }
        return Response(NoticeStatusSerializer(data).data)


class NoticeVersionListView(NoticeVersionScopedMixin, generics.ListAPIView):
    """Every published version, newest first."""

    serializer_class = NoticeVersionSummarySerializer
    pagination_class = PagePagination

    @extend_schema(operation_id="notice_versions_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NoticeVersionDetailView(NoticeVersionScopedMixin, APIView):
    """One published version: its content in every language and the configuration it describes."""

    @extend_schema(operation_id="notice_versions_retrieve", responses=NoticeVersionSerializer)
    def get(self, request, tenant_slug: str, number: int):
        version = self.get_queryset().filter(number=number).first()
        if version is None:
            raise Http404
        return Response(NoticeVersionSerializer(version).data)


class NoticePublishView(TenantScopedMixin, APIView):
    """Publish the draft as the next version, in force at once or from ``effective_at``."""

    @extend_schema(
        operation_id="notice_publish",
        request=PublishSerializer,
        responses={201: NoticeVersionSerializer},
    )
    def post(self, request, tenant_slug: str):
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = publish_notice(
            self.tenant,
            by=request.user,
            note=data.validated_data.get("note", ""),
            ip=self.ip(),
            effective_at=data.validated_data.get("effective_at"),
        )
        location = reverse("api:notice-version-detail", args=[tenant_slug, version.number])
        return Response(
            NoticeVersionSerializer(version).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )
