"""The finance bureau's re-check beside a unit's own score, as a page of its own (the public PDF of a form
carries it after the form, as published re-check results do: 评价方 | 得分 | 等级, then the problems)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from jixiao.reports.layout import FormLayout, LayoutBuilder, Template

TITLE = "财政复核结果"


@dataclass(frozen=True)
class Recheck:
    project: str
    unit_score: str
    unit_grade: str
    score: str
    grade: str
    problems: tuple[str, ...] = ()
    third_party: tuple[tuple[str, str], ...] = ()  # (firm, score)
    recorded_at: str = ""


def recheck_layout(recheck: Recheck, like: Template) -> FormLayout:
    """The re-check as a three-column table in the style (fonts, orientation) of the form's template."""
    b = LayoutBuilder(replace(like, key="recheck", title=TITLE, widths=(30, 16, 16)))
    row = b.new_row()
    for col, caption in enumerate(("评价方", "得分", "等级")):
        b.caption(row, col, caption)
    parties = [("单位自评", recheck.unit_score, recheck.unit_grade), ("财政复核", recheck.score, recheck.grade)]
    parties += [(f"第三方复核（{firm}）", score, "") for firm, score in recheck.third_party]
    for party, score, grade in parties:
        row = b.new_row()
        b.caption(row, 0, party)
        b.add(row, 1, score or "—")
        b.add(row, 2, grade or "—")
    row = b.new_row()
    b.caption(row, 0, "复核发现的问题", colspan=3)
    for n, problem in enumerate(recheck.problems or ("无",), 1):
        row = b.new_row()
        b.add(row, 0, f"{n}. {problem}" if recheck.problems else problem, colspan=3, align="left")
    rows = tuple(tuple(sorted(r, key=lambda c: c.col)) for r in b.rows)
    note = f"复核日期：{recheck.recorded_at}" if recheck.recorded_at else ""
    return FormLayout(template=b.template, title=TITLE, subtitle=f"（{recheck.project}）", rows=rows,
                      project=recheck.project, note=note)


def with_recheck_pages(layouts: Sequence[FormLayout], recheck: Recheck) -> list[FormLayout]:
    """The form's layouts followed by the re-check's page."""
    return [*layouts, recheck_layout(recheck, layouts[0].template)]
