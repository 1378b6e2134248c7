from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "Privacy notices"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notices import signals  # noqa: F401  (cached notice state follows the tenant)
