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
from django.contrib.auth.models import User
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


def test_a_page_with_a_session_costs_three_queries(web_cast, bare_urls):
    """The session; the user with its password state and its memberships, which the menu and every permission
    check share (one query: jixiao.web.auth.UserBackend); the unread count of the header."""
    notify([web_cast.reviewer], "returned", "表被退回")
    client = web_cast.client("reviewer")
    response, queries = _captured(client, "/bare/")
    page = response.content.decode()
    assert response.status_code == 200 and 'class="notice-count"' in page and ">1</span>" in page
    assert len(queries) == 3, queries
    assert [q for q in queries if "accounts_passwordstate" in q] == [q for q in queries if '"auth_user"' in q] \
        == [q for q in queries if "jixiao_membership" in q]


def test_a_token_request_costs_one_query(web_cast, bare_urls):
    """The token joined with its user and the user's memberships, and nothing else (no session, no password
    state: the API is not sent to the password page). The digest is unique: the only order is the memberships'
    (.first()'s ORDER BY on the user cost the ORM a third of the lookup)."""
    client = web_cast.token_client("clerk_a")
    client.get("/api/bare")  # the first use records last_used (an UPDATE, at most once a minute)
    response, queries = _captured(client, "/api/bare")
    assert response.json() == {"user": "clerk_a"}
    assert len(queries) == 1, queries
    assert "jixiao_apitoken" in queries[0] and '"auth_user"' in queries[0] and "jixiao_membership" in queries[0]
    assert queries[0].count("ORDER BY") == 1 and queries[0].endswith("ORDER BY _m.id")


def test_the_memberships_read_with_the_user_are_those_of_the_orm(web_cast, bare_urls):
    """Every user of the cast, by session and by token: the memberships kept on the request's user (read with it)
    are the user's rows in their order, each with its org, and reading them costs no query of its own."""
    from django.test import RequestFactory

    from jixiao.web.auth import BearerTokenMiddleware, UserBackend
    from jixiao.web.forms.access import memberships
    from jixiao.web.models import ApiToken, Membership, Org
    from jixiao.web.tokens import create_token

    Membership.objects.create(user=web_cast.reviewer, org=web_cast.unit_c, role="finance")  # two of them
    seen: list[Any] = []
    middleware = BearerTokenMiddleware(lambda request: seen.append(request.user) or HttpResponse())
    for user in User.objects.all():
        expected = [(m.pk, m.role, m.org_id, m.org.name, m.org.path, m.org.kind, m.org.parent_id)
                    for m in Membership.objects.filter(user=user).select_related("org").order_by("id")]
        by_session = UserBackend().get_user(user.pk)
        seen.clear()
        middleware(RequestFactory().get("/api/bare", HTTP_AUTHORIZATION=f"Bearer {create_token(user)}"))
        for found in (by_session, seen[0]):
            with CaptureQueriesContext(connection) as context:
                got = [(m.pk, m.role, m.org_id, m.org.name, m.org.path, m.org.kind, m.org.parent_id)
                       for m in memberships(found)]
                assert all(isinstance(m.org, Org) for m in memberships(found))
            assert got == expected and context.captured_queries == [], user
            assert found.pk == user.pk and found.get_username() == user.get_username()
    assert ApiToken.objects.exists()


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


# ---------------------------------------------------------------- a form read by key, a save (issue 16's load benchmark)


def test_a_form_read_by_key_is_the_form_the_scope_shows(web_cast):
    """get_visible reads the form by its key and decides in Python from the memberships: for every user of the
    cast and every form it answers exactly as the scoped query (visible_forms) does, and the unit, department
    and editor it brings are those of the database, with no further query."""
    from jixiao.web.forms.access import get_visible, visible_forms
    from jixiao.web.forms.errors import NotFound
    from jixiao.web.models import PerformanceForm

    users = [web_cast.admin, web_cast.finance, web_cast.reviewer, web_cast.clerk_a, web_cast.clerk_b,
             web_cast.outsider]
    forms = list(PerformanceForm.objects.select_related("unit", "department", "updated_by"))
    seen = 0
    for user in users:
        for expected in forms:
            visible = visible_forms(user).filter(pk=expected.pk).exists()
            user.__dict__.pop("_jixiao_memberships", None)  # read them again, as a new request does
            if not visible:
                with pytest.raises(NotFound):
                    get_visible(user, expected.pk)
                continue
            with CaptureQueriesContext(connection) as context:
                form = get_visible(user, expected.pk)
                loaded = (form.unit.name, form.unit.path, form.department.name, form.department.kind,
                          str(form.updated_by), form.record, form.version)
            # The form with its joins, after the user's memberships (a superuser's are not needed).
            assert len(context.captured_queries) == (1 if user.is_superuser else 2)
            assert loaded == (expected.unit.name, expected.unit.path, expected.department.name,
                              expected.department.kind, str(expected.updated_by), expected.record, expected.version)
            seen += 1
    assert seen == 2 + 2 + 2 + 1 + 1 + 0  # admin, finance, reviewer both forms; each clerk its own; outsider none
    for key in (10**20, -1, "x", None, max(f.pk for f in forms) + 1):
        with pytest.raises(NotFound):
            get_visible(web_cast.admin, key)  # type: ignore[arg-type]


def test_a_form_in_the_api_costs_two_queries_without_the_scope(web_cast):
    """The token with its user and memberships; the form by its key with its unit, department, editor and
    findings; the finance bureau's scope (every org under its path) is not a subquery of the form's read."""
    client = web_cast.token_client("finance")
    client.get("/api/units")  # the first use records last_used
    response, queries = _captured(client, f"/api/forms/{web_cast.form_a.pk}")
    assert response.status_code == 200 and response.json()["unit"]["name"] == "单位甲"
    assert response.json()["department"]["name"] == "鄂尔多斯市司法局"
    assert len(queries) == 2, queries
    assert not [q for q in queries if "LIKE" in q.upper()], queries


def test_a_save_reads_its_unit_once_and_keeps_its_version_without_savepoints(web_cast):
    """A PATCH locks the form with its unit (it no longer reads the unit again before and after the update)
    and keeps the new version with an UPDATE and an INSERT, not update_or_create's SELECT and savepoints."""
    client = web_cast.token_client("clerk_a")
    form = client.get(f"/api/forms/{web_cast.form_a.pk}").json()
    record = form["form"]
    record["goals"]["achieved"] = "改过的完成情况"
    with CaptureQueriesContext(connection) as context:
        response = client.patch(f"/api/forms/{web_cast.form_a.pk}", {"form": record, "version": form["version"]},
                                content_type="application/json")
    assert response.status_code == 200 and response.json()["version"] == form["version"] + 1
    queries = [q["sql"] for q in context.captured_queries]
    unit_id = web_cast.unit_a.pk
    by_key = [q for q in queries if q.startswith('SELECT "jixiao_org"') and f'"jixiao_org"."id" = {unit_id}' in q]
    assert by_key == [], by_key
    # Only the save's own transaction (a savepoint inside the test's transaction); update_or_create added two.
    assert len([q for q in queries if q.startswith("SAVEPOINT")]) == 1, queries
    from jixiao.web.review.models import FormVersion

    kept = FormVersion.objects.get(form_id=web_cast.form_a.pk, version=form["version"] + 1)
    assert kept.kind == "edit" and kept.record["goals"]["achieved"] == "改过的完成情况"


def test_a_session_ends_for_every_process_when_its_row_goes(web_cast, bare_urls):
    """Sessions are read from the database on every request (jixiao.web.auth.SessionStore, one fixed
    statement): a deleted or expired session row logs the user out at once, whichever process answers."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = web_cast.client("reviewer")
    response, queries = _captured(client, "/bare/")
    assert response.status_code == 200
    assert queries[0].startswith('SELECT session_data FROM "django_session" WHERE session_key = ')
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = client.get("/bare/")
    assert expired.status_code == 302 and expired["Location"].startswith("/login/")
    client = web_cast.client("reviewer")
    assert client.get("/bare/").status_code == 200
    Session.objects.all().delete()
    assert client.get("/bare/").status_code == 302


def test_the_form_page_makes_its_paper_form_again_only_when_what_it_shows_changed(web_cast, monkeypatch):
    """The paper form (presenters.paper and its rows' HTML) is kept per process under the record, the findings,
    the comments and the profile chosen now: a second view makes none, a save or a new year profile makes it
    anew, and the page shows the same paper either way."""
    from jixiao.web import presenters
    from jixiao.web.models import YearProfile

    made: list[int] = []
    real = presenters.paper
    monkeypatch.setattr(presenters, "paper", lambda *a, **k: made.append(1) or real(*a, **k))
    presenters._papers.clear()
    client = web_cast.client("clerk_a")
    url = f"/forms/{web_cast.form_a.pk}/"

    def shown() -> str:
        page = client.get(url).content.decode()
        return page[page.index('<article class="paper">'):page.index("</article>")]

    first, again = shown(), shown()
    assert len(made) == 1 and first == again and 'class="paper-table"' in first
    form = client.get(f"/api/forms/{web_cast.form_a.pk}").json()
    form["form"]["goals"]["achieved"] = "完成情况写在纸面上"
    assert client.patch(f"/api/forms/{web_cast.form_a.pk}", {"form": form["form"], "version": form["version"]},
                        content_type="application/json").status_code == 200
    changed = shown()
    assert len(made) == 2 and "完成情况写在纸面上" in changed and "完成情况写在纸面上" not in first
    other = "mof-2020" if web_cast.form_a.profile != "mof-2020" else "local-2019"
    YearProfile.objects.create(year=web_cast.form_a.year, profile=other)
    client.get(url)
    assert len(made) == 3  # the year's profile is looked up on every view: another profile, another paper
    # A finding changed without a new version (a later year's re-check by the library): made anew.
    from jixiao.web.models import FormFinding, PerformanceForm

    finding = FormFinding.objects.filter(form=web_cast.form_a).order_by("position").first()
    FormFinding.objects.filter(pk=finding.pk).update(message="复核后改写的说明")
    assert "复核后改写的说明" in shown() and len(made) == 4
    # The record under the same key and version but of another time (a restored backup): made anew.
    record = {**form["form"], "goals": {**form["form"]["goals"], "achieved": "备份里的完成情况"}}
    current = PerformanceForm.objects.get(pk=web_cast.form_a.pk)
    PerformanceForm.objects.filter(pk=current.pk).update(record=record, updated_at=current.updated_at.replace(year=2001))
    assert "备份里的完成情况" in shown() and len(made) == 5
    shown()
    assert len(made) == 5


def test_a_forms_findings_read_with_one_statement_are_those_of_the_orm(web_cast):
    """stored_findings (the form page's, the API's) gives what form.findings.values(...) gives, in order, the
    location decoded from its JSON, in one query."""
    from jixiao.web.forms.evaluation import FINDING_FIELDS, stored_findings

    for form in (web_cast.form_a, web_cast.form_b):
        expected = list(form.findings.values(*FINDING_FIELDS))
        with CaptureQueriesContext(connection) as context:
            found = stored_findings(form.pk)
        assert found == expected and len(context.captured_queries) == 1
        assert expected and all(isinstance(f["location"], dict) for f in found)
    assert stored_findings(10**9) == []


def test_the_findings_read_with_a_form_are_those_of_their_own_statement(web_cast):
    """read_form(findings=True) brings the form's findings as stored_findings gives them (order, fields, the
    location decoded), a form with none included, in the form's one statement."""
    from jixiao.web.forms.access import read_form
    from jixiao.web.forms.evaluation import findings_of, stored_findings
    from jixiao.web.models import FormFinding

    FormFinding.objects.filter(form=web_cast.form_b).delete()
    first = FormFinding.objects.filter(form=web_cast.form_a).order_by("position").first()
    FormFinding.objects.filter(pk=first.pk).update(position=99, location={"block": "funds", "index": 1, "x": [1.5]})
    for form in (web_cast.form_a, web_cast.form_b):
        with CaptureQueriesContext(connection) as context:
            found = findings_of(read_form(form.pk, findings=True))
        assert found == stored_findings(form.pk) and len(context.captured_queries) == 1
    assert findings_of(read_form(web_cast.form_b.pk, findings=True)) == []
    assert findings_of(read_form(web_cast.form_a.pk, findings=True))[-1]["location"]["x"] == [1.5]
