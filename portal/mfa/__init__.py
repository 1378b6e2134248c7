"""Second factor: TOTP apps, passkeys and recovery codes (django-otp). See docs/mfa.md."""
