from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Operator Connect portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal import lockout, signals  # noqa: F401  (connect their receivers)
