"""Authentication by `Authorization: Bearer <token>` beside the session, for the API."""

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
                return JsonResponse({"error": "令牌无效或已停用。", "code": "auth"}, status=401)
            # Record use at most once a minute: a busy client shouldn't write on every request.
            now = timezone.now()
            if token.last_used is None or (now - token.last_used).total_seconds() > 60:
                ApiToken.objects.filter(pk=token.pk).update(last_used=now)
            request.user = token.user
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)
