from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "jixiao.web.review"
    label = "review"
    verbose_name = "审核、复核与公开"
    default_auto_field = "django.db.models.BigAutoField"
