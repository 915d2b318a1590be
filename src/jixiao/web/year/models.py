"""What the year app stores: target declarations (one row per version), their reviews, rounds per kind,
monitoring forms and the units' answers to the finance bureau's 预警.

A declaration is stored as its record (jixiao.target/1), a monitoring form as jixiao.monitor/1; their
findings are recomputed by the core on every save and kept as JSON for lists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jixiao.web.models import Org


class TargetStage(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待主管部门审核"
    TO_FINANCE = "to_finance", "待财政审核"  # the 主管部门 passed it up (cycle.md §2.6 Procedure), or none is required
    RETURNED = "returned", "已退回"
    EDITS = "edits", "按意见修改"  # 良: the unit edits as the reviewer asked, then it is approved without a new round
    APPROVED = "approved", "已批复"
    REJECTED = "rejected", "不予通过"  # 差: not editable, excluded from budgeting
    SUPERSEDED = "superseded", "已被调整"  # an approved version replaced by a later approved one


TARGET_EDITABLE = (TargetStage.DRAFT, TargetStage.RETURNED, TargetStage.EDITS)
TARGET_IN_REVIEW = (TargetStage.SUBMITTED, TargetStage.TO_FINANCE)


class RoundKind(models.TextChoices):
    TARGET = "target", "目标申报"
    MONITOR = "monitor", "运行监控"
    SELF = "self", "自评"


class YearRound(models.Model):
    """A round the finance bureau opens for one kind of form: year, deadline, units covered, and for
    monitoring the period 1–X月."""

    kind = models.CharField("类型", max_length=10, choices=RoundKind.choices)
    year = models.PositiveIntegerField("年度")
    title = models.CharField("名称", max_length=200)
    to_month = models.PositiveSmallIntegerField("监控截止月份", null=True, blank=True)
    deadline = models.DateField("截止日期")
    answer_days = models.PositiveSmallIntegerField("预警答复期限（天）", default=14)
    departments = models.ManyToManyField(Org, verbose_name="主管部门", blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度任务"
        verbose_name_plural = "年度任务"
        ordering = ("-year", "kind", "deadline", "id")

    def __str__(self) -> str:
        return self.title


class TargetDecl(models.Model):
    """One version of one project's 绩效目标申报表: `lineage` is the id of its first version."""

    unit = models.ForeignKey(Org, verbose_name="实施单位", on_delete=models.PROTECT, related_name="targets")
    department = models.ForeignKey(Org, verbose_name="主管部门", null=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度", db_index=True)
    project = models.CharField("项目名称", max_length=300)
    lineage = models.PositiveBigIntegerField("目标序列", null=True, db_index=True)
    version = models.PositiveIntegerField("目标版本", default=1)
    reason = models.TextField("调整原因", blank=True)
    stage = models.CharField("状态", max_length=12, choices=TargetStage.choices, default=TargetStage.DRAFT)
    record = models.JSONField("申报表（jixiao.target/1）")
    findings = models.JSONField("检查结果", default=list)
    error_count = models.PositiveIntegerField("错误", default=0)
    rounds = models.PositiveIntegerField("审核轮次", default=0)
    published = models.BooleanField("已随预算公开", default=False)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    approved_at = models.DateTimeField("批复时间", null=True, blank=True)
    edit = models.PositiveIntegerField("修改次数", default=1)  # optimistic concurrency
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "绩效目标申报表"
        verbose_name_plural = "绩效目标申报表"
        ordering = ("-year", "unit_id", "lineage", "version")
        constraints = (models.UniqueConstraint(fields=["lineage", "version"], name="year_target_version_unique"),)

    def __str__(self) -> str:
        return f"{self.year} {self.project} v{self.version}"


class TargetReview(models.Model):
    """One review of a target version: per-point grades, the overall grade, the outcome it drove."""

    target = models.ForeignKey(TargetDecl, on_delete=models.CASCADE, related_name="reviews")
    level = models.CharField("审核层级", max_length=12)  # department | finance
    items = models.JSONField("各要点等级", default=dict)
    grade = models.CharField("总体等级", max_length=2)
    outcome = models.CharField("结果", max_length=24)
    opinion = models.TextField("审核意见", blank=True)
    cells = models.JSONField("单元格意见", default=list)  # [{"field": "indicators[0].target", "comment": "…"}]
    profile = models.CharField("审核规则", max_length=60)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("审核时间", auto_now_add=True)

    @property
    def outcome_label(self) -> str:
        from jixiao.core.yearrules import DEPARTMENT_OUTCOME_NAMES, OUTCOME_NAMES

        return OUTCOME_NAMES.get(self.outcome) or DEPARTMENT_OUTCOME_NAMES.get(self.outcome, self.outcome)

    class Meta:
        verbose_name = "目标审核"
        verbose_name_plural = "目标审核"
        ordering = ("target_id", "at", "id")


class MonitorForm(models.Model):
    """A 运行监控表 opened from an approved target version for a monitoring round."""

    target = models.ForeignKey(TargetDecl, verbose_name="批复目标", on_delete=models.PROTECT, related_name="monitors")
    round = models.ForeignKey(YearRound, verbose_name="监控任务", on_delete=models.PROTECT, related_name="monitors")
    unit = models.ForeignKey(Org, verbose_name="实施单位", on_delete=models.PROTECT, related_name="+")
    record = models.JSONField("监控表（jixiao.monitor/1）")
    findings = models.JSONField("检查结果", default=list)
    submitted = models.BooleanField("已报送", default=False)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    edit = models.PositiveIntegerField("修改次数", default=1)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "运行监控表"
        verbose_name_plural = "运行监控表"
        ordering = ("-round_id", "unit_id", "id")
        constraints = (models.UniqueConstraint(fields=["target", "round"], name="year_monitor_once_per_round"),)


class Answer(models.TextChoices):
    CONTINUE = "continue", "继续执行"
    ADJUST = "adjust", "调剂"
    CANCEL = "cancel", "取消"


class MonitorWarning(models.Model):
    """A 预警 of a submitted monitoring form, and the unit's answer by its deadline."""

    monitor = models.ForeignKey(MonitorForm, on_delete=models.CASCADE, related_name="warnings")
    kind = models.CharField("预警类型", max_length=12)  # execution | out_of_step | unlikely
    message = models.TextField("预警内容")
    deadline = models.DateField("答复截止日期")
    answer = models.CharField("处理方式", max_length=10, choices=Answer.choices, blank=True)
    note = models.TextField("说明", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "监控预警"
        verbose_name_plural = "监控预警"
        ordering = ("deadline", "id")
