from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "jixiao.web.ops"
    label = "ops"
    verbose_name = "运行与安全"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jixiao.web.ops import checks, signals  # noqa: F401  (they register themselves)
