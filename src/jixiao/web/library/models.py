"""What the library stores: entries (with their reviewed changes), the usage learnt from stored forms,
and each entry's statistics, kept until its usage changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jixiao.web.models import Org, PerformanceForm


class Entry(models.Model):
    """A library entry (jixiao.indicator/1); changed only by an approved EntryChange."""

    class Status(models.TextChoices):
        ACTIVE = "active", "启用"
        RETIRED = "retired", "停用"

    code = models.CharField("指标代码", max_length=50, unique=True)
    name = models.CharField("三级指标名称", max_length=200)
    norm = models.CharField("规范化名称", max_length=200, db_index=True, editable=False)
    level1 = models.CharField("一级指标", max_length=50, blank=True)
    level2 = models.CharField("二级指标", max_length=50, blank=True)
    kind = models.CharField("定量/定性", max_length=4, default="定量")
    op = models.CharField("计算符号", max_length=2, blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    explanation = models.TextField("指标解释", blank=True)
    formula = models.TextField("计算公式", blank=True)
    standard = models.TextField("评（扣）分标准", blank=True)
    data_source = models.TextField("数据来源/佐证材料", blank=True)
    common = models.BooleanField("是否共性指标", default=False)
    owner = models.CharField("归口单位", max_length=200, blank=True)
    valid_from = models.PositiveIntegerField("启用年度", null=True, blank=True)
    valid_to = models.PositiveIntegerField("停用年度", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    provenance = models.CharField("来源", max_length=300, blank=True)
    aliases = models.JSONField("别名", default=list, blank=True)
    # Every normalised name (own and aliases) joined by "|": what the suggestion box searches.
    search = models.TextField(editable=False, default="")
    # Figures shown in lists and suggestions, refreshed with the statistics (EntryStats).
    uses = models.PositiveIntegerField("使用次数", default=0, db_index=True)
    units_using = models.PositiveIntegerField("使用单位数", default=0)
    median_target = models.CharField("目标中位数", max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标库"
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EntryChange(models.Model):
    """A proposed 入库 / 修改 / 出库 of an entry, and its review; approved changes are the entry's history."""

    class Action(models.TextChoices):
        ADD = "add", "入库"
        CHANGE = "change", "修改"
        RETIRE = "retire", "出库"

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"

    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    code = models.CharField("指标代码", max_length=50, db_index=True)
    action = models.CharField("类型", max_length=10, choices=Action.choices)
    record = models.JSONField("提议内容（jixiao.indicator/1）")
    before = models.JSONField("修改前", null=True, blank=True)
    reason = models.TextField("申请原因", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    comment = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "指标变更"
        verbose_name_plural = "指标变更"
        ordering = ("-proposed_at", "-id")


class Usage(models.Model):
    """One indicator row of a stored form, with the entry it is linked to (or none yet)."""

    class How(models.TextChoices):
        EXACT = "exact", "名称一致"
        NORMALISED = "normalised", "规范化后一致"
        SIMILAR = "similar", "名称相似（待确认）"
        CONFIRMED = "confirmed", "已确认"
        NONE = "none", "未匹配"

    form = models.ForeignKey(PerformanceForm, on_delete=models.CASCADE, related_name="library_usages")
    index = models.PositiveIntegerField()  # the row's position in the form's indicators
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="usages")
    how = models.CharField(max_length=12, choices=How.choices, default=How.NONE)
    score = models.FloatField(default=0)  # similarity of a SIMILAR link
    name = models.CharField(max_length=300)
    norm = models.CharField(max_length=300)
    level2 = models.CharField(max_length=100, blank=True)
    target = models.CharField(max_length=200, blank=True)
    actual = models.CharField(max_length=200, blank=True)
    target_number = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    target_unit = models.CharField(max_length=20, blank=True)
    actual_number = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    actual_unit = models.CharField(max_length=20, blank=True)
    met = models.BooleanField(null=True)
    year = models.PositiveIntegerField()
    unit = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Org, null=True, on_delete=models.SET_NULL, related_name="+")
    region = models.CharField(max_length=100, blank=True)  # the finance bureau above the unit
    project = models.CharField(max_length=300)
    phase = models.CharField(max_length=10)

    class Meta:
        verbose_name = "指标使用"
        verbose_name_plural = "指标使用"
        indexes = (
            models.Index(fields=["entry", "year"], name="library_usage_entry_year"),
            models.Index(fields=["unit", "project", "entry", "year"], name="library_usage_history"),
            models.Index(fields=["how", "norm"], name="library_usage_unmatched"),
            models.Index(fields=["form", "index"], name="library_usage_form"),
        )


# The links statistics, benchmarks and checks count: a similar name counts once the user confirmed it.
LINKED = (Usage.How.EXACT, Usage.How.NORMALISED, Usage.How.CONFIRMED)


def linked_usage() -> models.QuerySet[Usage]:
    return Usage.objects.filter(how__in=LINKED)


class EntryStats(models.Model):
    """An entry's statistics (jixiao.core.library.Stats as JSON), dropped whenever its usage changes.

    The whole entry's benchmark chart and its page's body (rendered from these, the entry's fields and history)
    are kept beside them, made on the first visit of the entry's page and shared by every server process; each in
    its own column so that the statistics API reads neither. `page_stamp` is the entry's updated_at the page was
    rendered at (the entry changes, or a change is proposed: the page is rendered again from the kept chart)."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, primary_key=True, related_name="stats")
    data = models.JSONField()
    chart = models.JSONField(null=True, blank=True)
    page = models.TextField(blank=True)
    page_stamp = models.CharField(max_length=40, blank=True)
    computed_at = models.DateTimeField(auto_now=True)
