"""An authentication backend that refuses passwords where the organization requires SSO."""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import PermissionDenied

from portal.services.sso import refuse_password_sign_in, tenant_requiring_sso


class SSORequiredBackend(BaseBackend):
    """Stop the password check for a member of a tenant that requires SSO.

    Placed before ``ModelBackend``: raising ``PermissionDenied`` ends ``authenticate()`` for every
    backend, before the password is even checked (no password oracle for these accounts). The
    login form reads ``request.sso_required_tenant`` to say why. Platform staff are never refused
    here: a tenant must not be able to lock the platform's own people out.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username:
            return None
        hit = tenant_requiring_sso(str(username))
        if hit is None:
            return None
        user, tenant = hit
        refuse_password_sign_in(user, tenant, request=request)
        if request is not None:
            request.sso_required_tenant = tenant
        raise PermissionDenied("Single sign-on is required.")

    def get_user(self, user_id):
        return None
