"""Issue 16 point 6: every URL of the app and the API, sent malformed parameters and bodies as each
role, answers without a 500 (the test client re-raises any exception a view lets escape), and the
refusals of wrong types are 400s that name the field in Chinese.

The URLs are enumerated from Django's resolver, so a new endpoint is fuzzed without being listed here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("anonymous", "clerk_a", "reviewer", "finance", "admin")
HUGE = "99999999999999999999"  # 20 digits: more than a 64-bit column holds
BAD_VALUES = ("²", HUGE, "-1", "abc", "1.5", "", "0x10", "１２")  # "１２": full-width digits
PARAMS = ("year", "department", "unit", "page", "page_size", "from", "to", "a", "b", "phase", "stage", "grade",
          "errors", "q", "rate", "code", "diff", "sampled", "format", "profile")
NESTED = b"[" * 5000 + b"]" * 5000
BODIES: tuple[Any, ...] = (
    b"not json", b"[1, 2]", b'"text"', b"null", NESTED, b'{"a":' * 3000 + b"1" + b"}" * 3000,
    {"cells": ["x"]}, {"cells": "x"}, {"count": "1"}, {"seed": "abc"}, {"share": {"x": 1}}, {"ids": 5},
    {"ids": ["1"]}, {"ids": [HUGE]}, {"ids": [2**70]}, {"year": "abc"}, {"year": 2**70}, {"departments": ["x"]},
    {"departments": 5}, {"form": "x"}, {"form": [1]}, {"form": {"unit": None}}, {"form": {"year": "²"}},
    {"form": {"funds": "x", "indicators": [1]}}, {"version": "1"}, {"version": -1}, {"unit": "²"},
    {"unit": HUGE}, {"unit": None}, {"phase": 5}, {"action": 5}, {"action": "submit", "comment": {}},
    {"profile": "/etc/passwd"}, {"profile_override": ["x"]}, {"own_score": {}}, {"finish": "yes"},
    {"deadline": 5}, {"title": None, "year": True}, {"format": 5, "ids": [1]},
)
FORM_POSTS = (
    {"ids": ["²", HUGE], "format": "x"}, {"year": "²", "count": "²", "seed": HUGE, "departments": ["²"]},
    {"unit_id": "²", "version": "²", "profile_override": "../x", "phase": "x", "year": "²"},
    {"action": "x", "field": ["a", "b"], "cell_comment": "c", "own_score": "²", "deadline": "x"},
    {"action-1": "replace", "action-²": "skip", "replace": "1,²", "text": "= =", "retired": "²"},
)


def _patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if not route.startswith("admin/"):  # Django's admin is Django's, not the app's
                found += _patterns(p, route)
        else:
            found.append((route, p))
    return found


def _urls(route: str, pk: int) -> list[str]:
    """Concrete URLs of a route: with a real id, an id too large for the database, and a bad format."""
    def fill(ids: str, fmt: str) -> str:
        path = re.sub(r"<int:\w+>", ids, route)
        return "/" + re.sub(r"<str:\w+>", fmt, path)

    urls = {fill(str(pk), "zzz"), fill(HUGE, "zzz")}
    if "<str:" in route:
        urls.add(fill(str(pk), "xlsx"))
    return sorted(urls)


def _send(client: Client, method: str, url: str, body: Any) -> int:
    if isinstance(body, dict) and method == "post_form":
        response = client.post(url, body)
    else:
        data = body if isinstance(body, bytes) else json.dumps(body)
        response = getattr(client, method)(url, data, content_type="application/json")
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_no_endpoint_answers_500_to_malformed_input(web_cast, role):
    client = web_cast.client(role)
    pk = web_cast.form_a.pk
    failures = []
    bad_query = "&".join(f"{p}={v}" for p, v in zip(PARAMS, BAD_VALUES * 3, strict=False))
    for route, _ in _patterns():
        for url in _urls(route, pk):
            for query in (bad_query, f"year={HUGE}&page={HUGE}&page_size={HUGE}&unit={HUGE}&department={HUGE}"):
                if client.get(f"{url}?{query}").status_code >= 500:
                    failures.append(("GET", url, query))
        url = _urls(route, pk)[-1 if "<str:" in route else 0]
        # Bodies go where a body is read: not to what refuses the method, the user or the id first.
        for method in ("post", "patch", "put"):
            probe = _send(client, method, url, {})
            if probe >= 500:
                failures.append((method, url, {}))
            if probe in (302, 401, 403, 404, 405) or (method != "post" and probe == 200):
                continue  # refused before the body is read, or a page that ignores PATCH and PUT
            for body in BODIES if role in ("admin", "clerk_a") else BODIES[::4]:
                if _send(client, method, url, body) >= 500:
                    failures.append((method, url, body if not isinstance(body, bytes) else body[:20]))
        for body in FORM_POSTS:
            if _send(client, "post_form", url, body) >= 500:
                failures.append(("POST form", url, body))
    assert not failures, failures[:20]


@pytest.mark.parametrize(("url", "field"), [
    ("/?unit=²", "unit"),
    ("/api/public/forms?year=²", "year"),
    ("/review/overview/?year=²", "year"),
    ("/api/forms?page_size=²", "page_size"),
    ("/api/overview?year=" + HUGE, "year"),
])
def test_a_bad_query_parameter_is_a_400_that_names_it_in_chinese(web_cast, url, field):
    response = web_cast.client("admin").get(url)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"参数 {field} 应为" in page or f"（{field}）的取值" in page


def test_the_history_and_diff_refuse_a_superscript_version(web_cast):
    client = web_cast.client("clerk_a")
    pk = web_cast.form_a.pk
    assert client.get(f"/review/forms/{pk}/history/?a=²").status_code == 400
    response = client.get(f"/api/forms/{pk}/diff?from=²")
    assert response.status_code == 400 and "参数 from" in response.json()["error"]


def test_an_id_too_large_for_the_database_is_not_found(web_cast):
    assert Client().get(f"/public/2019/{HUGE}/").status_code == 404
    assert web_cast.client("clerk_a").get(f"/api/forms/{HUGE}").status_code == 404


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/forms/{a}/transition", {"cells": ["x"]}, "cells"),
    ("/api/draws", {"count": "1", "year": 2019}, "count"),
    ("/api/draws", {"seed": "abc", "year": 2019, "count": 1}, "seed"),
    ("/api/export", {"ids": 5}, "ids"),
    ("/api/rounds", {"year": "abc", "deadline": "2025-03-31"}, "year"),
])
def test_json_of_the_wrong_type_is_a_400_that_names_the_field(web_cast, url, body, field):
    response = web_cast.client("finance").post(url.format(a=web_cast.form_a.pk), body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_json_nested_5000_deep_is_refused_as_such(web_cast):
    response = web_cast.client("clerk_a").post("/api/evaluate", NESTED.replace(b"[", b'{"a":[', 1),
                                                 content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["error"] or "嵌套" in response.json()["error"]
    response = web_cast.client("clerk_a").post("/api/evaluate", b'{"form":' + NESTED + b"}",
                                                 content_type="application/json")
    assert response.status_code == 400 and "嵌套太深" in response.json()["error"]


def test_a_record_with_a_null_unit_gets_the_unit_of_the_account(web_cast, seed_records):
    record = dict(seed_records[0], unit=None)
    response = web_cast.client("clerk_a").post("/api/forms", {"unit": web_cast.unit_a.pk, "form": record},
                                               content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["form"]["unit"] == web_cast.unit_a.name


def test_with_debug_on_a_visitor_never_sees_a_traceback(web_cast, settings, monkeypatch):
    from jixiao.web.review import publication as review

    def broken() -> list[int]:
        raise RuntimeError("/srv/jixiao/secret/path.py exploded")

    monkeypatch.setattr(review, "public_years", broken)
    settings.DEBUG = True
    visitor = Client(raise_request_exception=False)
    response = visitor.get("/public/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器内部错误" in page and "Traceback" not in page and "secret/path" not in page
    assert "Traceback" not in visitor.get("/no/such/page/").content.decode()
    staff = Client(raise_request_exception=False)
    staff.force_login(web_cast.admin)
    assert "secret/path" in staff.get("/public/").content.decode()  # staff debugging still sees it
