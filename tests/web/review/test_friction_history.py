"""Issue 10, friction 8: a save that changes nothing keeps no version, and a history names every field in
Chinese, never by its record path."""

from __future__ import annotations

from typing import Any

from jixiao.web.forms import history
from jixiao.web.forms.store import save_form
from jixiao.web.review.models import FieldChange, FormVersion


def test_saving_without_a_change_keeps_no_new_version(cast: Any) -> None:
    form = cast.form("信息化建设")
    kept = FormVersion.objects.filter(form=form).count()
    again = save_form(cast.user("clerk"), form.record, form=form, version=form.version)
    assert again.version == form.version
    assert FormVersion.objects.filter(form=form).count() == kept
    assert not FieldChange.objects.filter(form=form, version__gt=form.version).exists()
    page = cast.page("clerk").post(f"/forms/{form.pk}/edit/", _same(form))
    assert page.status_code == 302 and cast.form("信息化建设").version == form.version


def _same(form: Any) -> dict[str, str]:
    from web_helpers import editor_post

    return editor_post(form.record, form.unit_id, form.version)


def test_every_field_of_every_seed_record_has_a_chinese_name(cast: Any) -> None:
    for form in cast.forms:
        for path in history.flatten(form.record):
            name = history.label(path, form.record)
            assert name != path and "[" not in name and "." not in name, path


def test_the_diff_page_shows_names_not_paths(cast: Any) -> None:
    form = cast.form("信息化建设")
    record = dict(form.record, goals={**form.record["goals"], "achieved": "已完成。"})
    record["indicators"] = [dict(form.record["indicators"][0], reason="天气原因"), *form.record["indicators"][1:]]
    saved = save_form(cast.user("clerk"), record, form=form, version=form.version)
    page = cast.page("clerk").get(f"/review/forms/{form.pk}/history/?a={form.version}&b={saved.version}").content.decode()
    assert "目标完成情况" in page and "的未完成原因" in page
    assert "goals.achieved" not in page and "indicators[0].reason" not in page
