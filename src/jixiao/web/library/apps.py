from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "jixiao.web.library"
    label = "library"
    verbose_name = "指标库"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Stored forms are linked to entries whenever they are saved or imported; the API description grows here.
        from jixiao.web.library import hooks
        from jixiao.web.library.openapi import extend
        from jixiao.web.openapi import SCHEMA

        hooks.connect()
        extend(SCHEMA)
