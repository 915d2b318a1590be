"""The review API: authentication as the web API's (session or Bearer), and its place in the OpenAPI schema."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jixiao.web.review import workflow

URLS = ["/api/forms/{pk}/review", "/api/forms/{pk}/history", "/api/forms/{pk}/diff?from=1&to=1", "/api/rounds",
        "/api/tasks", "/api/overview?year=2019", "/api/review/forms?year=2019"]


@pytest.mark.parametrize("url", URLS)
def test_anonymous_gets_401_and_a_token_works(cast: Any, url: str) -> None:
    pk = cast.forms[0].pk
    assert cast.api("anonymous").get(url.format(pk=pk)).status_code == 401
    assert cast.api("reviewer").get(url.format(pk=pk)).status_code == 200
    assert cast.page("reviewer").get(url.format(pk=pk)).status_code == 200


def test_forms_of_others_are_not_found(cast: Any) -> None:
    pk = cast.form("信息化建设").pk
    for url in URLS[:3]:
        assert cast.api("clerk2").get(url.format(pk=pk)).status_code == 404
        assert cast.api("outsider").get(url.format(pk=pk)).status_code == 404
    response = cast.api("clerk2").post(f"/api/forms/{pk}/transition", json.dumps({"action": "submit"}),
                                       content_type="application/json")
    assert response.status_code == 404


def test_session_posts_need_csrf_tokens_do_not(cast: Any) -> None:
    from django.test import Client

    pk = cast.form("信息化建设").pk
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.user("clerk"))
    body = json.dumps({"action": "submit", "comment": "已说明"})
    assert strict.post(f"/api/forms/{pk}/transition", body, content_type="application/json").status_code == 403
    assert cast.api("clerk").post(f"/api/forms/{pk}/transition", body, content_type="application/json").status_code == 200


def test_review_filters_list_the_forms_behind_a_figure(cast: Any) -> None:
    data = cast.api("finance").get("/api/review/forms?year=2019&errors=yes").json()
    assert data["count"] == 3 and {f["stage"] for f in data["results"]} == {"draft"}
    assert cast.api("finance").get("/api/review/forms?year=2019&code=A03").json()["count"] == 2
    assert cast.api("finance").get("/api/review/forms?year=2019&rate=lt60").json()["count"] == 2


def test_openapi_lists_the_review_endpoints(cast: Any) -> None:
    schema = cast.api("anonymous").get("/api/openapi.json").json()
    for path in ("/api/forms/{id}/transition", "/api/forms/{id}/history", "/api/forms/{id}/diff", "/api/rounds",
                 "/api/draws", "/api/overview", "/api/public/forms"):
        assert path in schema["paths"], path
    action = schema["paths"]["/api/forms/{id}/transition"]["post"]["requestBody"]["content"]["application/json"]
    assert action["schema"]["properties"]["action"]["enum"] == list(workflow.ACTIONS)  # every step the service takes
    assert "/api/forms" in schema["paths"]  # the web API's own paths are still there
