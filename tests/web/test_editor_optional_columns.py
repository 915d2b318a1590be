"""The page editor keeps what a province's form prints beyond the standard columns: 指标性质 and 度量单位 of a
split target, the goal block an indicator is under, a fund row's 到位数 and 原因, a transfer payment's 地方主管部门.

The edit page is read as a browser would submit it (every input and textarea it shows, with its value), and
posting that back, with only the summary changed, must keep them.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from jixiao.core.model import OPTIONAL_FUND_FIELDS, OPTIONAL_INDICATOR_FIELDS
from jixiao.web.forms.store import save_form
from jixiao.web.models import Phase

TEMPLATES = Path(__file__).resolve().parents[1] / "fixtures" / "templates"


class _Fields(HTMLParser):
    """The name → value pairs a browser posts for the form with id "editor"."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._in_editor = False
        self._select, self._chosen = "", False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "editor":
            self._in_editor = True
        if self._in_editor and tag == "option" and self._select and not self._chosen:
            self.fields[self._select] = a.get("value", "")  # the selected option, else the first, as a browser posts
            self._chosen = "selected" in a
        if not self._in_editor or not a.get("name"):
            return
        if tag == "input" and (a.get("type") not in ("radio", "checkbox") or "checked" in a):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""
        elif tag == "select":
            self._select, self._chosen = a["name"], False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_editor = False


def _optional(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "funds": [{c: f.get(c, "") for c in OPTIONAL_FUND_FIELDS} for f in record["funds"]],
        "indicators": [{c: i.get(c, "") for c in OPTIONAL_INDICATOR_FIELDS} for i in record["indicators"]],
        "local_department": record.get("local_department", ""),
    }


def _record(name: str) -> dict[str, Any]:
    data = json.loads((TEMPLATES / f"{name}.json").read_text(encoding="utf-8"))
    return data[0] if isinstance(data, list) else data


def _prints_optional_columns(record: dict[str, Any]) -> bool:
    kept = _optional(record)
    return bool(kept["local_department"]) or any(any(r.values()) for r in kept["funds"] + kept["indicators"])


SAMPLES = [p.stem for p in sorted(TEMPLATES.glob("*.json")) if _prints_optional_columns(_record(p.stem))]


def test_some_samples_print_optional_columns() -> None:
    assert len(SAMPLES) >= 3, SAMPLES  # sichuan, yunnan, transfer, hubei at least: the test below has cases


@pytest.mark.parametrize("name", SAMPLES)
def test_saving_in_the_editor_keeps_the_optional_columns(web_cast: Any, name: str) -> None:
    record = _record(name)
    form = save_form(web_cast.clerk_a, record, unit=web_cast.unit_a, phase=Phase.SELF)
    client = web_cast.client("clerk_a")
    page = client.get(f"/forms/{form.pk}/edit/")
    assert page.status_code == 200
    fields = _Fields()
    fields.feed(page.content.decode())
    assert "achieved" in fields.fields
    response = client.post(f"/forms/{form.pk}/edit/", {**fields.fields, "achieved": "已按计划完成。"})
    assert response.status_code == 302, (response.context or {}).get("errors")
    form.refresh_from_db()
    assert form.version == 2 and form.record["goals"]["achieved"] == "已按计划完成。"
    assert _optional(form.record) == _optional(record)
