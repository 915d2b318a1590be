"""Who sees and changes what, both ways, in the pages and in the API (one line per person)."""

from __future__ import annotations

import json

import pytest
from web_helpers import editor_post, record_for

from jixiao.web.models import ApiToken, PerformanceForm

VIEWERS_OF_A = {"clerk_a": True, "clerk_b": False, "reviewer": True, "finance": True, "outsider": False, "admin": True}
EDITORS_OF_A = {"clerk_a": True, "clerk_b": False, "reviewer": False, "finance": False, "outsider": False, "admin": True}


@pytest.mark.parametrize(("who", "allowed"), VIEWERS_OF_A.items())
def test_detail_page_of_form_a(web_cast, who, allowed):
    response = web_cast.client(who).get(f"/forms/{web_cast.form_a.pk}/")
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize(("who", "allowed"), VIEWERS_OF_A.items())
def test_api_read_of_form_a(web_cast, who, allowed):
    response = web_cast.client(who).get(f"/api/forms/{web_cast.form_a.pk}")
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize(("who", "allowed"), VIEWERS_OF_A.items())
def test_api_read_of_form_a_with_token(web_cast, who, allowed):
    response = web_cast.token_client(who).get(f"/api/forms/{web_cast.form_a.pk}")
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize(("who", "allowed"), VIEWERS_OF_A.items())
def test_export_of_form_a(web_cast, who, allowed):
    response = web_cast.client(who).get(f"/forms/{web_cast.form_a.pk}/export.xlsx")
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize(("who", "allowed"), VIEWERS_OF_A.items())
def test_api_export_of_form_a(web_cast, who, allowed):
    response = web_cast.token_client(who).get(f"/api/forms/{web_cast.form_a.pk}/export.docx")
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize(("who", "allowed"), VIEWERS_OF_A.items())
def test_api_zip_export_of_form_a(web_cast, who, allowed):
    body = json.dumps({"ids": [web_cast.form_a.pk], "format": "xlsx"})
    response = web_cast.client(who).post("/api/export", body, content_type="application/json")
    assert response.status_code == (200 if allowed else 400)  # 400: none of the ids is one they may see


@pytest.mark.parametrize(
    ("who", "expected"),
    [("clerk_a", {"a"}), ("clerk_b", {"b"}), ("reviewer", {"a", "b"}), ("finance", {"a", "b"}),
     ("outsider", set()), ("admin", {"a", "b"})],
)
def test_list_page_and_api_list_show_the_same_forms(web_cast, who, expected):
    ids = {"a": web_cast.form_a.pk, "b": web_cast.form_b.pk}
    wanted = {ids[k] for k in expected}
    client = web_cast.client(who)
    page = client.get("/").content.decode()
    shown = {pk for pk in ids.values() if f'href="/forms/{pk}/"' in page}
    api = {f["id"] for f in client.get("/api/forms").json()["results"]}
    assert shown == wanted
    assert api == wanted


@pytest.mark.parametrize(("who", "allowed"), EDITORS_OF_A.items())
def test_edit_page_of_form_a(web_cast, who, allowed):
    response = web_cast.client(who).get(f"/forms/{web_cast.form_a.pk}/edit/")
    assert response.status_code == (200 if allowed else (403 if VIEWERS_OF_A[who] else 404))


@pytest.mark.parametrize(("who", "allowed"), EDITORS_OF_A.items())
def test_api_update_of_form_a(web_cast, who, allowed):
    form = web_cast.form_a
    body = {"form": dict(form.record, project="改过的名称"), "version": form.version}
    response = web_cast.client(who).put(f"/api/forms/{form.pk}", json.dumps(body), content_type="application/json")
    assert response.status_code == (200 if allowed else (403 if VIEWERS_OF_A[who] else 404))
    form.refresh_from_db()
    assert (form.project == "改过的名称") == allowed


@pytest.mark.parametrize(("who", "allowed"), EDITORS_OF_A.items())
def test_page_post_of_form_a(web_cast, who, allowed):
    form = web_cast.form_a
    data = editor_post(form.record, form.unit_id, form.version, project="页面改名")
    response = web_cast.client(who).post(f"/forms/{form.pk}/edit/", data)
    assert response.status_code == (302 if allowed else (403 if VIEWERS_OF_A[who] else 404))
    form.refresh_from_db()
    assert (form.project == "页面改名") == allowed


@pytest.mark.parametrize(
    ("who", "unit", "allowed"),
    [("clerk_a", "unit_a", True), ("clerk_a", "unit_b", False), ("clerk_b", "unit_b", True),
     ("reviewer", "unit_a", False), ("finance", "unit_a", False), ("outsider", "unit_a", False),
     ("admin", "unit_b", True)],
)
def test_api_create_in_a_unit(web_cast, who, unit, allowed):
    body = {"unit": web_cast.__dict__[unit].pk, "phase": "target", "form": dict(web_cast.form_a.record, project="新项目")}
    response = web_cast.client(who).post("/api/forms", json.dumps(body), content_type="application/json")
    assert response.status_code == (201 if allowed else 403)
    assert PerformanceForm.objects.filter(project="新项目").exists() == allowed


@pytest.mark.parametrize(("who", "allowed"), [("clerk_a", True), ("reviewer", False), ("finance", False), ("outsider", True)])
def test_new_form_page_only_for_people_who_fill_in(web_cast, who, allowed):
    response = web_cast.client(who).get("/forms/new/")
    assert response.status_code == (200 if allowed else 403)


def test_anonymous_is_sent_to_login_by_pages_and_refused_by_the_api(web_cast):
    client = web_cast.client("anonymous")
    assert client.get("/").status_code == 302
    assert client.get("/").headers["Location"].startswith("/login/")
    assert client.get(f"/forms/{web_cast.form_a.pk}/").status_code == 302
    assert client.get("/api/forms").status_code == 401


def test_a_wrong_token_is_refused(web_cast):
    from django.test import Client

    assert Client(headers={"Authorization": "Bearer jx_wrong"}).get("/api/forms").status_code == 401


def test_tokens_are_stored_hashed(web_cast):
    from jixiao.web.tokens import create_token

    raw = create_token(web_cast.clerk_a)
    stored = ApiToken.objects.get(user=web_cast.clerk_a)
    assert raw not in (stored.digest, stored.prefix)
    assert stored.digest == ApiToken.hash(raw)


def test_a_token_can_write_without_csrf(web_cast):
    form = web_cast.form_a
    body = {"form": dict(form.record, project="令牌改名"), "version": form.version}
    response = web_cast.token_client("clerk_a").put(f"/api/forms/{form.pk}", json.dumps(body),
                                                     content_type="application/json")
    assert response.status_code == 200


def test_a_session_write_needs_the_csrf_token(web_cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(web_cast.clerk_a)
    form = web_cast.form_a
    body = {"form": form.record, "version": form.version}
    response = client.put(f"/api/forms/{form.pk}", json.dumps(body), content_type="application/json")
    assert response.status_code == 403


def test_a_submitted_form_cannot_be_edited_by_its_clerk(web_cast):
    PerformanceForm.objects.filter(pk=web_cast.form_a.pk).update(stage="submitted")
    assert web_cast.client("clerk_a").get(f"/forms/{web_cast.form_a.pk}/edit/").status_code == 403


def test_a_reviewer_of_another_department_sees_nothing_of_this_one(web_cast):
    from jixiao.web.models import Membership, Org, Role

    other = Org.objects.get(name="鄂尔多斯市教育局")
    Membership.objects.create(user=web_cast.outsider, org=other, role=Role.REVIEWER)
    ids = {f["id"] for f in web_cast.client("outsider").get("/api/forms").json()["results"]}
    assert ids.isdisjoint({web_cast.form_a.pk, web_cast.form_b.pk})


def test_visibility_follows_the_tree_at_any_depth(web_cast, seed_records):
    from jixiao.web.forms.access import visible_forms
    from jixiao.web.forms.store import save_form
    from jixiao.web.models import Org, Phase

    deep = Org.objects.create(name="甲下属站", parent=web_cast.unit_a)
    deeper = Org.objects.create(name="甲下属站分站", parent=deep)
    stored = save_form(web_cast.admin, record_for(seed_records, 2, deeper), unit=deeper, phase=Phase.SELF)
    assert visible_forms(web_cast.reviewer).filter(pk=stored.pk).exists()
    assert visible_forms(web_cast.finance).filter(pk=stored.pk).exists()
    assert not visible_forms(web_cast.clerk_a).filter(pk=stored.pk).exists()  # a clerk fills one unit only
