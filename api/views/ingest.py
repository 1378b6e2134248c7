"""Staff ingestion of numbers, call records and emergency locations (CSV or NDJSON bodies).

The same service as ``manage.py ingest``: the same validation, idempotency and all-or-nothing
rule. The body is spooled to a private temporary file (never held in memory, never parsed by
DRF) with the API's own size limit, which is smaller than the command's.
"""

import tempfile

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiViewMixin, IsStaff
from api.errors import error_body
from api.fields import NOT_SPACE
from api.schema import ERROR_DESCRIPTIONS
from api.serializers.ingest import IngestReportSerializer, RejectedSerializer
from portal.errors import DomainError
from portal.ingest import ingest
from portal.ingest.specs import KINDS

CHUNK = 1 << 20
CONTENT_TYPES = {"text/csv": "csv", "application/x-ndjson": "ndjson"}


class BodyTooLarge(DomainError):
    code = "too_large"
    status = 413


class _DocumentedOnly(BaseParser):
    """Declares an accepted media type for the schema; the view reads the raw body itself."""

    def parse(self, stream, media_type=None, parser_context=None):  # pragma: no cover
        raise UnsupportedMediaType(media_type)


class CsvParser(_DocumentedOnly):
    media_type = "text/csv"


class NdjsonParser(_DocumentedOnly):
    media_type = "application/x-ndjson"


def _spool(request, limit: int):
    """Copy the body to a temporary file, refusing (413) as soon as it passes ``limit``."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"The body is larger than the limit of {limit:,} bytes.")
    spool = tempfile.TemporaryFile()  # noqa: SIM115 — closed by the caller
    total = 0
    while chunk := request.read(CHUNK):
        total += len(chunk)
        if total > limit:
            spool.close()
            raise BodyTooLarge(f"The body is larger than the limit of {limit:,} bytes.")
        spool.write(chunk)
    spool.seek(0)
    return spool


class IngestView(ApiViewMixin, APIView):
    extra_query_params = ("source",)
    kind = ""
    permission_classes = [IsStaff]
    parser_classes = [CsvParser, NdjsonParser]
    extra_error_statuses = ("413",)
    request_body_required = True

    def post(self, request):
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        fmt = CONTENT_TYPES.get(media_type)
        if fmt is None:
            raise UnsupportedMediaType(
                media_type or "(none)",
                detail="Send text/csv or application/x-ndjson.",
            )
        source = (request.query_params.get("source") or "api")[:200]
        with _spool(request._request, settings.API_INGEST_MAX_BYTES) as body:
            report = ingest(self.kind, body, fmt, by=request.user, source=source)
        if not report.ok:
            # Rejects, not rows: one row may have several (each field it gets wrong).
            rejects = "1 reject" if report.rejects_total == 1 else f"{report.rejects_total} rejects"
            data = error_body(
                "rows_rejected",
                f"{rejects} in {report.rows_total} rows; nothing was written.",
            )
            data["error"].update(
                rows_total=report.rows_total,
                rejects_total=report.rejects_total,
                rejects=[{"line": r.line, "field": r.field, "reason": r.reason}
                         for r in report.rejects],
            )  # fmt: skip
            return Response(data, status=status.HTTP_400_BAD_REQUEST)
        data = {"kind": report.kind, "engine": report.engine, **report.counts()}
        data.pop("rejected")
        return Response(IngestReportSerializer(data).data)


def body_schema(kind: str, fmt: str) -> dict:
    """A file of ``kind``: a string of a named format (``ingest-numbers-csv``, …), since a CSV or
    NDJSON grammar with its columns can't be written in JSON Schema; the description is its
    rule. A CSV needs at least its header row; an NDJSON file may be empty (nothing to write)."""
    spec = KINDS[kind]
    required = ", ".join(f"`{f.name}`" for f in spec.fields if f.required)
    rows = (
        f"one {kind} row per line; the columns and values of docs/ingest.md (required: {required})"
    )
    if fmt == "csv":
        return {
            "type": "string",
            "format": f"ingest-{kind}-csv",
            "minLength": 1,
            "pattern": NOT_SPACE,
            "description": f"RFC 4180 CSV in UTF-8: a header row naming the columns, then {rows}.",
        }
    return {
        "type": "string",
        "format": f"ingest-{kind}-ndjson",
        "description": f"UTF-8, a JSON object per line ({rows}); blank lines are skipped.",
    }


def ingest_view(kind: str, label: str):
    """One view class per kind, each with its own operation in the schema."""

    @extend_schema(
        operation_id=f"ingest_{kind.replace('-', '_')}",
        description=f"Upsert {label} from a CSV or NDJSON body (staff only). All or nothing: "
        "if any row is refused, nothing is written and the rejects are listed.",
        request={
            "text/csv": body_schema(kind, "csv"),
            "application/x-ndjson": body_schema(kind, "ndjson"),
        },
        parameters=[
            OpenApiParameter(
                "source",
                {"type": "string", "minLength": 1},
                description="A label for the audit log, e.g. the file name (its first 200 "
                "characters).",
            )
        ],
        responses={
            200: IngestReportSerializer,
            400: OpenApiResponse(RejectedSerializer, description=ERROR_DESCRIPTIONS["400"]),
        },
    )
    def post(self, request):
        return IngestView.post(self, request)

    name = "Ingest" + "".join(part.title() for part in kind.split("-")) + "View"
    return type(name, (IngestView,), {"kind": kind, "post": post, "__doc__": f"Ingest {label}."})


IngestNumbersView = ingest_view("numbers", "phone numbers")
IngestCallRecordsView = ingest_view("call-records", "call records")
IngestEmergencyLocationsView = ingest_view("emergency-locations", "emergency locations")
