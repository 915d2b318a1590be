"""Authentication by `Authorization: Bearer <token>` beside the session, for the API; and the session's
user backend.

Tokens expire (JIXIAO_TOKEN_DAYS after they are made), are listed and revoked with `jixiao token
list USER` / `jixiao token revoke ID`, and are revoked when their user's password changes
(jixiao.web.ops.signals).

Both run on every request, so each reads what the request needs in one query: the token with its
user; the session's user with its password state (which jixiao.web.accounts.middleware checks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from jixiao.web.models import ApiToken


class UserBackend(ModelBackend):
    """Django's ModelBackend (the same passwords, permissions and active check), whose `get_user` — run
    for the session's user on every page — reads the user's password state in the same query."""

    def get_user(self, user_id: Any) -> Any:
        # A slice, not .first() or .get(): the key is unique, and ORDER BY costs the ORM more than the query.
        rows = list(get_user_model()._default_manager.select_related("password_state").filter(pk=user_id)[:1])
        return rows[0] if rows and self.user_can_authenticate(rows[0]) else None


class BearerTokenMiddleware:
    """A request with a valid bearer token acts as the token's user; a wrong token is refused (401).

    Token requests carry no cookies, so they are exempt from the CSRF check that protects sessions.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            digest = ApiToken.hash(header.removeprefix("Bearer ").strip())
            # The digest is unique: a slice, without the ORDER BY of .first() (a third of the lookup's cost).
            rows = list(ApiToken.objects.select_related("user").filter(digest=digest, user__is_active=True)[:1])
            if not rows:
                return JsonResponse({"error": "令牌无效或已停用。", "code": "auth"}, status=401,
                                    json_dumps_params={"ensure_ascii": False})
            token = rows[0]
            now = timezone.now()
            if token.expires is not None and token.expires <= now:
                return JsonResponse(
                    {"error": f"令牌已于 {timezone.localtime(token.expires):%Y-%m-%d %H:%M} 过期，请用 jixiao token create 生成新令牌。",
                     "code": "expired"}, status=401, json_dumps_params={"ensure_ascii": False})
            # Record use at most once a minute: a busy client shouldn't write on every request.
            if token.last_used is None or (now - token.last_used).total_seconds() > 60:
                ApiToken.objects.filter(pk=token.pk).update(last_used=now)
            request.user = token.user
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)
