"""Shapes for the review templates: the paper form with every cell named by its record path, and bars.

Pure functions of records and figures; no queries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jixiao.core.model import FUND_FIELDS
from jixiao.reports.layout import points_label

INDICATOR_COLUMNS = ("weight", "target", "actual", "score", "reason")


def _cell(path: str, text: Any, notes: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    found = notes.get(path, [])
    severity = next((s for s in ("comment", "error", "warning", "info") if any(n["kind"] == s for n in found)), "")
    return {"path": path, "text": "" if text is None else str(text), "notes": found, "mark": severity}


def notes_by_cell(
    findings: Sequence[Mapping[str, Any]], comments: Sequence[Mapping[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """path → the findings and reviewer comments about that cell."""
    out: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        if f.get("field"):
            out.setdefault(f["field"], []).append({"kind": f["severity"], "code": f["code"], "text": f["message"]})
    for c in comments:
        out.setdefault(c["field"], []).append({"kind": "comment", "code": "意见", "text": c["comment"]})
    return out


def paper(
    record: Mapping[str, Any],
    findings: Sequence[Mapping[str, Any]] = (),
    comments: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The standard form's blocks, each cell with its path ("indicators[2].score"), text and notes."""
    notes = notes_by_cell(findings, comments)
    funds = [
        {"label": f.get("label", ""), "cells": [_cell(f"funds[{n}].{k}", f.get(k, ""), notes) for k in FUND_FIELDS]}
        for n, f in enumerate(record.get("funds") or [])
    ]
    rows = list(record.get("indicators") or [])
    points = record.get("category_points") or {}
    indicators = []
    for n, r in enumerate(rows):
        level1 = r.get("level1", "")
        label1 = points_label(level1, points.get(level1, ""))
        first1 = n == 0 or rows[n - 1].get("level1") != level1
        first2 = first1 or rows[n - 1].get("level2") != r.get("level2")
        indicators.append(
            {
                "level1": label1,
                "span1": _span(rows, n, lambda x: x.get("level1")) if first1 else 0,
                "level2": r.get("level2", ""),
                "span2": _span(rows, n, lambda x: (x.get("level1"), x.get("level2"))) if first2 else 0,
                "name": _cell(f"indicators[{n}].name", r.get("name", ""), notes),
                "cells": [_cell(f"indicators[{n}].{k}", r.get(k, ""), notes) for k in INDICATOR_COLUMNS],
            }
        )
    total = record.get("total") or {}
    goals = record.get("goals") or {}
    return {
        "title": record.get("title") or "项目支出绩效自评表",
        "year": record.get("year"),
        "project": _cell("project", record.get("project", ""), notes),
        "leader": record.get("leader", ""),
        "department": record.get("department", ""),
        "unit": record.get("unit", ""),
        "funds": funds,
        "planned": _cell("goals.planned", goals.get("planned", ""), notes),
        "achieved": _cell("goals.achieved", goals.get("achieved", ""), notes),
        "indicators": indicators,
        "total_weight": total.get("weight", ""),
        "total_score": _cell("total.score", total.get("score", ""), notes),
        "general": [n for path, ns in notes.items() if not path for n in ns],
    }


def _span(rows: Sequence[Mapping[str, Any]], start: int, key: Any) -> int:
    k = key(rows[start])
    n = start
    while n < len(rows) and key(rows[n]) == k:
        n += 1
    return n - start


def bars(items: Sequence[Mapping[str, Any]], width: int = 260) -> list[dict[str, Any]]:
    """Items with `count`, given a bar length in pixels relative to the largest (for inline SVG)."""
    top = max((i["count"] for i in items), default=0) or 1
    return [{**i, "bar": round(width * i["count"] / top), "percent": 0} for i in items]
