"""A password change revokes the user's API tokens: whoever had one must ask for a new one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.dispatch import receiver


@receiver(pre_save, sender=get_user_model())
def revoke_tokens_on_password_change(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    from jixiao.web.models import ApiToken

    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        ApiToken.objects.filter(user_id=instance.pk).delete()
