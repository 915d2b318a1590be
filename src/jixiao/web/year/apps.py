from django.apps import AppConfig


class YearConfig(AppConfig):
    name = "jixiao.web.year"
    label = "year"
    verbose_name = "目标申报与运行监控"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The year endpoints join the web API's OpenAPI description here, as the review app's do.
        from jixiao.web.forms.store import EXTRA_CHECKS
        from jixiao.web.openapi import SCHEMA
        from jixiao.web.year.openapi import extend
        from jixiao.web.year.services import differences_from_target

        extend(SCHEMA)
        if differences_from_target not in EXTRA_CHECKS:  # Y01 on every saved self-evaluation
            EXTRA_CHECKS.append(differences_from_target)
