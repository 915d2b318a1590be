"""What the web application stores: the organisation, who plays which role where, and the forms.

A form is stored as its interchange record (jixiao.form/1, docs/domain.md §8) plus columns derived from its
evaluation, so that lists, filters and overviews are answered by the database; its findings are rows.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models


class Org(models.Model):
    """A node of the organisation tree: 财政局 → 主管部门 → 实施单位, any depth.

    `path` lists the ids from the root down to this node ("/1/4/9/"), so "this node and everything
    under it" is one indexed prefix filter, whatever the depth.
    """

    class Kind(models.TextChoices):
        FINANCE = "finance", "财政局"
        DEPARTMENT = "department", "主管部门"
        UNIT = "unit", "实施单位"

    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.UNIT)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("层级路径", max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ("path",)
        constraints = (models.UniqueConstraint(fields=["parent", "name"], name="org_unique_name_under_parent"),)

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent else "/") + f"{self.pk}/"
        if path != self.path:
            old, self.path = self.path, path
            Org.objects.filter(pk=self.pk).update(path=path)
            if old:  # moved: its subtree follows
                for child in self.children.all():
                    child.save()

    def ancestors(self) -> list[Org]:
        """This node and those above it, root first (one query)."""
        ids = [int(i) for i in self.path.strip("/").split("/") if i]
        by_id = Org.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def department(self) -> Org | None:
        """The nearest 主管部门 at or above this node."""
        return next((o for o in reversed(self.ancestors()) if o.kind == Org.Kind.DEPARTMENT), None)


class Role(models.TextChoices):
    FILLER = "filler", "填报人"  # fills in the forms of one unit
    REVIEWER = "reviewer", "审核人"  # reviews the forms of a department's units
    FINANCE = "finance", "财政复核"  # the finance bureau: sees everything under it
    ADMIN = "admin", "管理员"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships"
    )
    org = models.ForeignKey(Org, verbose_name="单位", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        constraints = (models.UniqueConstraint(fields=["user", "org", "role"], name="membership_unique"),)

    def __str__(self) -> str:
        return f"{self.user} · {self.org} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name="用户")
    name = models.CharField("名称", max_length=100, blank=True)
    digest = models.CharField("摘要（SHA-256）", max_length=64, unique=True)
    prefix = models.CharField("前缀", max_length=8)  # shown in the admin to tell tokens apart
    created = models.DateTimeField("创建时间", auto_now_add=True)
    last_used = models.DateTimeField("最近使用", null=True, blank=True)
    expires = models.DateTimeField("到期", null=True, blank=True)  # JIXIAO_TOKEN_DAYS after creation

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class YearProfile(models.Model):
    """The scoring profile used for a year's forms unless a form overrides it."""

    year = models.PositiveIntegerField("年度", unique=True)
    profile = models.CharField("评分规则", max_length=100)

    class Meta:
        verbose_name = "年度评分规则"
        verbose_name_plural = "年度评分规则"

    def __str__(self) -> str:
        return f"{self.year}: {self.profile}"


class Phase(models.TextChoices):
    TARGET = "target", "目标申报"
    SELF = "self", "自评"


class Stage(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核"
    RECHECKED = "rechecked", "已复核"
    PUBLISHED = "published", "已公开"


# Stages in which the unit may still change its form (issue 5 drives the transitions).
EDITABLE_STAGES = (Stage.DRAFT, Stage.RETURNED)


class PerformanceForm(models.Model):
    """One project's form of one unit and year: the record as printed plus its evaluation, denormalised."""

    unit = models.ForeignKey(Org, verbose_name="实施单位", on_delete=models.PROTECT, related_name="forms")
    department = models.ForeignKey(
        Org, verbose_name="主管部门", null=True, blank=True, on_delete=models.PROTECT, related_name="department_forms"
    )
    year = models.PositiveIntegerField("年度", db_index=True)
    project = models.CharField("项目名称", max_length=300)
    phase = models.CharField("阶段", max_length=10, choices=Phase.choices, default=Phase.TARGET)
    stage = models.CharField("状态", max_length=12, choices=Stage.choices, default=Stage.DRAFT, db_index=True)
    record = models.JSONField("表单（jixiao.form/1）")
    profile_override = models.CharField("指定评分规则", max_length=100, blank=True)
    profile = models.CharField("评分规则", max_length=100, blank=True)  # the one the evaluation used
    scorecard = models.JSONField("计算结果", default=dict)
    budget = models.DecimalField("全年预算数", max_digits=16, decimal_places=4, null=True, blank=True)
    executed = models.DecimalField("全年执行数", max_digits=16, decimal_places=4, null=True, blank=True)
    execution_rate = models.DecimalField("执行率", max_digits=10, decimal_places=6, null=True, blank=True)
    fund_score = models.DecimalField("资金得分", max_digits=8, decimal_places=2, null=True, blank=True)
    printed_total = models.DecimalField("填报总分", max_digits=8, decimal_places=2, null=True, blank=True)
    computed_total = models.DecimalField("计算总分", max_digits=8, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等级", max_length=10, blank=True, db_index=True)
    indicator_count = models.PositiveIntegerField("指标数", default=0)
    error_count = models.PositiveIntegerField("错误", default=0)
    warning_count = models.PositiveIntegerField("警告", default=0)
    info_count = models.PositiveIntegerField("提示", default=0)
    version = models.PositiveIntegerField("版本", default=1)  # optimistic concurrency: bumped on every save
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="创建人"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="修改人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "绩效自评表"
        verbose_name_plural = "绩效自评表"
        # By id, not by project name: collation-aware sorting of Chinese text is slow and means little.
        ordering = ("-year", "unit_id", "id")
        # Not unique: real batches hold the same project twice (the seed's 社区矫正专项经费, check P05).
        indexes = (
            # The list's order: any page of 20,000 forms is read from this index, not sorted.
            models.Index(fields=["-year", "unit", "id"], name="form_list_order"),
            models.Index(fields=["unit", "year", "project"]),
            models.Index(fields=["year", "department"]),
            models.Index(fields=["year", "unit"]),
            models.Index(fields=["error_count"]),
        )

    def __str__(self) -> str:
        return f"{self.year} {self.project}"


class FormFinding(models.Model):
    """One finding of the checker on a stored form (jixiao.core.findings.Finding)."""

    class Severity(models.TextChoices):
        ERROR = "error", "错误"
        WARNING = "warning", "警告"
        INFO = "info", "提示"

    form = models.ForeignKey(PerformanceForm, on_delete=models.CASCADE, related_name="findings")
    position = models.PositiveIntegerField(default=0)  # order in the checker's output
    code = models.CharField("代码", max_length=10, db_index=True)
    severity = models.CharField("级别", max_length=10, choices=Severity.choices)
    location = models.JSONField("位置", default=dict)
    found = models.TextField("填报值", blank=True)
    expected = models.TextField("应为", blank=True)
    message = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "复核发现"
        verbose_name_plural = "复核发现"
        ordering = ("form_id", "position")
        indexes = (models.Index(fields=["form", "position"]),)

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


class ImportJob(models.Model):
    """An upload being read and previewed, then confirmed or dropped (the dry-run-then-confirm workflow).

    `preview` holds one entry per form found (its record, evaluation summary, target unit and whether
    it exists already), so a confirmation needs no re-reading and survives the browser being closed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        READING = "reading", "读取中"
        READY = "ready", "待确认"
        FAILED = "failed", "失败"
        DONE = "done", "已导入"
        CANCELLED = "cancelled", "已取消"
        EXPIRED = "expired", "已过期"  # a preview not confirmed within JIXIAO_PREVIEW_HOURS

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs",
                             verbose_name="导入人")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    files = models.JSONField("文件", default=list)  # [{"name": ..., "path": ..., "size": ...}]
    total = models.PositiveIntegerField("文件数", default=0)  # files to read
    done = models.PositiveIntegerField("已读", default=0)  # files read
    preview = models.JSONField("预览", default=list)
    problems = models.JSONField("问题", default=list)
    result = models.JSONField("结果", default=dict)
    error = models.TextField("错误", blank=True)
    created = models.DateTimeField("创建时间", auto_now_add=True)
    updated = models.DateTimeField("更新时间", auto_now=True)
    # Set by the reader every few seconds while it works: a job "reading" without one lately lost its
    # worker (killed) and is shown as interrupted, to retry or cancel (jixiao.web.ops.jobs).
    heartbeat = models.DateTimeField("心跳", null=True, blank=True)
    attempt = models.PositiveIntegerField("尝试次数", default=0)  # bumped by a retry: an older reader's writes are ignored

    class Meta:
        verbose_name = "导入"
        verbose_name_plural = "导入"
        ordering = ("-created",)

    def __str__(self) -> str:
        return f"导入 #{self.pk}"

    @property
    def progress(self) -> int:
        """Percent of files read."""
        return 100 if not self.total else round(100 * self.done / self.total)


class DataVersion(models.Model):
    """One row whose value changes (to a new random number) with every committed change of forms or orgs.

    Database triggers set it (migration 0003), so no way of writing is missed: the list pages keep their
    counts and filter options under the value they were computed at and drop them when it changes.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"


# The labels every page, workbook and message shows, from the choices above (one spelling each).
STAGE_LABELS = dict(Stage.choices)
PHASE_LABELS = dict(Phase.choices)
ROLE_LABELS = dict(Role.choices)
SEVERITY_LABELS = dict(FormFinding.Severity.choices)
