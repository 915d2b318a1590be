"""What the review side stores: rounds with deadlines, review events, versions and field changes of a
form (its history), and the random re-check draws with the finance bureau's own scores.

The form itself (its stage and version) lives in jixiao.web.models.PerformanceForm; nothing here
duplicates it, everything here points at it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jixiao.web.models import Org, PerformanceForm, Phase, Stage


class Round(models.Model):
    """A collection round opened by the finance bureau: a year and phase, a deadline, some or all departments."""

    year = models.PositiveIntegerField("年度")
    phase = models.CharField("阶段", max_length=10, choices=Phase.choices, default=Phase.SELF)
    title = models.CharField("名称", max_length=200)
    deadline = models.DateField("截止日期")
    # Empty means every department under the finance bureau.
    departments = models.ManyToManyField(Org, verbose_name="主管部门", blank=True, related_name="+")
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "填报任务"
        verbose_name_plural = "填报任务"
        ordering = ("-year", "deadline", "id")

    def __str__(self) -> str:
        return self.title


class ReviewEvent(models.Model):
    """One stage change of a form: who took which action, with what comment, from and to which stage.

    `field` names a cell of the record ("indicators[2].score", 0-based like the checker's locations) when
    a comment is about one cell; `warnings` keeps the warnings a submission acknowledged with its comment.
    """

    form = models.ForeignKey(PerformanceForm, on_delete=models.CASCADE, related_name="review_events")
    action = models.CharField("操作", max_length=12)
    from_stage = models.CharField("原状态", max_length=12, choices=Stage.choices)
    to_stage = models.CharField("新状态", max_length=12, choices=Stage.choices)
    phase = models.CharField("阶段", max_length=10, choices=Phase.choices)
    version = models.PositiveIntegerField("版本")  # the form's version after the event
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField("意见", blank=True)
    cells = models.JSONField("单元格意见", default=list)  # [{"field": "indicators[2].score", "comment": "…"}]
    warnings = models.JSONField("已说明的警告", default=list)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ("form_id", "at", "id")
        indexes = (models.Index(fields=["form", "at"]),)

    def __str__(self) -> str:
        return f"{self.form_id} {self.action}"


class FormVersion(models.Model):
    """One version of a form: who made it, how, in which stage; and its record when the record changed
    (a stage change keeps no copy: the record is that of the version before), so any two versions compare."""

    form = models.ForeignKey(PerformanceForm, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本")
    record = models.JSONField("表单", null=True, blank=True)
    stage = models.CharField("状态", max_length=12, choices=Stage.choices)
    phase = models.CharField("阶段", max_length=10, choices=Phase.choices)
    kind = models.CharField("类型", max_length=12)  # create, edit, baseline or a review action
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "表单版本"
        verbose_name_plural = "表单版本"
        ordering = ("form_id", "version")
        constraints = (models.UniqueConstraint(fields=["form", "version"], name="review_version_unique"),)

    def __str__(self) -> str:
        return f"{self.form_id} v{self.version}"


class FieldChange(models.Model):
    """One field of a form changed by one save or stage change: the history's unit of account."""

    form = models.ForeignKey(PerformanceForm, on_delete=models.CASCADE, related_name="field_changes")
    version = models.PositiveIntegerField("版本")  # the version the change produced
    path = models.CharField("字段", max_length=200)  # "project", "indicators[2].score", "stage"
    old = models.TextField("原值", null=True, blank=True)  # None: the field did not exist
    new = models.TextField("新值", null=True, blank=True)
    phase = models.CharField("阶段", max_length=10, choices=Phase.choices)
    stage = models.CharField("状态", max_length=12, choices=Stage.choices)  # the stage after the change
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "修改记录"
        verbose_name_plural = "修改记录"
        ordering = ("form_id", "version", "id")
        indexes = (models.Index(fields=["form", "version"]),)

    def __str__(self) -> str:
        return f"{self.form_id} v{self.version} {self.path}"


class Draw(models.Model):
    """A random re-check sample (随机抽评): how it was drawn, from what, with which seed."""

    year = models.PositiveIntegerField("年度")
    phase = models.CharField("阶段", max_length=10, choices=Phase.choices, default=Phase.SELF)
    share = models.DecimalField("抽取比例", max_digits=5, decimal_places=4, null=True, blank=True)
    count = models.PositiveIntegerField("抽取数量", null=True, blank=True)
    seed = models.BigIntegerField("随机种子")
    departments = models.ManyToManyField(Org, verbose_name="主管部门", blank=True, related_name="+")
    population = models.JSONField("抽样总体", default=list)  # form ids drawn from, in order, for the record
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = "随机抽评"
        verbose_name_plural = "随机抽评"
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.year} 抽评 #{self.pk}"


class DrawItem(models.Model):
    """A form drawn for re-check, with the finance bureau's own score and the problems it found."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="items")
    form = models.ForeignKey(PerformanceForm, on_delete=models.CASCADE, related_name="draw_items")
    department = models.ForeignKey(Org, null=True, on_delete=models.SET_NULL, related_name="+")
    own_score = models.DecimalField("复核得分", max_digits=8, decimal_places=2, null=True, blank=True)
    problems = models.TextField("发现的问题", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("复核时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽评表单"
        verbose_name_plural = "抽评表单"
        ordering = ("draw_id", "department_id", "form_id")
        constraints = (models.UniqueConstraint(fields=["draw", "form"], name="review_draw_item_unique"),)

    def __str__(self) -> str:
        return f"{self.draw_id}/{self.form_id}"
