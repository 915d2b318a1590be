"""What every request costs before its view runs: the queries of authentication, the password check and
the page's header, pinned so that they cannot creep back (issues 13 and 16: the fixed cost of a request
set the latency of every page and API call under load).

The views here do nothing themselves (a page that is only the base template, an API call that only names
its user), so every query counted is the fixed cost.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, set_script_prefix

from jixiao.web.accounts.models import PasswordState
from jixiao.web.notify.services import notify


@login_required
def _bare_page(request: HttpRequest) -> HttpResponse:
    return render(request, "jixiao/base.html")


def _bare_api(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"user": request.user.get_username()})


urlpatterns = [
    path("bare/", _bare_page),
    path("api/bare", _bare_api),
    path("", include("jixiao.web.urls")),
]


@pytest.fixture
def bare_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


def _captured(client: Any, url: str, **extra: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **extra)
    return response, [q["sql"] for q in context.captured_queries]


def test_a_page_with_a_session_costs_four_queries(web_cast, bare_urls):
    """The session; the user with its password state (one query: jixiao.web.auth.UserBackend); the user's
    memberships, which the menu and every permission check share; the unread count of the header."""
    notify([web_cast.reviewer], "returned", "表被退回")
    client = web_cast.client("reviewer")
    response, queries = _captured(client, "/bare/")
    page = response.content.decode()
    assert response.status_code == 200 and 'class="notice-count"' in page and ">1</span>" in page
    assert len(queries) == 4, queries
    assert [q for q in queries if "accounts_passwordstate" in q] == [q for q in queries if '"auth_user"' in q]


def test_a_token_request_costs_one_unordered_query(web_cast, bare_urls):
    """The token joined with its user, and nothing else (no session, no password state: the API is not
    sent to the password page). The digest is unique, so the query has no ORDER BY, which .first() added
    and which cost the ORM a third of the lookup."""
    client = web_cast.token_client("clerk_a")
    client.get("/api/bare")  # the first use records last_used (an UPDATE, at most once a minute)
    response, queries = _captured(client, "/api/bare")
    assert response.json() == {"user": "clerk_a"}
    assert len(queries) == 1, queries
    assert "jixiao_apitoken" in queries[0] and '"auth_user"' in queries[0] and "ORDER BY" not in queries[0]


def test_a_page_shows_the_password_state_read_with_the_user(web_cast, bare_urls):
    """The state read in the user's query still sends the user to the password page, and a token on a page
    (where the state is not read with the user) still asks the database."""
    PasswordState.objects.create(user=web_cast.reviewer, must_change=True)
    forced, queries = _captured(web_cast.client("reviewer"), "/bare/")
    assert forced.status_code == 302 and forced["Location"] == "/password/?required=1"
    assert len(queries) == 2  # the session, the user with its state
    by_token = web_cast.token_client("reviewer").get("/bare/")
    assert by_token.status_code == 302 and by_token["Location"] == "/password/?required=1"
    assert web_cast.client("clerk_a").get("/bare/").status_code == 200  # no state: no redirect


def test_the_unread_count_counts_only_the_users_unread_messages(web_cast, bare_urls):
    from jixiao.web.notify.services import mark_read, unread, unread_count

    rows = notify([web_cast.clerk_a, web_cast.clerk_a, web_cast.clerk_a, web_cast.clerk_b], "returned", "表被退回")
    mark_read(web_cast.clerk_a, rows[0].pk)
    assert unread_count(web_cast.clerk_a) == unread(web_cast.clerk_a).count() == 2
    assert unread_count(web_cast.clerk_b) == 1 and unread_count(web_cast.reviewer) == 0


def test_the_header_links_follow_the_script_prefix(web_cast, bare_urls):
    """The header's links are reversed once per prefix: a server mounted under a sub-path links under it."""
    client = web_cast.client("admin")
    plain = client.get("/bare/").content.decode()
    set_script_prefix("/jx/")  # what the WSGI handler does for SCRIPT_NAME=/jx (the test client does not)
    try:
        mounted = client.get("/bare/").content.decode()
    finally:
        set_script_prefix("/")
    assert 'href="/library/"' in plain and 'action="/logout/"' in plain and 'href="/admin/"' in plain
    assert 'href="/jx/library/"' in mounted and 'action="/jx/logout/"' in mounted
    assert 'href="/library/"' not in mounted


def test_sqlite_connections_are_kept_between_requests(tmp_path):
    """Persistent connections on SQLite as on PostgreSQL: a new connection per request (CONN_MAX_AGE = 0)
    cost 2-5 ms of CPU a request (connect, read the schema, close)."""
    env = {**os.environ, "JIXIAO_DATA_DIR": str(tmp_path), "JIXIAO_SECRET_KEY": "x"}
    env.pop("DATABASE_URL", None)
    code = ("import jixiao.web.settings as s; d = s.DATABASES['default'];"
            "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    engine, age, checks = out.split()
    assert engine == "django.db.backends.sqlite3" and int(age) >= 60 and checks == "True"
