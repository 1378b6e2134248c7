from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Export jobs"
    default_auto_field = "django.db.models.BigAutoField"
