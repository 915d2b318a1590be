"""A message to one user: what happened, where to look, whether it was read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    class Kind(models.TextChoices):
        RETURNED = "returned", "表单退回"
        COMMENT = "comment", "审核意见"
        WAITING = "waiting", "待审核"
        DEADLINE = "deadline", "截止提醒"
        RECTIFICATION = "rectify", "整改"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    title = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    # Set for reminders a daily run may create again: one message per user and key, however often it runs.
    key = models.CharField(max_length=120, blank=True)
    created = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ("-created", "-id")
        indexes = (models.Index(fields=["user", "read_at"], name="notify_unread"),)
        constraints = (models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""),
                                               name="notify_unique_key"),)

    def __str__(self) -> str:
        return self.title
