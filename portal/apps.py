from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Operator Connect portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal import (
            lockout,  # noqa: F401  (connects the lock-out receivers)
            signals,  # noqa: F401  (connects session bookkeeping)
            translations,  # noqa: F401  (registers the catalogue check)
        )
        from portal.services import webhooks  # noqa: F401  (webhook twins of notifications)
