"""A queued batch and its files. A file is claimed by one worker at a time (status, worker, claimed_at
change together in one conditional UPDATE); a claim older than the timeout may be taken over."""

from __future__ import annotations

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
