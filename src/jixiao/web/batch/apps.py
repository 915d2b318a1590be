from django.apps import AppConfig


class BatchConfig(AppConfig):
    name = "jixiao.web.batch"
    label = "batch"
    verbose_name = "批量复核"
    default_auto_field = "django.db.models.BigAutoField"
