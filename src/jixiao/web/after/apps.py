from django.apps import AppConfig


class AfterConfig(AppConfig):
    name = "jixiao.web.after"
    label = "after"
    verbose_name = "佐证材料、整改、结果应用与部门整体自评"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jixiao.web.after.openapi import extend
        from jixiao.web.openapi import SCHEMA

        extend(SCHEMA)
