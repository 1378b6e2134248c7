from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Export jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from exports import signals  # noqa: F401  (masking default for new tenants)
