"""Access rows of the second factor: /account/security/…, passkey ceremonies, tenant policy.

Every persona signs in verified (tests/conftest.py), with no authenticator app of their own.
"""

from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.access.matrix import LOGIN, Row, everyone
from tests.access.rows_tenant import a, on_a


def _alices_app(w) -> dict:
    device = TOTPDevice.objects.create(user=w.alice, name="Alice's phone", confirmed=True)
    return {"kind": "totp", "device": str(device.pk)}


ROWS = [
    Row("mfa:security", everyone(200, anonymous=LOGIN)),
    # No app or passkey yet: the verify page sends them to set one up.
    Row("mfa:verify", everyone(302)),
    Row("mfa:totp_add", everyone(200, anonymous=LOGIN)),
    Row(
        "mfa:totp_add",
        everyone(200, anonymous=LOGIN),  # a wrong code shows the form again
        method="post",
        data={"name": "Phone", "code": "000000"},
    ),
    Row("mfa:recovery_codes", everyone(405, anonymous=LOGIN)),
    Row("mfa:recovery_codes", everyone(302), method="post"),  # not enrolled: back to the page
    # Only one's own devices: Alice's app is "not found" for everyone else.
    Row("mfa:device_remove", everyone(404, anonymous=LOGIN, alice=302), method="post",
        data=_alices_app),
    Row("otp_webauthn:credential-registration-begin", everyone(200, anonymous=LOGIN),
        method="post"),
    Row("otp_webauthn:credential-registration-complete", everyone(400, anonymous=LOGIN),
        method="post"),  # no ceremony begun in this session
    Row("otp_webauthn:credential-authentication-begin", everyone(200, anonymous=LOGIN),
        method="post"),
    Row("otp_webauthn:credential-authentication-complete", everyone(400, anonymous=LOGIN),
        method="post"),
    Row("otp_webauthn:js-i18n-catalog", everyone(200, anonymous=LOGIN)),
    # The tenant's policy: members read it, admins change it.
    Row("tenant:security", on_a(200), kwargs=a()),
    Row("tenant:security", on_a(302, 403), kwargs=a(), method="post",
        data={"require_mfa": "on"}),
]  # fmt: skip
