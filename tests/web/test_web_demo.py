"""The demo of `jixiao serve --demo`: who sees which of the seed's eleven forms, in the pages and the API."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from web_helpers import PASSWORD

from jixiao.web.demo import load_demo
from jixiao.web.models import FormFinding, PerformanceForm

SEEN = {"clerk": 10, "clerk2": 1, "reviewer": 11, "finance": 11}


def _login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize(("username", "count"), SEEN.items())
def test_each_demo_account_sees_its_forms_in_the_api(demo_passwords, username, count):
    body = _login(username).get("/api/forms").json()
    assert body["count"] == count
    assert len(body["results"]) == count


@pytest.mark.parametrize(("username", "count"), SEEN.items())
def test_each_demo_account_sees_its_forms_in_the_list_page(demo_passwords, username, count):
    page = _login(username).get("/").content.decode()
    assert f"共 {count} 张表" in page
    assert len(set(re.findall(r'href="/forms/(\d+)/"', page))) == count


def test_clerk2_sees_the_legal_aid_form_and_clerk_the_ten_others(demo_passwords):
    clerk2 = [f["project"] for f in _login("clerk2").get("/api/forms").json()["results"]]
    clerk = [f["project"] for f in _login("clerk").get("/api/forms").json()["results"]]
    assert clerk2 == ["法律援助专项经费"]
    assert "法律援助专项经费" not in clerk


def test_demo_forms_are_drafts_of_the_2019_self_evaluation_with_their_findings(demo_passwords):
    forms = PerformanceForm.objects.all()
    assert {(f.year, f.phase, f.stage) for f in forms} == {(2019, "self", "draft")}
    assert forms.get(project="法律援助专项经费").findings.filter(code="A03").exists()
    assert FormFinding.objects.filter(code="A06").count() == 11


def test_loading_the_demo_again_adds_nothing(demo_passwords):
    before = (PerformanceForm.objects.count(), FormFinding.objects.count())
    passwords = load_demo()
    assert (PerformanceForm.objects.count(), FormFinding.objects.count()) == before == (11, before[1])
    assert Client().login(username="clerk", password=passwords["clerk"])  # new passwords at every start
