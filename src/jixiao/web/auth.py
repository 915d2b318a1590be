"""Authentication by `Authorization: Bearer <token>` beside the session, for the API.

Tokens expire (JIXIAO_TOKEN_DAYS after they are made), are listed and revoked with `jixiao token
list USER` / `jixiao token revoke ID`, and are revoked when their user's password changes
(jixiao.web.ops.signals).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from jixiao.web.models import ApiToken


class BearerTokenMiddleware:
    """A request with a valid bearer token acts as the token's user; a wrong token is refused (401).

    Token requests carry no cookies, so they are exempt from the CSRF check that protects sessions.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            token = (
                ApiToken.objects.select_related("user")
                .filter(digest=ApiToken.hash(header.removeprefix("Bearer ").strip()), user__is_active=True)
                .first()
            )
            if token is None:
                return JsonResponse({"error": "令牌无效或已停用。", "code": "auth"}, status=401,
                                    json_dumps_params={"ensure_ascii": False})
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
