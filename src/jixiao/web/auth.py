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

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db as db_sessions
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from jixiao.web import fixed_sql
from jixiao.web.accounts.models import PasswordState
from jixiao.web.forms.access import keep_joined_memberships, memberships_joined
from jixiao.web.models import ApiToken


def _user_sql(role: str, joined: Any, join: str, key: str, selected: tuple[str, ...], where: str) -> Any:
    """A fixed statement reading the user with some columns of a model joined to it (named _<role>_<column>), and
    the user's memberships with their orgs (every request reads them: one query fewer, jixiao.web.forms.access)."""

    def build(connection: Any) -> str:
        model = get_user_model()
        user, other = fixed_sql.table(connection, model), fixed_sql.table(connection, joined)
        pk = connection.ops.quote_name(model._meta.pk.column)
        member_columns, member_joins = memberships_joined(connection, user)
        columns = [*fixed_sql.columns(connection, model),
                   *(f"{other}.{fixed_sql.column(connection, joined, c)} AS _{role}_{c}" for c in selected),
                   *member_columns]
        return (f"SELECT {', '.join(columns)} FROM {user} {join} {other}"
                f" ON {other}.{fixed_sql.column(connection, joined, key)} = {user}.{pk}{member_joins}"
                f" WHERE {where.format(user=user, joined=other, pk=pk)} ORDER BY _m.id")

    return fixed_sql.Statement(settings.AUTH_USER_MODEL, build)


# The user by key with its password state's id and flag (UserBackend.get_user); the active user of a token by
# the token's digest, with the token's key and times (BearerTokenMiddleware).
_USER = _user_sql("state", PasswordState, "LEFT OUTER JOIN", "user", ("id", "must_change"), "{user}.{pk} = %s")
_TOKEN_USER = _user_sql("token", ApiToken, "INNER JOIN", "user", ("id", "expires", "last_used"),
                        "{joined}.digest = %s AND {user}.is_active = %s")


class UserBackend(ModelBackend):
    """Django's ModelBackend (the same passwords, permissions and active check), whose `get_user` — run
    for the session's user on every page — reads the user's password state in the same query."""

    def get_user(self, user_id: Any) -> Any:
        # One fixed statement, the password state joined.
        rows = _USER.objects([user_id])
        if not rows or not self.user_can_authenticate(rows[0]):
            return None
        user = keep_joined_memberships(rows)
        state_id, must_change = user.__dict__.pop("_state_id"), user.__dict__.pop("_state_must_change")
        # What select_related("password_state") leaves: the row (its other fields read when asked), or None.
        user._state.fields_cache["password_state"] = None if state_id is None else PasswordState.from_db(
            user._state.db, ["id", "user_id", "must_change"], [state_id, user.pk, bool(must_change)])
        return user


_SESSION = fixed_sql.Statement("sessions.Session", lambda connection: (
    f"SELECT session_data FROM {fixed_sql.table(connection, db_sessions.SessionStore.get_model_class())}"
    " WHERE session_key = %s AND expire_date > %s"))


class SessionStore(db_sessions.SessionStore):
    """Django's database sessions (SESSION_ENGINE "jixiao.web.auth"), whose read — on every page — is one
    fixed SQL statement: the ORM's building of the same query cost more than running it. Everything else
    (create, save, delete, expiry, the cookie) is Django's; a session is still ended for every server process
    at once by deleting its row (a per-process cache of sessions would keep a logged-out session alive in the
    other processes)."""

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is not None:
            _, connection = _SESSION.sql()
            rows = _SESSION.rows([key, connection.ops.adapt_datetimefield_value(timezone.now())])
            if rows:
                return self.model(session_key=key, session_data=rows[0][0])
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
            rows = _TOKEN_USER.objects([digest, True])
            if not rows:
                return JsonResponse({"error": "令牌无效或已停用。", "code": "auth"}, status=401,
                                    json_dumps_params={"ensure_ascii": False})
            user = keep_joined_memberships(rows)
            token_id = user.__dict__.pop("_token_id")
            _, connection = _TOKEN_USER.sql()
            expires, last_used = (fixed_sql.convert(connection, ApiToken._meta.get_field(f),
                                                    user.__dict__.pop(f"_token_{f}")) for f in ("expires", "last_used"))
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
