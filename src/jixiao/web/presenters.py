"""Pure helpers between records and pages: the paper layout of a form, and the editor's fields.

The editor posts fields named `fund-<i>-<column>`, `ind-<n>-<column>`, `cat-<n>-name|points`; the same
parser serves saving and the live evaluation, so the page and the server never disagree on a record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.core.checks import printed_matches
from jixiao.core.model import FUND_CAPTIONS, FUND_FIELDS, INDICATOR_FIELDS, SCHEMA
from jixiao.core.values import parse_number
from jixiao.reports.layout import points_label
from jixiao.web.models import PHASE_LABELS, SEVERITY_LABELS, STAGE_LABELS

FUND_LABELS = {
    "total": "年度资金总额：",
    "appropriation": "其中：财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}
DEFAULT_FUND_KINDS = ("total", "appropriation", "other")
HEADER_FIELDS = ("title", "project", "leader", "department", "unit")
NUMBER_FIELDS = {"initial", "annual", "executed", "weight", "score"}


def blank_record(year: int | None, unit: str = "", department: str = "",
                 category_points: Sequence[tuple[str, str]] = (), fund_weight: str = "") -> dict[str, Any]:
    """A new form: the three fund rows, the profile's level-1 categories, one empty indicator row each."""
    funds = [{"kind": k, "label": FUND_LABELS[k], **dict.fromkeys(FUND_FIELDS, "")} for k in DEFAULT_FUND_KINDS]
    funds[0]["weight"] = fund_weight
    return {
        "schema": SCHEMA,
        "title": "项目支出绩效自评表",
        "year": year,
        "project": "",
        "leader": "",
        "department": department,
        "unit": unit,
        "funds": funds,
        "goals": {"planned": "", "achieved": ""},
        "category_points": dict(category_points),
        "indicators": [
            {**dict.fromkeys(INDICATOR_FIELDS, ""), "level1": name} for name, _ in category_points
        ] or [dict.fromkeys(INDICATOR_FIELDS, "")],
        "total": {"weight": "100", "score": ""},
    }


def _numbered(data: Mapping[str, str], prefix: str) -> list[tuple[int, dict[str, str]]]:
    """Rows posted as `<prefix>-<n>-<column>`, in the order of n."""
    rows: dict[int, dict[str, str]] = {}
    pattern = re.compile(rf"^{prefix}-(\d+)-(\w+)$")
    for key in data:
        m = pattern.match(key)
        if m:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = str(data.get(key, "")).strip()
    return sorted(rows.items())


@dataclass
class EditorInput:
    record: dict[str, Any]
    indicator_rows: list[int]  # the posted row number n of each indicator in the record
    errors: dict[str, list[str]] = field(default_factory=dict)


def record_from_post(data: Mapping[str, str]) -> EditorInput:
    """The record the editor's fields describe; errors name the field (`year`, `ind-3-weight`…)."""
    from jixiao.core.values import number_error

    errors: dict[str, list[str]] = {}
    year_text = str(data.get("year", "")).strip()
    year: int | None = None
    if year_text:
        if year_text.isdigit():
            year = int(year_text)
        else:
            errors["year"] = ["年度应为四位数字，如 2024。"]
    funds = []
    for n, row in _numbered(data, "fund"):
        kind = row.get("kind", "")
        if kind not in FUND_LABELS:
            continue
        funds.append({"kind": kind, "label": row.get("label") or FUND_LABELS[kind],
                      **{c: row.get(c, "") for c in FUND_FIELDS}})
        for column in FUND_FIELDS:
            if column in NUMBER_FIELDS and (problem := number_error(row.get(column, ""))):
                errors[f"fund-{n}-{column}"] = [f"{FUND_CAPTIONS[column]}：{problem}"]
    indicators, numbers = [], []
    for n, row in _numbered(data, "ind"):
        values = {c: row.get(c, "") for c in INDICATOR_FIELDS}
        if not any(values.values()):
            continue
        indicators.append(values)
        numbers.append(n)
        for column in ("weight", "score"):
            if problem := number_error(values[column]):
                errors[f"ind-{n}-{column}"] = [problem]
    points = {row["name"]: row.get("points", "") for _, row in _numbered(data, "cat") if row.get("name")}
    record = {
        "schema": SCHEMA,
        **{f: str(data.get(f, "")).strip() for f in HEADER_FIELDS},
        "year": year,
        "funds": funds,
        "goals": {"planned": str(data.get("planned", "")).strip(), "achieved": str(data.get("achieved", "")).strip()},
        "category_points": points,
        "indicators": indicators,
        "total": {"weight": str(data.get("total-weight", "")).strip(), "score": str(data.get("total-score", "")).strip()},
    }
    return EditorInput(record=record, indicator_rows=numbers, errors=errors)


# ---------------------------------------------------------------- the paper layout (detail page)


@dataclass
class Cell:
    text: str
    computed: str | None = None  # the computed value where it differs from or accompanies the printed one
    formula: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)
    exact: str | None = None  # the computed value unrounded, to compare with the printed one

    @property
    def differs(self) -> bool:
        """The computed value disagrees with the printed one beyond printing (rounded or truncated)."""
        return differs(self.text, self.exact if self.exact is not None else self.computed)

    @property
    def severity(self) -> str:
        """The worst severity of the cell's findings, for its colour."""
        order = {"error": 2, "warning": 1, "info": 0}
        return max((f["severity"] for f in self.findings), key=lambda s: order.get(s, 0), default="")


def differs(printed: str, computed: str | None) -> bool:
    """True when something is printed and it is not the computed value within the printed-rounding
    tolerance (jixiao.core.checks.printed_matches); a blank cell differs from nothing."""
    value = parse_number(str(computed or "").rstrip("%"))
    if value is None or not printed.strip():
        return False
    shown = parse_number(printed)
    return shown is None or not printed_matches(shown, value)


def _key(location: Mapping[str, Any]) -> tuple[str, int | None, str]:
    return (location.get("block", ""), location.get("index"), location.get("field", ""))


def index_findings(findings: Sequence[Mapping[str, Any]]) -> dict[tuple[str, int | None, str], list[dict[str, Any]]]:
    """Findings by (block, row index, field): the cell they mark."""
    by_cell: dict[tuple[str, int | None, str], list[dict[str, Any]]] = {}
    for n, f in enumerate(findings, 1):
        by_cell.setdefault(_key(f["location"]), []).append({**f, "number": n})
    return by_cell


def _percent(rate: str | None) -> str | None:
    if rate is None:
        return None
    return f"{float(rate) * 100:.2f}%"


def paper_layout(record: Mapping[str, Any], scorecard: Mapping[str, Any],
                 findings: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Rows and cells of the form as printed, each cell with its computed value and its findings."""
    cells = index_findings(findings)

    def cell(block: str, index: int | None, column: str, text: str, computed: str | None = None,
             formula: str = "", exact: str | None = None) -> Cell:
        marks = cells.get((block, index, column), [])
        return Cell(text=text, computed=computed, formula=formula, findings=marks, exact=exact)

    rate = scorecard.get("execution_rate")
    rate_exact = None if rate is None else str(Decimal(rate) * 100)

    funds = []
    for i, f in enumerate(record.get("funds", [])):
        is_total = f["kind"] == "total"
        rate_computed = _percent(scorecard.get("execution_rate")) if f["kind"] in ("total", "appropriation") else None
        funds.append({
            "label": f["label"] or FUND_LABELS.get(f["kind"], f["kind"]),
            "cells": [
                cell("funds", i, "initial", f["initial"]),
                cell("funds", i, "annual", f["annual"]),
                cell("funds", i, "executed", f["executed"]),
                cell("funds", i, "weight", f["weight"]),
                cell("funds", i, "rate", f["rate"], rate_computed if f["rate"] or is_total else None,
                     scorecard.get("execution_formula", ""), rate_exact),
                cell("funds", i, "score", f["score"], scorecard.get("fund_score") if is_total else None,
                     scorecard.get("fund_formula", "") if is_total else ""),
            ],
        })
    scores = {s["index"]: s for s in scorecard.get("indicators", [])}
    indicators = record.get("indicators", [])
    points = record.get("category_points", {})
    rows = []
    for i, ind in enumerate(indicators):
        s = scores.get(i, {})
        first1 = i == 0 or indicators[i - 1]["level1"] != ind["level1"]
        first2 = first1 or indicators[i - 1]["level2"] != ind["level2"]
        span1 = _span(indicators, i, lambda r: r["level1"]) if first1 else 0
        span2 = _span(indicators, i, lambda r: (r["level1"], r["level2"])) if first2 else 0
        label1 = points_label(ind["level1"], points.get(ind["level1"], ""))
        rows.append({
            "index": i,
            "level1": cell("indicators", i, "level1", label1), "span1": span1,
            "level2": cell("indicators", i, "level2", ind["level2"]), "span2": span2,
            "name": cell("indicators", i, "name", ind["name"]),
            "weight": cell("indicators", i, "weight", ind["weight"]),
            "target": cell("indicators", i, "target", ind["target"]),
            "actual": cell("indicators", i, "actual", ind["actual"]),
            "score": cell("indicators", i, "score", ind["score"], s.get("score"), s.get("formula", "")),
            "reason": cell("indicators", i, "reason", ind["reason"]),
        })
    total = record.get("total", {})
    placed = {k for k in cells if k[0] in ("funds", "indicators") and k[1] is not None}
    placed |= {("total", None, "score"), ("goals", None, "planned"), ("goals", None, "achieved")}
    return {
        "funds": funds,
        "indicators": rows,
        "goals": {
            "planned": cell("goals", None, "planned", record.get("goals", {}).get("planned", "")),
            "achieved": cell("goals", None, "achieved", record.get("goals", {}).get("achieved", "")),
        },
        "total": {
            "weight": total.get("weight", ""),
            "score": cell("total", None, "score", total.get("score", ""), scorecard.get("total"),
                          scorecard.get("total_formula", "")),
        },
        # Findings about the form as a whole, or a place with no cell of its own, listed above the form.
        "general": [f for k, fs in cells.items() if k not in placed for f in fs],
    }


def _span(rows: Sequence[Mapping[str, str]], start: int, key: Any) -> int:
    n = 1
    while start + n < len(rows) and key(rows[start + n]) == key(rows[start]):
        n += 1
    return n


# ---------------------------------------------------------------- the editor's rows


def _field(name: str, value: str, errors: Mapping[str, list[str]]) -> dict[str, Any]:
    return {"name": name, "value": value, "errors": errors.get(name, [])}


def editor_rows(record: Mapping[str, Any], errors: Mapping[str, list[str]]) -> dict[str, Any]:
    """The editor's inputs, each with its name, value and the server's messages for it."""
    funds = [
        {
            "n": n,
            "kind": f["kind"],
            "label": f["label"] or FUND_LABELS.get(f["kind"], ""),
            "cells": [_field(f"fund-{n}-{c}", f.get(c, ""), errors) for c in FUND_FIELDS],
        }
        for n, f in enumerate(record.get("funds", []))
    ]
    indicators = [
        {"n": n, **{c: _field(f"ind-{n}-{c}", i.get(c, ""), errors) for c in INDICATOR_FIELDS}}
        for n, i in enumerate(record.get("indicators", []))
    ]
    points = list(record.get("category_points", {}).items()) or [("", "")]
    categories = [{"n": n, "name": name, "points": p} for n, (name, p) in enumerate(points)]
    return {"funds": funds, "indicators": indicators, "categories": categories,
            "fund_captions": [FUND_CAPTIONS[c] for c in FUND_FIELDS]}


# ---------------------------------------------------------------- the list's rows

LIST_VALUES = (
    "id", "year", "project", "phase", "stage", "execution_rate", "printed_total", "computed_total", "grade",
    "error_count", "warning_count", "info_count", "unit__name",
)
_ROW = (
    '<tr><td class="no-print"><input type="checkbox" name="ids" value="{id}" aria-label="选择 {project}"></td>'
    '<td>{year}</td><td><a href="/forms/{id}/">{project}</a></td><td>{unit}</td><td>{phase}</td>'
    '<td><span class="stage stage-{stage}">{stage_label}</span></td><td class="num">{rate}</td>'
    '<td class="num">{printed}</td><td class="num{differs}">{computed}</td><td>{grade}</td>'
    '<td class="counts">{counts}</td></tr>'
)


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def list_rows(rows: Sequence[Mapping[str, Any]]) -> str:
    """The list's table rows as HTML (one formatted string per row: fifty rows through the template
    engine cost more than the rest of the request together)."""
    from html import escape

    from django.utils.safestring import mark_safe

    out = []
    for r in rows:
        counts = "".join(
            f'<span class="sev sev-{sev}">{label} {r[f"{sev}_count"]}</span>'
            for sev, label in SEVERITY_LABELS.items() if r[f"{sev}_count"]
        )
        printed, computed = r["printed_total"], r["computed_total"]
        out.append(_ROW.format(
            id=int(r["id"]), year=int(r["year"]), project=escape(r["project"]), unit=escape(r["unit__name"]),
            phase=PHASE_LABELS.get(r["phase"], ""), stage=escape(r["stage"]),
            stage_label=STAGE_LABELS.get(r["stage"], ""),
            rate="" if r["execution_rate"] is None else f"{r['execution_rate'] * 100:.2f}%",
            printed=_plain(printed), computed=_plain(computed),
            differs=" differs" if printed is not None and computed is not None and printed != computed else "",
            grade=escape(r["grade"]), counts=counts,
        ))
    return mark_safe("".join(out))  # every value above is escaped or a number
