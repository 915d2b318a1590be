"""Scoring profiles uploaded by a finance bureau's administrator (issue 9 point 5, issue 16 point 2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class UploadedProfile(models.Model):
    """A profile's TOML text, checked when uploaded, for the forms under `org` (everywhere when empty).

    Forms and requests name a profile; they never give a path. A retired profile is offered for no new
    form or import, but the forms scored under it keep it; one deleted outright falls back to the year's.
    """

    name = models.CharField("规则名称", max_length=100, unique=True)  # the TOML's `name`
    title = models.CharField("标题", max_length=200)
    region = models.CharField("适用地区", max_length=200, blank=True)  # the TOML's `regions`, as shown
    first_year = models.PositiveIntegerField("起始年度", null=True, blank=True)
    last_year = models.PositiveIntegerField("截止年度", null=True, blank=True)
    org = models.ForeignKey("jixiao.Org", verbose_name="适用单位（及其下级）", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    text = models.TextField("TOML 内容")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField("上传时间", auto_now_add=True)
    changed = models.DateTimeField(auto_now=True)
    retired = models.BooleanField("已停用", default=False)

    class Meta:
        verbose_name = "上传的评分规则"
        verbose_name_plural = "上传的评分规则"
        ordering = ("-created",)

    def __str__(self) -> str:
        return f"{self.title}（{self.name}）"
