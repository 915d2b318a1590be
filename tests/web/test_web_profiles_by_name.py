"""Issue 16 point 2 and issue 9 point 5: profiles are chosen by name among those the server knows
(built-in and uploaded by an administrator), never by a path from a request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from web_helpers import SEED, editor_post

from jixiao.web.models import PerformanceForm
from jixiao.web.ops.models import UploadedProfile
from jixiao.web.presenters import blank_record

MOF = (Path(__file__).resolve().parents[2] / "src" / "jixiao" / "data" / "profiles" / "mof-2020.toml").read_text("utf-8")


def own_profile(name: str = "eerduosi-2023") -> str:
    """mof-2020 renamed, for 2023 on."""
    return (MOF.replace('name = "mof-2020"', f'name = "{name}"')
            .replace('title = "财政部项目支出绩效自评表（2020年起）"', 'title = "鄂尔多斯市项目支出绩效自评表"')
            .replace("first_year = 2020", "first_year = 2023"))


@pytest.fixture
def evil_toml(tmp_path):
    path = tmp_path / "evil.toml"
    path.write_text(own_profile("evil"), encoding="utf-8")
    return str(path)


def test_the_editor_refuses_a_profile_given_as_a_path(web_cast, evil_toml):
    form = web_cast.form_a
    response = web_cast.client("clerk_a").post(
        reverse("form-edit", args=[form.pk]),
        editor_post(form.record, web_cast.unit_a.pk, form.version, profile_override=evil_toml))
    assert response.status_code == 400
    assert "没有名为" in response.content.decode()
    form.refresh_from_db()
    assert form.profile_override == "" and form.profile != "evil"


def test_the_api_refuses_a_profile_path_and_an_unknown_name_with_400_in_chinese(web_cast, evil_toml):
    form = web_cast.form_a
    client = web_cast.client("clerk_a")
    for value in (evil_toml, "no-such-profile"):
        response = client.patch(f"/api/forms/{form.pk}", {"profile_override": value, "version": form.version},
                                content_type="application/json")
        assert response.status_code == 400, value
        assert "没有名为" in response.json()["error"]
        response = client.post("/api/evaluate", {"form": form.record, "profile": value},
                               content_type="application/json")
        assert response.status_code == 400 and "没有名为" in response.json()["error"]
        with open(SEED, "rb") as f:
            response = client.post("/api/check", {"file": f, "profile": value})
        assert response.status_code == 400 and "没有名为" in response.json()["error"]
    form.refresh_from_db()
    assert form.profile_override == ""


def test_a_stored_form_whose_profile_is_gone_still_exports_and_saves(web_cast):
    form = web_cast.form_a
    PerformanceForm.objects.filter(pk=form.pk).update(profile_override="/srv/uploads/7/001_gone.toml")
    client = web_cast.client("clerk_a")
    assert client.get(reverse("form-export", args=[form.pk, "xlsx"])).status_code == 200
    response = client.patch(f"/api/forms/{form.pk}", {"version": form.version, "form": form.record},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["profile"] == "local-2019"


def test_an_administrator_uploads_a_profile_and_new_forms_of_its_years_use_it(web_cast, seed_records):
    client = web_cast.client("finance")
    response = client.post(reverse("ops-profiles"), {"file": SimpleUploadedFile("own.toml", own_profile().encode())})
    assert response.status_code == 302, response.content.decode()
    row = UploadedProfile.objects.get()
    assert (row.name, row.first_year, row.org, row.uploaded_by) == ("eerduosi-2023", 2023, web_cast.finance_org,
                                                                     web_cast.finance)
    page = client.get(reverse("ops-profiles")).content.decode()
    assert "鄂尔多斯市项目支出绩效自评表" in page
    # A new form of 2023 under the finance bureau is scored with it (chosen by year among those it may use) …
    record = dict(blank_record(2023, web_cast.unit_a.name, "", [("产出指标", "50"), ("效益指标", "30"),
                                                                 ("满意度指标", "10")], "10"), project="新项目")
    created = web_cast.client("clerk_a").post("/api/forms", {"unit": web_cast.unit_a.pk, "form": record},
                                              content_type="application/json")
    assert created.status_code == 201
    assert created.json()["profile"] == "eerduosi-2023"
    # … and the clerk may name it, though not a path.
    form = web_cast.form_a
    response = web_cast.client("clerk_a").patch(
        f"/api/forms/{form.pk}", {"profile_override": "eerduosi-2023", "version": form.version},
        content_type="application/json")
    assert response.status_code == 200 and response.json()["profile"] == "eerduosi-2023"


def test_a_retired_profile_is_offered_no_more_but_its_forms_keep_it(web_cast, seed_records):
    client = web_cast.client("finance")
    client.post(reverse("ops-profiles"), {"text": own_profile()})
    form = web_cast.form_a
    clerk = web_cast.client("clerk_a")
    assert clerk.patch(f"/api/forms/{form.pk}", {"profile_override": "eerduosi-2023", "version": form.version},
                       content_type="application/json").status_code == 200
    row = UploadedProfile.objects.get()
    assert client.post(reverse("ops-profile-retire", args=[row.pk]), {"retired": "1"}).status_code == 302
    form.refresh_from_db()
    assert clerk.get(reverse("form-export", args=[form.pk, "xlsx"])).status_code == 200
    saved = clerk.patch(f"/api/forms/{form.pk}", {"version": form.version, "form": form.record},
                        content_type="application/json")
    assert saved.json()["profile"] == "eerduosi-2023"  # kept by the form that chose it
    other = web_cast.form_b
    refused = web_cast.client("clerk_b").patch(
        f"/api/forms/{other.pk}", {"profile_override": "eerduosi-2023", "version": other.version},
        content_type="application/json")
    assert refused.status_code == 400


@pytest.mark.parametrize(("text", "line"), [
    ('name = "x"\ntitle = "t"\nfund_weight = = 10\n', 3),  # not TOML
    (own_profile().replace("fund_weight = 10 ", 'fund_weight = "十" '), 13),  # a key of the wrong type
])
def test_an_invalid_profile_is_refused_with_the_line_named(web_cast, text, line):
    response = web_cast.client("finance").post(reverse("ops-profiles"), {"text": text})
    assert response.status_code == 400
    assert f"第 {line} 行" in response.content.decode()
    assert not UploadedProfile.objects.exists()


def test_only_an_administrator_of_finance_manages_profiles(web_cast):
    assert web_cast.client("clerk_a").get(reverse("ops-profiles")).status_code == 403
    assert web_cast.client("clerk_a").post(reverse("ops-profiles"), {"text": own_profile()}).status_code == 403
    assert not UploadedProfile.objects.exists()


def test_an_uploaded_profile_applies_only_under_its_finance_bureau(web_cast, seed_records):
    web_cast.client("finance").post(reverse("ops-profiles"), {"text": own_profile()})
    # Every unit of the cast is under the one bureau: move unit C under another.
    from jixiao.web.models import Org

    elsewhere = Org.objects.create(name="别处财政局", kind=Org.Kind.FINANCE)
    web_cast.unit_c.parent = elsewhere
    web_cast.unit_c.save()
    record = dict(blank_record(2023, web_cast.unit_c.name), project="新项目")
    created = web_cast.client("outsider").post("/api/forms", {"unit": web_cast.unit_c.pk, "form": record},
                                               content_type="application/json")
    assert created.status_code == 201
    assert created.json()["profile"] != "eerduosi-2023"
    assert json.loads(created.content)["profile"] == "mof-2020"


def test_the_built_in_rules_are_listed_with_their_sources_as_an_official_reads_them(web_cast):
    """The list showed the rule files' research tags ([K], [I]) and pointers into docs/domain.md."""
    page = web_cast.client("admin").get(reverse("ops-profiles")).content.decode()
    assert "财政部项目支出绩效自评表" in page
    assert "[K]" not in page and "[I]" not in page and "docs/" not in page
