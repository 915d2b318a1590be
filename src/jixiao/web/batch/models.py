"""A queued batch and its files. A file is claimed by one worker at a time (status, worker, claimed_at
change together in one conditional UPDATE); a claim older than the timeout may be taken over."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BatchRun(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "进行中"
        FINISHING = "finishing", "汇总中"
        DONE = "done", "已完成"

    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    profile = models.CharField("评分规则", max_length=500, default="auto")
    sources = models.JSONField("提交的路径", default=list)
    files_total = models.PositiveIntegerField("文件数", default=0)
    report_dir = models.CharField("报告目录", max_length=1000, blank=True)
    finishing_at = models.DateTimeField("开始汇总", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    summary = models.JSONField("合计", default=dict)
    batch_findings = models.JSONField("批次检查结果（P05）", default=list)

    class Meta:
        verbose_name = "批量复核"
        verbose_name_plural = "批量复核"

    def __str__(self) -> str:
        return f"批次 {self.pk}"


class BatchFile(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        CLAIMED = "claimed", "处理中"
        DONE = "done", "已完成"

    batch = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveIntegerField("顺序")
    name = models.TextField("文件")
    data = models.BinaryField("内容")  # in the database, so that a worker on any machine can read it
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    worker = models.CharField("处理进程", max_length=200, blank=True)
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("领取次数", default=0)
    forms = models.PositiveIntegerField("自评表数", default=0)
    result = models.JSONField("结果", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "批量复核文件"
        verbose_name_plural = "批量复核文件"
        constraints = (models.UniqueConstraint(fields=["batch", "position"], name="batch_file_position"),)
        indexes = (models.Index(fields=["status", "batch", "position"], name="batch_file_claim"),)

    def __str__(self) -> str:
        return self.name


class BackgroundJob(models.Model):
    """What every background job of a user keeps besides its own work: why it failed, when it was sent, last
    changed and finished, and the heartbeat its task beats (a job without one lately lost its task:
    jixiao.web.ops.jobs)."""

    error = models.TextField("错误", blank=True)
    created = models.DateTimeField("提交时间", auto_now_add=True)
    updated = models.DateTimeField("更新时间", auto_now=True)
    finished = models.DateTimeField("完成时间", null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ("-created",)


class ExportJob(BackgroundJob):
    """A zip of many forms' files, written by a background task (jixiao.web.forms.exports.run_export).

    The task beats `heartbeat` while it writes (a job running without one lately lost its worker); the
    zip is kept under EXPORT_DIR for JIXIAO_EXPORT_KEEP_HOURS, then the sweep removes it (jixiao.web.ops.jobs).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "导出中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    fmt = models.CharField("格式", max_length=10)
    form_ids = models.JSONField("表", default=list)
    total = models.PositiveIntegerField("表数", default=0)
    done = models.PositiveIntegerField("已写出", default=0)
    file = models.CharField("文件", max_length=1000, blank=True)

    class Meta:
        verbose_name = "批量导出"
        verbose_name_plural = "批量导出"
        ordering = ("-created",)

    def __str__(self) -> str:
        return f"导出 #{self.pk}"

    @property
    def progress(self) -> int:
        """Percent of the forms written."""
        return 100 if not self.total else round(100 * self.done / self.total)


class CheckJob(BackgroundJob):
    """A file sent to /api/check that is too large to check in the request: checked by a background task
    (jixiao.web.batch.checks.run_check), its result the JSON the synchronous check returns. Only its user
    reads it (the API token's owner)."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "检查中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_jobs")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    profile = models.CharField("评分规则", max_length=100, default="auto")
    files = models.JSONField("文件", default=list)  # [{"name": ..., "path": ...}], removed once checked
    result = models.JSONField("结果", null=True, blank=True)

    class Meta:
        verbose_name = "后台检查"
        verbose_name_plural = "后台检查"
        ordering = ("-created",)

    def __str__(self) -> str:
        return f"检查 #{self.pk}"
