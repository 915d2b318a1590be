from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "jixiao.web.review"
    label = "review"
    verbose_name = "审核、复核与公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The web API's OpenAPI description is a dict; the review endpoints join it here, not in its file.
        from jixiao.web.openapi import SCHEMA
        from jixiao.web.review.openapi import extend

        extend(SCHEMA)
