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
from django.contrib.sessions.backends import db as db_sessions
from django.db import connections, router
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from jixiao.web.accounts.models import PasswordState
from jixiao.web.models import ApiToken


class UserBackend(ModelBackend):
    """Django's ModelBackend (the same passwords, permissions and active check), whose `get_user` — run
    for the session's user on every page — reads the user's password state in the same query."""

    def get_user(self, user_id: Any) -> Any:
        # One fixed statement (a raw query: Django's converters, no query to build), the password state joined.
        model = get_user_model()
        rows = list(model._default_manager.raw(_user_sql(model), [user_id]))
        if not rows or not self.user_can_authenticate(rows[0]):
            return None
        user = rows[0]
        state_id, must_change = user.__dict__.pop("_state_id"), user.__dict__.pop("_state_must_change")
        # What select_related("password_state") leaves: the row (its other fields read when asked), or None.
        user._state.fields_cache["password_state"] = None if state_id is None else PasswordState.from_db(
            user._state.db, ["id", "user_id", "must_change"], [state_id, user.pk, bool(must_change)])
        return user


def _user_sql(model: Any) -> str:
    """The user by key with its password state's id and flag (the query UserBackend.get_user runs)."""
    found = _USER_SQL.get(model)
    if found is None:
        quote = connections[router.db_for_read(model)].ops.quote_name
        user, state = model._meta.db_table, PasswordState._meta.db_table
        columns = ", ".join(f"{quote(user)}.{quote(f.column)}" for f in model._meta.concrete_fields)
        found = _USER_SQL[model] = (
            f"SELECT {columns}, {quote(state)}.id AS _state_id, {quote(state)}.must_change AS _state_must_change "
            f"FROM {quote(user)} LEFT OUTER JOIN {quote(state)} ON {quote(state)}.user_id = {quote(user)}.id "
            f"WHERE {quote(user)}.id = %s")
    return found


_USER_SQL: dict[Any, str] = {}


class SessionStore(db_sessions.SessionStore):
    """Django's database sessions (SESSION_ENGINE "jixiao.web.auth"), whose read — on every page — is one
    fixed SQL statement: the ORM's building of the same query cost more than running it. Everything else
    (create, save, delete, expiry, the cookie) is Django's; a session is still ended for every server process
    at once by deleting its row (a per-process cache of sessions would keep a logged-out session alive in the
    other processes)."""

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is not None:
            model = self.model
            connection = connections[router.db_for_read(model)]
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT session_data FROM {model._meta.db_table} "
                               "WHERE session_key = %s AND expire_date > %s", [key, now])
                row = cursor.fetchone()
            if row is not None:
                return model(session_key=key, session_data=row[0])
        self._session_key = None
        return None


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
