"""The edit lock of submitted forms, the refusal of submissions with errors, warnings explained, the history
of every field, and the concurrent edit that is refused without losing what was typed."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from web_helpers import editor_post

from jixiao.web.forms import errors, history, store
from jixiao.web.forms.errors import PermissionDenied
from jixiao.web.forms.store import save_form
from jixiao.web.models import PerformanceForm, Stage
from jixiao.web.review import workflow
from jixiao.web.review.models import FieldChange, FormVersion

PROJECT = "信息化建设"  # 司法局's, no errors, warnings
LOCKED = (Stage.SUBMITTED, Stage.APPROVED, Stage.RECHECKED, Stage.PUBLISHED)


def _record(form: PerformanceForm) -> dict[str, Any]:
    return copy.deepcopy(PerformanceForm.objects.get(pk=form.pk).record)


@pytest.mark.parametrize("stage", LOCKED)
def test_a_submitted_form_cannot_be_edited_by_its_unit(cast: Any, stage: str) -> None:
    form = cast.form(PROJECT)
    PerformanceForm.objects.filter(pk=form.pk).update(stage=stage)
    form.refresh_from_db()
    changed = _record(form)
    changed["project"] = "改过的名称"
    with pytest.raises(PermissionDenied):
        save_form(cast.user("clerk"), changed, form=form)
    page = cast.page("clerk").post(f"/forms/{form.pk}/edit/", editor_post(changed, form.unit_id, form.version))
    assert page.status_code == 403
    api = cast.api("clerk").put(f"/api/forms/{form.pk}", json.dumps({"form": changed, "version": form.version}),
                                content_type="application/json")
    assert api.status_code == 403
    assert PerformanceForm.objects.get(pk=form.pk).project == PROJECT
    assert not FieldChange.objects.filter(form=form, path="project").exists()


def test_a_returned_form_can_be_edited_again(cast: Any) -> None:
    form = cast.form(PROJECT)
    workflow.transition(form, cast.user("clerk"), "submit", "警告已核实")
    workflow.transition(form, cast.user("reviewer"), "return", "请补充原因")
    form.refresh_from_db()
    changed = _record(form)
    changed["indicators"][0]["reason"] = "已补充"
    response = cast.page("clerk").post(f"/forms/{form.pk}/edit/", editor_post(changed, form.unit_id, form.version))
    assert response.status_code == 302
    assert PerformanceForm.objects.get(pk=form.pk).record["indicators"][0]["reason"] == "已补充"


def test_the_lock_holds_for_an_editor_opened_before_the_submission(cast: Any) -> None:
    """The clerk's page loaded the draft; meanwhile the form was submitted; the save is refused."""
    form = cast.form(PROJECT)
    opened = PerformanceForm.objects.select_related("unit").get(pk=form.pk)  # still a draft here
    workflow.transition(form, cast.user("clerk"), "submit", "警告已核实")
    changed = _record(form)
    changed["project"] = "提交后偷偷改"
    with pytest.raises(PermissionDenied, match="已提交审核"):
        save_form(cast.user("clerk"), changed, form=opened)
    assert PerformanceForm.objects.get(pk=form.pk).project == PROJECT


def test_a_form_with_errors_cannot_be_submitted(cast: Any) -> None:
    form = cast.form("法律援助专项经费")  # A03: 总分 96 vs 94
    assert form.error_count > 0
    with pytest.raises(errors.Refused) as refused:
        workflow.transition(form, cast.user("clerk2"), "submit", "请审核")
    assert [i["code"] for i in refused.value.items] == ["A03"]
    page = cast.page("clerk2").post(f"/review/forms/{form.pk}/transition/", {"action": "submit", "comment": "x"})
    assert page.status_code == 400
    assert "处错误" in page.content.decode() and "A03" in page.content.decode()
    api = cast.api("clerk2").post(f"/api/forms/{form.pk}/transition", json.dumps({"action": "submit", "comment": "x"}),
                                  content_type="application/json")
    assert api.status_code == 400
    assert [i["code"] for i in api.json()["items"]] == ["A03"]
    assert PerformanceForm.objects.get(pk=form.pk).stage == Stage.DRAFT


def test_warnings_need_an_explanation_that_reviewers_see(cast: Any) -> None:
    form = cast.form(PROJECT)
    warnings = list(form.findings.filter(severity="warning").values_list("code", flat=True))
    assert warnings
    with pytest.raises(errors.Refused, match="条警告") as refused:
        workflow.transition(form, cast.user("clerk"), "submit", "")
    assert [i["code"] for i in refused.value.items] == warnings
    workflow.transition(form, cast.user("clerk"), "submit", "P04：二级指标按本地模板填写，已与财政局确认")
    page = cast.page("reviewer").get(f"/review/forms/{form.pk}/").content.decode()
    assert page.count("单位说明：P04：二级指标按本地模板填写") == len(warnings)
    state = cast.api("reviewer").get(f"/api/forms/{form.pk}/review").json()
    assert state["explanation"].startswith("P04：") and len(state["warnings"]) == len(warnings)
    assert state["actions"] == ["return", "approve"]


def test_history_records_every_field_change_with_old_and_new(cast: Any) -> None:
    form = cast.form(PROJECT)
    before = _record(form)
    after = copy.deepcopy(before)
    after["project"] = "信息化建设（二期）"
    after["funds"][1]["executed"] = "9.5"
    after["goals"]["planned"] = "建成全市司法行政信息平台"
    after["indicators"][0]["actual"] = "99%"
    after["indicators"][0]["score"] = "19"
    after["total"]["score"] = "99"
    after["indicators"].append({"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "新增指标",
                                "weight": "0", "target": "≥90%", "actual": "95%", "score": "0", "reason": ""})
    opened = form.version
    saved = save_form(cast.user("clerk"), after, form=form, version=opened)
    expected = {
        ("project", before["project"], "信息化建设（二期）"),
        ("funds[1].executed", before["funds"][1]["executed"], "9.5"),
        ("goals.planned", before["goals"]["planned"], "建成全市司法行政信息平台"),
        ("indicators[0].actual", before["indicators"][0]["actual"], "99%"),
        ("indicators[0].score", before["indicators"][0]["score"], "19"),
        ("total.score", before["total"]["score"], "99"),
    }
    n = len(before["indicators"])
    expected |= {(f"indicators[{n}].{k}", None, v) for k, v in after["indicators"][-1].items()}
    expected = {e for e in expected if e[1] != e[2]}
    rows = FieldChange.objects.filter(form=form, version=saved.version)
    assert {(c.path, c.old, c.new) for c in rows} == expected
    assert {(c.user.username, c.phase, c.stage) for c in rows} == {("clerk", form.phase, Stage.DRAFT)}
    # The timeline shows them; the diff of the two versions is the same list.
    timeline = cast.api("reviewer").get(f"/api/forms/{form.pk}/history").json()["timeline"]
    assert timeline[0]["version"] == saved.version and timeline[0]["user"] == "clerk"
    assert {(c["path"], c["old"], c["new"]) for c in timeline[0]["changes"]} == expected
    diff = cast.api("clerk").get(f"/api/forms/{form.pk}/diff?from={opened}&to={saved.version}").json()
    assert {(c["path"], c["old"], c["new"]) for c in diff["changes"]} == expected
    page = cast.page("reviewer").get(f"/review/forms/{form.pk}/history/?a={opened}&b={saved.version}")
    assert "信息化建设（二期）" in page.content.decode() and "建成全市司法行政信息平台" in page.content.decode()


def test_stage_changes_are_in_the_history_too(cast: Any) -> None:
    form = cast.form(PROJECT)
    workflow.transition(form, cast.user("clerk"), "submit", "已说明")
    workflow.transition(form, cast.user("reviewer"), "approve", "同意")
    timeline = workflow.timeline(form)
    assert [(e["kind"], e["stage"], e["user"]) for e in timeline] == [
        ("approve", "approved", "reviewer"), ("submit", "submitted", "clerk"), ("create", "draft", "admin")]
    assert timeline[0]["changes"][0] == {**timeline[0]["changes"][0], "path": "stage", "old": "已提交", "new": "已审核"}
    assert FormVersion.objects.filter(form=form).count() == 3
    # A stage change keeps no copy of the record; comparing across it finds the stage alone.
    assert list(FormVersion.objects.filter(form=form).order_by("version").values_list("record", flat=True))[1:] == [
        None, None]
    assert [(d["path"], d["old"], d["new"]) for d in history.version_diff(form, 1, 3)] == [("stage", "草稿", "已审核")]


def test_a_concurrent_edit_is_refused_and_loses_nothing(cast: Any) -> None:
    """Two clerks open version v; the first saves; the second's save is refused with what changed, its
    typed values come back in the page, and the first one's values stay."""
    form = cast.form(PROJECT)
    opened = form.version
    second = _record(form)  # what the second page loaded
    first = _record(form)
    first["indicators"][1]["actual"] = "88%"
    save_form(cast.user("clerk"), first, form=form, version=opened)
    assert second["indicators"][1]["actual"] != "88%"
    second["goals"]["achieved"] = "第二位填报人写的综述，不能丢"
    with pytest.raises(store.StaleEdit) as stale:
        save_form(cast.user("clerk"), second, form=form, version=opened)
    assert stale.value.status == 409
    assert [(c["path"], c["new"]) for c in stale.value.changes] == [("indicators[1].actual", "88%")]
    assert "88%" in stale.value.message and "您的修改未保存" in stale.value.message
    assert stale.value.record["goals"]["achieved"] == "第二位填报人写的综述，不能丢"
    # Through the page: 409, the message, and the typed text still in the editor.
    response = cast.page("clerk").post(f"/forms/{form.pk}/edit/", editor_post(second, form.unit_id, opened))
    body = response.content.decode()
    assert response.status_code == 409
    assert "88%" in body and "第二位填报人写的综述，不能丢" in body
    assert f'value="{second["indicators"][1]["actual"]}"' in body  # the typed (older) value, not replaced
    # Through the API: 409 with the message listing the change.
    api = cast.api("clerk").put(f"/api/forms/{form.pk}", json.dumps({"form": second, "version": opened}),
                                content_type="application/json")
    assert api.status_code == 409 and "88%" in api.json()["error"]
    stored = PerformanceForm.objects.get(pk=form.pk)
    assert stored.record["indicators"][1]["actual"] == "88%"
    assert stored.version == opened + 1


def test_history_records_a_change_of_phase_and_profile(cast: Any) -> None:
    form = cast.form(PROJECT)
    saved = save_form(cast.user("clerk"), _record(form), form=form, phase="target", profile_override="mof-2020",
                      version=form.version)
    rows = {(c.path, c.old, c.new) for c in FieldChange.objects.filter(form=form, version=saved.version)}
    assert ("phase", "self", "target") in rows and ("profile_override", "", "mof-2020") in rows
