from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jixiao.web.accounts"
    label = "accounts"
    verbose_name = "单位和用户"
    default_auto_field = "django.db.models.BigAutoField"
