"""What the account pages keep beside Django's user: whether the user must choose a new password."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PasswordState(models.Model):
    """Set when an administrator gives a user a password (reset, new account, import): that user must
    choose their own at the next login (jixiao.web.accounts.middleware)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_state")
    must_change = models.BooleanField("下次登录须修改密码", default=False)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    set_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "密码状态"
        verbose_name_plural = "密码状态"
