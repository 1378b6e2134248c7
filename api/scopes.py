"""What an API token may reach: its scope and its limit, decided here and nowhere else.

``TokenScope`` is a DRF permission in ``DEFAULT_PERMISSION_CLASSES``, and the API's own
permission classes (``IsStaff``, ``IsStaffOrReadOnly``) extend it, so every API view runs it
(``tests/security/test_tokens.py`` checks each one). A session (the browser) is not limited
here; a token never does more than its user could.

- ``read``: safe methods, except downloading an export file.
- ``exports``: request (POST ``/exports/``), poll (GET an export) and download, and ``/me``.
- ``full``: whatever its user may do.

A token limited to one tenant or operator reaches only URLs of that tenant or operator and
exports between them; anything else answers 404, like something that does not exist (I1).
"""

from django.http import Http404
from rest_framework import permissions

from exports.models import ExportJob
from portal.choices import TokenScope as Scope
from portal.models import ApiToken

EXPORT_CALLS = {
    ("export-list", "GET"),
    ("export-list", "POST"),
    ("export-detail", "GET"),
    ("export-download", "GET"),
    ("me", "GET"),
}
SAFE = set(permissions.SAFE_METHODS)


def token_of(request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def scope_allows(scope: str, url_name: str, method: str) -> bool:
    if scope == Scope.FULL:
        return True
    if method == "HEAD":
        method = "GET"
    if scope == Scope.EXPORTS:
        return (url_name, method) in EXPORT_CALLS or (url_name == "me" and method in SAFE)
    if scope == Scope.READ:
        return method in SAFE and url_name != "export-download"
    return False


def limit_allows(token: ApiToken, kwargs: dict, body=None) -> bool:
    """Whether the URL (and an export request's body) stays within the token's tenant/operator."""
    tenant_slug = kwargs.get("tenant_slug")
    operator_slug = kwargs.get("operator_slug")
    if isinstance(body, dict):  # POST /exports/ names its parties in the body
        tenant_slug = tenant_slug or body.get("tenant")
        operator_slug = operator_slug or body.get("operator")
    if token.tenant_id:
        if operator_slug and not tenant_slug:
            return False  # an operator's own pages are not the tenant's
        if tenant_slug is not None and tenant_slug != token.tenant.slug:
            return False
    if token.operator_id:
        if tenant_slug and not operator_slug:
            return False
        if operator_slug is not None and operator_slug != token.operator.slug:
            return False
    job_id = kwargs.get("job_id")
    if job_id is not None:
        return limit_exports(ExportJob.objects.filter(pk=job_id), token).exists()
    return True


def limit_exports(queryset, token: ApiToken | None):
    """Export jobs a limited token may see (list and detail alike)."""
    if token is None:
        return queryset
    if token.tenant_id:
        queryset = queryset.filter(tenant_id=token.tenant_id)
    if token.operator_id:
        queryset = queryset.filter(operator_id=token.operator_id)
    return queryset


class TokenScope(permissions.BasePermission):
    message = "This API token's scope does not allow this request."

    def has_permission(self, request, view) -> bool:
        token = token_of(request)
        if token is None:
            return True
        match = request.resolver_match
        url_name = match.url_name if match else ""
        if not scope_allows(token.scope, url_name, request.method):
            self.message = (
                f"This API token may only {Scope(token.scope).label.lower()}; "
                "create one with a wider scope for this."
            )
            return False
        body = request.data if url_name == "export-list" and request.method == "POST" else None
        if not limit_allows(token, getattr(view, "kwargs", {}) or {}, body):
            raise Http404
        return True
