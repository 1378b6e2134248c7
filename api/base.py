"""What every API view shares: scoping before any handler runs (STYLE §12–13), pagination.

A tenant-scoped view resolves ``{tenant_slug}`` in ``initial()``, right after authentication,
permission and throttle checks: a tenant the caller can't see answers 404 exactly like a missing
one (I1), a viewer asking to write answers 403. ``get_queryset()`` then starts from
``for_tenant(self.tenant)``, so no handler can reach another tenant's rows.
"""

from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from api.scopes import TokenScope
from portal.models import Operator, Tenant
from portal.permissions import client_ip, resolve_operator, resolve_tenant


class IsStaff(TokenScope):
    """Staff only — and, like every API permission, within an API token's scope."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated and request.user.is_staff):
            self.message = "Only platform staff can do that."
            return False
        return super().has_permission(request, view)


class IsStaffOrReadOnly(IsStaff):
    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            signed_in = bool(request.user and request.user.is_authenticated)
            return signed_in and TokenScope.has_permission(self, request, view)
        return super().has_permission(request, view)


class BoundedPageSizeMixin:
    """The schema states the bounds ``check_page_size`` enforces: ``page_size`` from 1 to
    ``max_page_size``, ``page`` from 1 (a page past the end answers 404), a non-empty ``cursor``
    (``check_query_params`` refuses empty values)."""

    page_size_query_param = "page_size"
    max_page_size: int

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)  # type: ignore[misc]
        for parameter in parameters:
            schema = parameter["schema"]
            if parameter["name"] == self.page_size_query_param:
                schema.update(minimum=1, maximum=self.max_page_size)
                parameter["description"] = f"Results per page, from 1 to {self.max_page_size}."
            elif parameter["name"] == getattr(self, "page_query_param", None):
                schema["minimum"] = 1
            elif parameter["name"] == getattr(self, "cursor_query_param", None):
                schema["minLength"] = 1
        return parameters


class PagePagination(BoundedPageSizeMixin, PageNumberPagination):
    page_size = 50
    max_page_size = 500


class NewestFirstCursorPagination(BoundedPageSizeMixin, CursorPagination):
    """Keyset pagination: stable and fast over millions of rows, unlike OFFSET."""

    page_size = 100
    max_page_size = 1000


PAGINATION_PARAMS = ("page_query_param", "page_size_query_param", "cursor_query_param")


class ApiViewMixin:
    """What every view shares: unknown query parameters refused, the caller's IP for audit
    events, the schema-generation guard."""

    # Query parameters a view reads itself, besides its filters and its paginator's.
    extra_query_params: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_query_params(request)

    def allowed_query_params(self) -> set[str]:
        allowed = set(self.extra_query_params)
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        paginator = getattr(self, "paginator", None)
        for attr in PAGINATION_PARAMS:
            name = getattr(paginator, attr, None)
            if name:
                allowed.add(name)
        return allowed

    def check_page_size(self, request) -> None:
        """DRF quietly falls back to its default on a bad ``page_size``; refuse it instead."""
        name = getattr(getattr(self, "paginator", None), "page_size_query_param", None)
        raw = request.query_params.get(name) if name else None
        if raw is None:
            return
        limit = self.paginator.max_page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= limit:
            raise ValidationError({name: [f"A whole number from 1 to {limit}."]})

    def check_query_params(self, request) -> None:
        """A parameter nobody reads is most likely a typo: say so instead of ignoring it."""
        unknown = sorted(set(request.query_params) - self.allowed_query_params())
        if unknown:
            raise ValidationError({name: ["Unknown query parameter."] for name in unknown})
        repeated = sorted(k for k, values in request.query_params.lists() if len(values) > 1)
        if repeated:
            raise ValidationError({name: ["Give this parameter once."] for name in repeated})
        self.check_page_size(request)
        # As every form field does (Django's ProhibitNullCharactersValidator).
        nul = sorted(
            k for k, values in request.query_params.lists() if any("\x00" in v for v in values)
        )
        if nul:
            raise ValidationError({name: ["Null characters are not allowed."] for name in nul})
        # "?status=" filters by nothing: say so rather than silently return everything.
        empty = sorted(k for k, values in request.query_params.lists() if "" in values)
        if empty:
            raise ValidationError(
                {name: ["Give a value or leave the parameter out."] for name in empty}
            )

    def ip(self) -> str | None:
        return client_ip(self.request)

    @property
    def generating_schema(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


class TenantScopedMixin(ApiViewMixin):
    """Views under ``/api/v1/tenants/{tenant_slug}/``. Writes need a tenant admin."""

    admin_for_reads = False
    tenant: Tenant

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        need_admin = self.admin_for_reads or request.method not in permissions.SAFE_METHODS
        self.tenant = resolve_tenant(request, kwargs["tenant_slug"], admin=need_admin)


class OperatorScopedMixin(ApiViewMixin):
    """Views under ``/api/v1/operators/{operator_slug}/…`` for the operator's own staff."""

    admin_for_reads = False
    admin_for_writes = False
    operator: Operator

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        writing = request.method not in permissions.SAFE_METHODS
        need_admin = self.admin_for_reads or (writing and self.admin_for_writes)
        self.operator = resolve_operator(request, kwargs["operator_slug"], admin=need_admin)
