from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django_tasks_db.apps import TasksAppConfig


class WebConfig(AppConfig):
    name = "jixiao.web"
    label = "jixiao"
    verbose_name = "绩效自评"
    default_auto_field = "django.db.models.BigAutoField"


# The third-party apps the admin lists, under Chinese names (their models' and fields' words are in
# jixiao/web/locale: neither package ships Chinese).
class AxesConfig(AxesAppConfig):
    verbose_name = "登录限制"


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "后台任务"
