"""One JSON error shape everywhere: ``{"error": {"code", "message", "fields"}}``."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError, error_body


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """``{"countries": {0: ["Bad."]}}`` → ``{"countries.0": ["Bad."]}``: one flat map of inputs."""
    if not isinstance(detail, dict):
        return {}
    fields: dict[str, list[str]] = {}
    for key, value in detail.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            fields.update(_flatten(value, f"{name}."))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for i, item in enumerate(value):
                fields.update(_flatten(item, f"{name}.{i}."))
        else:
            fields[name] = [str(v) for v in (value if isinstance(value, list) else [value])]
    return fields


class UnknownReference(exceptions.NotFound):
    """A slug in the body that names nothing the caller can see: 404 like an unknown path (a
    tenant out of scope and one that does not exist answer the same), naming the inputs."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        super().__init__(next(iter(fields.values())))


def exception_handler(exc, context):
    if isinstance(exc, UnknownReference):
        fields = {name: [message] for name, message in exc.fields.items()}
        return Response(error_body("not_found", str(exc.detail), fields), status=404)
    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return Response(
            error_body(exc.code, exc.message, fields), status=exc.status, headers=headers
        )
    if isinstance(exc, RequestDataTooBig):  # DRF reads JSON through request.body (docs/security.md)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = f"The body is larger than the limit of {limit:,} bytes."
        return Response(error_body("too_large", message), status=413)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response(error_body("too_many_fields", str(exc)), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = _flatten(detail)
        non_field = fields.pop("non_field_errors", None)
        message = non_field[0] if non_field else "The request is not valid."
        if isinstance(detail, list) and detail:
            message = str(detail[0])
        response.data = error_body("invalid", message, fields)
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        code = getattr(exc, "default_code", "error")
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(code, str(detail))
    return response


@csrf_exempt  # it changes nothing; a CSRF refusal would hide the 404 behind an HTML 403
def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Unknown paths under ``/api/``, any method, get the JSON shape (not the HTML 404 page)."""
    return JsonResponse(error_body("not_found", "Not found."), status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the JSON shape under ``/api/``, Django's page everywhere else."""
    if request.path.startswith("/api/"):
        message = f"CSRF check failed: {reason}" if reason else "CSRF check failed."
        return JsonResponse(error_body("csrf_failed", message), status=403)
    return django_csrf_failure(request, reason=reason)
