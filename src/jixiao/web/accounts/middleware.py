"""A user whose password an administrator set is sent to the password page until they choose their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from jixiao.web.accounts.models import PasswordState

# Pages such a user may still open: the password page itself, logging out, static files and the API
# (a token is not a password; the API answers in JSON, a redirect would only confuse its clients).
OPEN_PREFIXES = ("/static/", "/api/")


def must_change_password(user: Any) -> bool:
    """Whether the user must choose a new password: read with the user where the session's backend
    (jixiao.web.auth.UserBackend) loaded it, otherwise asked of the database."""
    cache = user._state.fields_cache
    if "password_state" in cache:  # select_related: the row, or None when the user has none
        state = cache["password_state"]
        return state is not None and state.must_change
    return PasswordState.objects.filter(user=user, must_change=True).exists()


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            page = reverse("password-change")
            if request.path not in (page, reverse("logout")) and must_change_password(user):
                return redirect(f"{page}?required=1")
        return self.get_response(request)
