"""API tokens: the raw token is shown once, only its digest is kept (jixiao.web.models.ApiToken)."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser

from jixiao.web.models import ApiToken


def create_token(user: AbstractBaseUser, name: str = "", days: int | None = None) -> str:
    """A new API token for a user, valid `days` (JIXIAO_TOKEN_DAYS); the raw token is returned once and
    only its digest is kept. `jixiao token list/revoke` (jixiao.web.ops.commands) manage them; a
    password change revokes them (jixiao.web.ops.signals)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    raw = "jx_" + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=settings.JIXIAO_TOKEN_DAYS if days is None else days)
    ApiToken.objects.create(user=user, name=name, digest=ApiToken.hash(raw), prefix=raw[:8], expires=expires)
    return raw
