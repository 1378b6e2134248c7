"""Tenant single sign-on with OpenID Connect (docs/sso.md).

``client`` builds one Authlib client per tenant from its configuration; ``backends`` refuses
passwords where a tenant requires SSO; ``hooks`` is where a sign-in continues (MFA plugs in there).
The rules on who may sign in live in ``portal.services.sso``.
"""
