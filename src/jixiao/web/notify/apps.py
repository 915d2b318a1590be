from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "jixiao.web.notify"
    label = "notify"
    verbose_name = "站内消息"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jixiao.web.notify import receivers  # noqa: F401  (they register themselves)
