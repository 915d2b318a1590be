"""A user whose password an administrator set is sent to the password page until they choose their own."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from jixiao.web.accounts.models import PasswordState

# Pages such a user may still open: the password page itself, logging out, static files and the API
# (a token is not a password; the API answers in JSON, a redirect would only confuse its clients).
OPEN_PREFIXES = ("/static/", "/api/")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            allowed = (reverse("password-change"), reverse("logout"))
            if request.path not in allowed and not request.path.startswith(OPEN_PREFIXES) \
                    and PasswordState.objects.filter(user=user, must_change=True).exists():
                return redirect(f"{reverse('password-change')}?required=1")
        return self.get_response(request)
