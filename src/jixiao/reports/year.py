"""The standard layouts of the 绩效目标申报表 and the 运行监控表, written by the project's writers.

Each form becomes a FormLayout (jixiao.reports.layout) with a Template of its own, so that the
xlsx, docx, pdf and html writers draw it exactly as they draw a self-evaluation: the same cells,
spans, fonts, page setup and repeated indicator header. jixiao.formats.year reads these layouts back
(and the local layouts of docs/cycle.md §2.4 that use the same captions).

What the layouts print: every field of the records except an indicator's 指标代码 and 数据来源
(kept in the JSON, not on the paper form), and a target's kind 定量/定性, which follows from its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jixiao.core.monitor import CAUSES, Monitor, fund_captions, indicator_captions
from jixiao.core.target import (
    FUND_LABELS,
    NARRATIVE_CAPTIONS,
    REVIEW_LEVEL_NAMES,
    SET_NAMES,
    Target,
    TargetIndicator,
)
from jixiao.reports import write_layouts
from jixiao.reports.layout import FormLayout, LayoutBuilder, Template, run_spans

YES, NO = "是", "否"
PERIOD_DASH = "—"

# (field, caption) of a target's indicator columns from column 1 on (column 0 is the set's caption).
TARGET_INDICATOR_COLUMNS = (
    ("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标"), ("op", "指标性质"), ("value", "指标值"),
    ("unit", "度量单位"), ("weight", "权重"), ("history", "上年度实际水平"), ("explanation", "指标解释"),
    ("standard", "评（扣）分标准"), ("core", "是否核心指标"), ("remark", "备注"),
)
TARGET_TEMPLATE = Template(
    key="target", title="项目支出绩效目标申报表", widths=(5, 7, 8, 14, 5, 8, 5, 5, 8, 14, 14, 5, 8), landscape=True,
    funds_caption="项目资金（万元）", fund_label_span=4, fund_captions=("金额",), goals_caption="总体目标",
    goal_captions=("中期目标", "年度目标"), goal_spans=(10, 10), indicators_caption="绩效指标",
    indicator_columns=TARGET_INDICATOR_COLUMNS,
)
TARGET_HEADER = (
    (("项目名称", "project"), ("项目代码", "project_code")),
    (("主管部门", "department"), ("主管部门代码", "department_code")),
    (("实施单位", "unit"), ("项目负责人", "leader")),
    (("联系电话", "phone"), ("项目类别", "category")),
    (("项目属性", "attribute"), ("项目性质", "nature")),
    (("项目期", "period"), ("版本说明", "version_note")),
)
REVIEW_CAPTIONS = ("审核层级", "审核结果", "各要点审核等级", "审核意见", "审核人", "审核日期")

MONITOR_TEMPLATE = Template(
    key="monitor", title="项目支出绩效运行监控表", widths=(6, 7, 12, 9, 9, 9, 7, 7, 7, 7, 7, 7, 9, 5, 10, 10),
    landscape=True, funds_caption="项目资金（万元）", fund_label_span=4,
    fund_captions=("年初预算数", "调整后预算数", "执行数", "执行率", "全年预计执行数"), goals_caption="年度总体目标",
    goal_captions=("全年目标", "实际完成情况"), goal_spans=(6, 6), indicators_caption="绩效指标",
    indicator_columns=(),
)
MONITOR_HEADER = (
    (("项目名称", "project"), ("项目代码", "project_code")),
    (("主管部门", "department"), ("主管部门代码", "department_code")),
    (("实施单位", "unit"), ("监控期间", "period")),
    (("批复目标版本", "target_version"),),
)
# Fund columns: (field, first column, span).
MONITOR_FUND_COLUMNS = (("initial", 4, 2), ("adjusted", 6, 2), ("executed", 8, 3), ("rate", 11, 2),
                        ("forecast", 13, 3))
RECTIFY_CAPTIONS = (("needed", "是否需要整改"), ("requirement", "整改要求和建议"), ("result", "整改结果和结论"))


def _subtitle(year: int | None) -> str:
    return f"（{year}年度）" if year is not None else ""


def _pairs(b: LayoutBuilder, rows: Sequence[Sequence[tuple[str, str]]], values: dict[str, str]) -> None:
    """Header rows of caption | value pairs across the width (a lone pair takes the whole row)."""
    width = b.template.width
    half = width // 2
    for pairs in rows:
        r = b.new_row()
        if len(pairs) == 1:
            (caption, key), = pairs
            b.caption(r, 0, caption, colspan=2)
            b.add(r, 2, values[key], colspan=width - 2, key=key, align="left")
            continue
        (c1, k1), (c2, k2) = pairs
        b.caption(r, 0, c1, colspan=2)
        b.add(r, 2, values[k1], colspan=half - 2, key=k1, align="left")
        b.caption(r, half, c2, colspan=2)
        b.add(r, half + 2, values[k2], colspan=width - half - 2, key=k2, align="left")


# ---------------------------------------------------------------------------------------------
# 绩效目标申报表


def period_text(start: str, end: str) -> str:
    """The 项目期 as printed: "2026年1月—2027年12月" (one side may be blank)."""
    return f"{start}{PERIOD_DASH}{end}" if start or end else ""


def review_items_text(items: Sequence[tuple[str, str]]) -> str:
    """"规范完整性：优；明确清晰性：良" — the per-point grades in one cell."""
    return "；".join(f"{point}：{grade}" for point, grade in items)


def target_layout(target: Target) -> FormLayout:
    b = LayoutBuilder(TARGET_TEMPLATE)
    values = {k: getattr(target, k) for _, k in sum(TARGET_HEADER, ()) if k not in ("period",)}
    values["period"] = period_text(target.period_start, target.period_end)
    rows = list(TARGET_HEADER)
    rows.insert(0, (("版本号", "version"), ("年度", "year")))
    values["version"], values["year"] = str(target.version), "" if target.year is None else str(target.year)
    _pairs(b, rows, values)
    _target_funds(b, target)
    for key, text in target.narratives:
        r = b.new_row()
        b.caption(r, 0, NARRATIVE_CAPTIONS[key], colspan=3)
        b.add(r, 3, text, colspan=10, align="left", key=f"narratives.{key}")
    _target_goals(b, target)
    for which in ("annual", "medium"):
        _target_indicators(b, target, which)
    if target.reviews:
        _target_reviews(b, target)
    return FormLayout(template=TARGET_TEMPLATE, title=target.title or TARGET_TEMPLATE.title,
                      subtitle=_subtitle(target.year), rows=_sorted(b), project=target.project)


def _sorted(b: LayoutBuilder) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(sorted(r, key=lambda c: c.col)) for r in b.rows)


def _target_funds(b: LayoutBuilder, target: Target) -> None:
    sets = [(which, target.fund_set(which)) for which in ("medium", "annual")]
    height = sum(max(1, len(rows)) for _, rows in sets)
    first = True
    for which, rows in sets:
        for n, fund in enumerate(rows or (None,)):
            r = b.new_row()
            if first:
                b.caption(r, 0, "项目资金（万元）", rowspan=height)
                first = False
            if n == 0:
                b.caption(r, 1, f"{SET_NAMES[which]}资金", rowspan=max(1, len(rows)), colspan=2)
            index = target.funds.index(fund) if fund is not None else -1
            label = (fund.label or FUND_LABELS[fund.kind]) if fund is not None else ""
            b.add(r, 3, label, colspan=4, align="left", key=f"funds[{index}].label")
            b.add(r, 7, fund.amount if fund is not None else "", colspan=6, key=f"funds[{index}].amount")


def _target_goals(b: LayoutBuilder, target: Target) -> None:
    sets = [(which, target.goals(which)) for which in ("medium", "annual")]
    height = sum(max(1, len(goals)) for _, goals in sets)
    first = True
    for which, goals in sets:
        for n, goal in enumerate(goals or ("",)):
            r = b.new_row()
            if first:
                b.caption(r, 0, "总体目标", rowspan=height)
                first = False
            if n == 0:
                b.caption(r, 1, f"{SET_NAMES[which]}目标", rowspan=max(1, len(goals)), colspan=2)
            b.add(r, 3, goal, colspan=10, align="left", key=f"goals.{which}[{n}]")


def _cell_text(ind: TargetIndicator, name: str) -> str:
    if name == "core":
        return YES if ind.core else NO
    if name == "value" and not (ind.op or ind.unit) and not ind.value:
        return ind.target  # a target the split could not read: printed whole
    return str(getattr(ind, name))


def _target_indicators(b: LayoutBuilder, target: Target, which: str) -> None:
    """The set's caption on a row of its own, so that a header row a PDF page repeats names no set."""
    rows = [(n, i) for n, i in enumerate(target.indicators) if i.set == which]
    r = b.new_row()
    b.caption(r, 0, f"{SET_NAMES[which]}绩效指标", colspan=TARGET_TEMPLATE.width)
    r0 = b.new_row()
    for c, (_, caption) in enumerate(TARGET_INDICATOR_COLUMNS, 1):
        b.caption(r0, 0 if c == 1 else c, caption, colspan=2 if c == 1 else 1)
    level1 = run_spans([(i.level1,) for _, i in rows])
    level2 = run_spans([(i.level1, i.level2) for _, i in rows])
    for k, (n, ind) in enumerate(rows):
        r = b.new_row()
        for c, (name, _) in enumerate(TARGET_INDICATOR_COLUMNS, 1):
            key = f"indicators[{n}].{name}"
            if name == "level1":
                if level1[k]:
                    b.add(r, 0, ind.level1, rowspan=level1[k], colspan=2, key=key)
            elif name == "level2":
                if level2[k]:
                    b.add(r, c, ind.level2, rowspan=level2[k], key=key)
            else:
                align = "left" if name in ("name", "explanation", "standard", "remark") else "center"
                b.add(r, c, _cell_text(ind, name), align=align, key=key)


def _target_reviews(b: LayoutBuilder, target: Target) -> None:
    spans = ((1, 2), (3, 1), (4, 4), (8, 3), (11, 1), (12, 1))
    r0 = b.new_row()
    b.caption(r0, 0, "审核意见", rowspan=1 + len(target.reviews))
    for (col, span), caption in zip(spans, REVIEW_CAPTIONS, strict=True):
        b.caption(r0, col, caption, colspan=span)
    for n, review in enumerate(target.reviews):
        r = b.new_row()
        texts = (REVIEW_LEVEL_NAMES[review.level], review.grade, review_items_text(review.items), review.opinion,
                 review.reviewer, review.date)
        for (col, span), text, name in zip(spans, texts, ("level", "grade", "items", "opinion", "reviewer", "date"),
                                           strict=True):
            b.add(r, col, text, colspan=span, align="left" if name in ("items", "opinion") else "center",
                  key=f"review[{n}].{name}")


# ---------------------------------------------------------------------------------------------
# 运行监控表


def monitor_layout(monitor: Monitor) -> FormLayout:
    b = LayoutBuilder(MONITOR_TEMPLATE)
    values = {k: getattr(monitor, k) for _, k in sum(MONITOR_HEADER, ()) if k not in ("period", "target_version")}
    values["period"] = monitor.period
    values["target_version"] = "" if monitor.target_version is None else str(monitor.target_version)
    _pairs(b, MONITOR_HEADER, values)
    captions = fund_captions(monitor.to_month)
    r = b.new_row()
    b.caption(r, 0, "项目资金（万元）", colspan=4)
    for name, col, span in MONITOR_FUND_COLUMNS:
        b.caption(r, col, captions[name], colspan=span)
    for n, fund in enumerate(monitor.funds):
        r = b.new_row()
        b.add(r, 0, fund.label or FUND_LABELS[fund.kind], colspan=4, align="left", key=f"funds[{n}].label")
        for name, col, span in MONITOR_FUND_COLUMNS:
            b.add(r, col, getattr(fund, name), colspan=span, key=f"funds[{n}].{name}")
    r = b.new_row()
    b.caption(r, 0, "年度总体目标", rowspan=2, colspan=4)
    b.caption(r, 4, "全年目标", colspan=6)
    b.caption(r, 10, f"{monitor.period}实际完成情况", colspan=6)
    r = b.new_row()
    b.add(r, 4, monitor.goal_annual, colspan=6, align="left", key="goals.annual")
    b.add(r, 10, monitor.goal_progress, colspan=6, align="left", key="goals.progress")
    _monitor_indicators(b, monitor)
    return FormLayout(template=MONITOR_TEMPLATE, title=monitor.title or MONITOR_TEMPLATE.title,
                      subtitle=_subtitle(monitor.year), rows=_sorted(b), project=monitor.project)


def _monitor_indicators(b: LayoutBuilder, monitor: Monitor) -> None:
    captions = indicator_captions(monitor.to_month)
    first = ("level1", "level2", "name", "target", "to_date", "forecast")
    r0, r1 = b.new_row(), b.new_row()
    for c, name in enumerate(first):
        b.caption(r0, c, captions[name], rowspan=2)
    b.caption(r0, 6, "偏差原因分析", colspan=len(CAUSES))
    for c, cause in enumerate(CAUSES, 6):
        b.caption(r1, c, cause)
    b.caption(r0, 11, captions["likelihood"], rowspan=2)
    b.caption(r0, 12, captions["remark"], rowspan=2)
    for c, (_, caption) in enumerate(RECTIFY_CAPTIONS, 13):
        b.caption(r0, c, caption, rowspan=2)
    rows = monitor.indicators
    level1 = run_spans([(i.level1,) for i in rows])
    level2 = run_spans([(i.level1, i.level2) for i in rows])
    for n, ind in enumerate(rows):
        r = b.new_row()
        key = f"indicators[{n}]"
        if level1[n]:
            b.add(r, 0, ind.level1, rowspan=level1[n], key=f"{key}.level1")
        if level2[n]:
            b.add(r, 1, ind.level2, rowspan=level2[n], key=f"{key}.level2")
        b.add(r, 2, ind.name, align="left", key=f"{key}.name")
        for c, name in enumerate(("target", "to_date", "forecast"), 3):
            b.add(r, c, getattr(ind, name), key=f"{key}.{name}")
        for c, cause in enumerate(CAUSES, 6):
            b.add(r, c, ind.cause(cause), align="left", key=f"{key}.causes.{cause}")
        b.add(r, 11, ind.likelihood, key=f"{key}.likelihood")
        b.add(r, 12, ind.remark, align="left", key=f"{key}.remark")
        for c, (name, _) in enumerate(RECTIFY_CAPTIONS, 13):
            b.add(r, c, getattr(ind.rectify, name), align="left", key=f"{key}.rectify.{name}")


# ---------------------------------------------------------------------------------------------
# Writing


def write_targets(targets: Sequence[Target], path: str | Path) -> None:
    write_layouts([target_layout(t) for t in targets], path, title="项目支出绩效目标申报表")


def write_monitors(monitors: Sequence[Monitor], path: str | Path) -> None:
    write_layouts([monitor_layout(m) for m in monitors], path, title="项目支出绩效运行监控表")
