"""Administration of units, people and roles (Django admin, for 管理员)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from jixiao.web.models import ApiToken, FormFinding, ImportJob, Membership, Org, PerformanceForm, YearProfile

admin.site.site_header = "绩效自评 · 管理"
admin.site.site_title = "绩效自评管理"
admin.site.index_title = "单位、人员与设置"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name",)
    autocomplete_fields = ("parent",)
    inlines = (MembershipInline,)

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj: Org) -> str:
        return "　" * (obj.path.count("/") - 2) + obj.name


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "org", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "org__name")
    autocomplete_fields = ("user", "org")


@admin.register(YearProfile)
class YearProfileAdmin(admin.ModelAdmin):
    list_display = ("year", "profile")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created", "last_used")
    readonly_fields = ("digest", "prefix", "created", "last_used")


class FindingInline(admin.TabularInline):
    model = FormFinding
    extra = 0
    fields = ("code", "severity", "message", "found", "expected")
    readonly_fields = fields
    can_delete = False


@admin.register(PerformanceForm)
class PerformanceFormAdmin(admin.ModelAdmin):
    list_display = ("project", "year", "unit", "phase", "stage", "computed_total", "grade", "error_count")
    list_filter = ("year", "phase", "stage", "grade")
    search_fields = ("project", "unit__name")
    raw_id_fields = ("unit", "department", "created_by", "updated_by")
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = (FindingInline,)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("pk", "user", "status", "total", "done", "created")
    readonly_fields = ("files", "preview", "problems", "result")


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """django_tasks_db's read-only list of background tasks, its computed columns named in Chinese (the model's
    own fields are translated in jixiao/web/locale)."""

    @admin.display(description="任务名称")
    def task_name(self, obj: DBTaskResult) -> str:
        return str(obj.task_name)

    @admin.display(description="错误追踪")
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description="最早执行时间")
    def display_run_after(self, obj: DBTaskResult) -> Any:
        return super().display_run_after(obj)
