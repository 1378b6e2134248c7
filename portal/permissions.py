"""Resolve the tenant or operator of a request once, from the URL (STYLE §12).

anonymous → login (LoginRequiredMiddleware); not a member → 404, exactly like a tenant that does
not exist (I1); member with too small a role → 403.
"""

import ipaddress
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from portal.choices import OperatorRole, TenantRole
from portal.models import Membership, Operator, OperatorMembership, Tenant, User

if TYPE_CHECKING:
    from django.views.generic.base import ContextMixin, View

    class _ScopedView(ContextMixin, View):
        """What the mixins below are mixed into: a view with a context (types only)."""

else:
    _ScopedView = object


class TenantRequest(HttpRequest):
    """A request ``resolve_tenant`` has scoped: it carries the tenant and the user's role there,
    which views, templates and the API read. A type only: the object stays Django's request."""

    tenant: Tenant
    tenant_role: str | None


class OperatorRequest(HttpRequest):
    """A request ``resolve_operator`` has scoped (see ``TenantRequest``)."""

    operator: Operator
    operator_role: str | None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the outermost trusted proxy saw it (never logged, only audited).

    With ``TRUSTED_PROXY_COUNT`` = N proxies, each appends the address it received from to
    ``X-Forwarded-For``; the client's is the N-th entry from the right. Entries left of it were
    written by the client and are ignored (anyone can send them). Axes uses this same function.
    """
    from django.conf import settings

    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def tenant_role(user: User, tenant: Tenant) -> str | None:
    """The user's role in ``tenant``; platform staff act as admins."""
    if user.is_staff:
        return TenantRole.ADMIN
    return (
        Membership.objects.filter(user=user, tenant=tenant).values_list("role", flat=True).first()
    )


def operator_role(user: User, operator: Operator) -> str | None:
    if user.is_staff:
        return OperatorRole.ADMIN
    return (
        OperatorMembership.objects.filter(user=user, operator=operator)
        .values_list("role", flat=True)
        .first()
    )


def resolve_tenant(request: TenantRequest, slug: str, *, admin: bool = False) -> Tenant:
    """The tenant named in the URL, if the user may see it (404) and act on it (403)."""
    user = request.user
    if not isinstance(user, User):  # anonymous (the sign-in middleware normally got there first)
        raise Http404("No such organization.")
    tenant = Tenant.objects.visible_to(user).filter(slug=slug).first()
    if tenant is None:
        raise Http404("No such organization.")
    role = tenant_role(user, tenant)
    if admin and role != TenantRole.ADMIN:
        raise PermissionDenied("Only admins of this organization can do that.")
    request.tenant = tenant
    request.tenant_role = role
    return tenant


def resolve_operator(request: OperatorRequest, slug: str, *, admin: bool = False) -> Operator:
    """The operator named in the URL, if the user works for it (404) with the role (403)."""
    user = request.user
    if not isinstance(user, User):  # anonymous (the sign-in middleware normally got there first)
        raise Http404("No such operator.")
    operator = Operator.objects.staffed_by(user).filter(slug=slug).first()
    if operator is None:
        raise Http404("No such operator.")
    role = operator_role(user, operator)
    if admin and role != OperatorRole.ADMIN:
        raise PermissionDenied("Only admins of this operator can do that.")
    request.operator = operator
    request.operator_role = role
    return operator


class TenantMixin(_ScopedView):
    """For class-based views under ``/t/<tenant_slug>/``. Set ``admin_required`` on writers.

    ``admin_required = "unsafe"`` requires an admin for POST/PUT/PATCH/DELETE only, so viewers
    can read a page that also has a form.
    """

    admin_required: bool | str = False

    def dispatch(self, request, *args, **kwargs):
        need_admin = self.admin_required is True or (
            self.admin_required == "unsafe" and request.method not in ("GET", "HEAD", "OPTIONS")
        )
        self.tenant = resolve_tenant(request, kwargs["tenant_slug"], admin=need_admin)
        self.tenant_role: str | None = request.tenant_role
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["tenant"] = self.tenant
        ctx["tenant_role"] = self.tenant_role
        ctx["is_tenant_admin"] = self.tenant_role == TenantRole.ADMIN
        return ctx


class OperatorMixin(_ScopedView):
    """For class-based views under ``/o/<operator_slug>/``."""

    admin_required: bool | str = False

    def dispatch(self, request, *args, **kwargs):
        need_admin = self.admin_required is True or (
            self.admin_required == "unsafe" and request.method not in ("GET", "HEAD", "OPTIONS")
        )
        self.operator = resolve_operator(request, kwargs["operator_slug"], admin=need_admin)
        self.operator_role: str | None = request.operator_role
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["operator"] = self.operator
        ctx["operator_role"] = self.operator_role
        ctx["is_operator_admin"] = self.operator_role == OperatorRole.ADMIN
        return ctx
