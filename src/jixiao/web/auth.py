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
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db as db_sessions
from django.db import connections, router
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

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
    return _sql(model, "state", PasswordState._meta.db_table, "LEFT OUTER JOIN", "user_id",
                ("id", "must_change"), "{user}.{pk} = %s")


def _token_sql(model: Any) -> str:
    """The active user of a token by the token's digest, with the token's key and times (BearerTokenMiddleware)."""
    return _sql(model, "token", ApiToken._meta.db_table, "INNER JOIN", "user_id", ("id", "expires", "last_used"),
                "{joined}.digest = %s AND {user}.is_active = %s")


def _sql(model: Any, role: str, joined: str, join: str, key: str, columns: tuple[str, ...], where: str) -> str:
    """A statement reading the user with some columns of a table joined to it (named _<role>_<column>),
    built once per user model from its table and columns."""
    found = _SQL.get((model, role))
    if found is None:
        quote = connections[router.db_for_read(model)].ops.quote_name
        user, other = quote(model._meta.db_table), quote(joined)
        selected = [f"{user}.{quote(f.column)}" for f in model._meta.concrete_fields]
        selected += [f"{other}.{quote(c)} AS _{role}_{c}" for c in columns]
        condition = where.format(user=user, joined=other, pk=quote(model._meta.pk.column))
        found = _SQL[(model, role)] = (
            f"SELECT {', '.join(selected)} FROM {user} {join} {other} ON {other}.{quote(key)} = {user}.{quote(model._meta.pk.column)} "
            f"WHERE {condition}")
    return found


_SQL: dict[tuple[Any, str], str] = {}


def _moment(value: Any) -> datetime | None:
    """A date-time column read without the ORM's converters: PostgreSQL gives it aware, SQLite as UTC text."""
    if value is None or isinstance(value, datetime):
        return value if value is None or timezone.is_aware(value) else timezone.make_aware(value, UTC)
    parsed = parse_datetime(str(value))
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


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
            # The token's user with the token's key and times, by the unique digest: one fixed statement.
            model = get_user_model()
            rows = list(model._default_manager.raw(_token_sql(model), [digest, True]))
            if not rows:
                return JsonResponse({"error": "令牌无效或已停用。", "code": "auth"}, status=401,
                                    json_dumps_params={"ensure_ascii": False})
            user = rows[0]
            token_id = user.__dict__.pop("_token_id")
            expires, last_used = (_moment(user.__dict__.pop(f"_token_{f}")) for f in ("expires", "last_used"))
            now = timezone.now()
            if expires is not None and expires <= now:
                return JsonResponse(
                    {"error": f"令牌已于 {timezone.localtime(expires):%Y-%m-%d %H:%M} 过期，请用 jixiao token create 生成新令牌。",
                     "code": "expired"}, status=401, json_dumps_params={"ensure_ascii": False})
            # Record use at most once a minute: a busy client shouldn't write on every request.
            if last_used is None or (now - last_used).total_seconds() > 60:
                ApiToken.objects.filter(pk=token_id).update(last_used=now)
            request.user = user
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)
