"""A reviewer picks the cell a comment is about by the name the form gives it: its own caption (项目代码, not the
row's first one, 项目名称), its column's heading with the indicator's name, never the record path."""

from __future__ import annotations

import re
from typing import Any

from jixiao.reports.year import target_layout
from jixiao.web.year import presenters
from jixiao.web.year import services as year


def test_every_cell_is_named_by_its_own_caption_or_column(web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = year.save_target(web_cast.clerk_a, target_record, unit=web_cast.unit_a)
    choices = dict(presenters.cell_choices(target_layout(year.parse_target(decl.record))))
    assert choices["year"].startswith("年度") and choices["project_code"].startswith("项目代码")
    name = decl.record["indicators"][0]["name"]
    assert choices["indicators[0].unit"].startswith(f"{name} · 度量单位")
    assert choices["indicators[0].remark"].startswith(f"{name} · 备注")
    raw = {k: v for k, v in choices.items() if re.search(r"[A-Za-z_]+(\[\d+\])?\.", v) or v == k}
    assert not raw, raw


def test_the_review_form_offers_the_cells_by_those_names(web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = year.submit_target(web_cast.clerk_a, year.save_target(web_cast.clerk_a, target_record, unit=web_cast.unit_a))
    page = web_cast.client("reviewer").get(f"/year/targets/{decl.pk}/").content.decode()
    options = re.findall(r'<option value="(indicators\[\d+\]\.\w+)">([^<]*)</option>', page)
    assert options and not [label for key, label in options if key in label]
