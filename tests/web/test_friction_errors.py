"""Issue 10, friction 5: every error a person can meet is in Chinese and leaves them somewhere useful."""

from __future__ import annotations

import pytest

from jixiao.web.forms import imports


def test_a_missing_page_says_so_in_chinese(web_cast):
    response = web_cast.client("clerk_a").get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "没有找到此页面" in page and "Not Found" not in page


def test_a_missing_api_address_answers_json_in_chinese(web_cast):
    response = web_cast.token_client("clerk_a").get("/api/no-such-thing")
    assert response.status_code == 404 and "没有找到" in response.json()["error"]


@pytest.mark.parametrize("url", ["/forms/export.zip", "/forms/evaluate/", "/import/1/cancel/"])
def test_a_wrong_method_on_a_page_is_explained_not_blank(web_cast, url):
    response = web_cast.client("clerk_a").get(url)
    assert response.status_code == 405
    page = response.content.decode()
    assert "只接受 提交（POST）" in page and response["Allow"] == "POST"


def test_a_wrong_method_in_the_api_is_json_in_chinese(web_cast):
    response = web_cast.token_client("clerk_a").delete("/api/forms")
    assert response.status_code == 405 and "不接受 DELETE" in response.json()["error"]


@pytest.mark.parametrize("body", ["x", "{", '{"form": '])
def test_broken_json_is_explained_without_pythons_words(web_cast, body):
    response = web_cast.token_client("clerk_a").post("/api/evaluate", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "不是有效的 JSON" in error and "Expecting" not in error and "line" not in error


def test_reloading_a_refused_step_goes_back_to_the_form(web_cast):
    client = web_cast.client("clerk_b")
    form = web_cast.form_b  # has an error (A03): its submission is refused
    refused = client.post(f"/review/forms/{form.pk}/transition/", {"action": "submit"})
    assert refused.status_code == 400 and "错误" in refused.content.decode()
    again = client.get(f"/review/forms/{form.pk}/transition/")
    assert again.status_code == 302 and again["Location"] == f"/review/forms/{form.pk}/"


def test_the_web_import_gives_no_command_line_advice(web_cast):
    job = imports.start_import(web_cast.clerk_a, [("notes.txt", "这不是自评表".encode())])
    assert job.problems and all("jixiao inspect" not in p["message"] for p in job.problems)
    page = web_cast.client("clerk_a").get(f"/import/{job.pk}/").content.decode()
    assert "没有找到绩效自评表" in page and "jixiao inspect" not in page
