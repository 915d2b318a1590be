"""API tokens: the raw token is shown once, only its digest is kept (jixiao.web.models.ApiToken)."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser

from jixiao.web.models import ApiToken


def create_token(user: AbstractBaseUser, name: str = "") -> str:
    """A new API token for a user; the raw token is returned once and only its digest is kept."""
    raw = "jx_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=ApiToken.hash(raw), prefix=raw[:8])
    return raw
