"""A stored form's history as data: the names of its cells, the differences between two records, the
changes made since a version, and what differs between two kept versions."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from jixiao.core.model import FUND_CAPTIONS, INDICATOR_CAPTIONS
from jixiao.web.forms.errors import NotFound
from jixiao.web.models import STAGE_LABELS, PerformanceForm
from jixiao.web.review.models import FieldChange, FormVersion

COLUMN_LABELS = {"stage": "状态", "unit": "实施单位（所属）", "phase": "阶段", "profile_override": "指定评分规则"}
HEADER_LABELS = {"project": "项目名称", "leader": "项目负责人", "year": "年度", "title": "标题",
                 "department": "主管部门", "unit": "实施单位"}
PART_LABELS = {"total": {"weight": "总分分值", "score": "总分得分"},
               "goals": {"planned": "年初设定目标", "achieved": "目标完成情况"}}
CELL_PATH = re.compile(
    r"^(?:(indicators|funds)\[(\d+)\]\.(\w+)|(total|goals|category_points)\.(.+)|(project|leader|year|title|department|unit))$"
)


def local_time(moment: datetime.datetime) -> str:
    """A moment in the configured time zone (Asia/Shanghai by default), to the second."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def field_label(record: Mapping[str, Any], path: str) -> str | None:
    """A reader's name for a record path ("第3项指标「培训人次」的得分"), or None when the path isn't in it."""
    m = CELL_PATH.match(path or "")
    if not m:
        return None
    block, index, key, part, part_key, top = m.groups()
    if top:
        return HEADER_LABELS[top]
    if part == "category_points":
        return f"一级指标「{part_key}」的分值"
    if part:
        return PART_LABELS[part].get(part_key)
    rows = record.get(block) or []
    n = int(index)
    if n >= len(rows):
        return None
    if block == "indicators":
        caption = INDICATOR_CAPTIONS.get(key)
        return None if caption is None else f"第{n + 1}项指标「{rows[n].get('name', '')}」的{caption}"
    caption = FUND_CAPTIONS.get(key, {"label": "项目", "kind": "类别"}.get(key))
    return None if caption is None else f"资金「{rows[n].get('label', '')}」的{caption}"


def label(path: str, *records: Mapping[str, Any] | None) -> str:
    """The Chinese name of a changed field, looked up in the records given (the newer first): a row that
    a change removed is named by the record that still has it."""
    if path in COLUMN_LABELS:
        return COLUMN_LABELS[path]
    for record in records:
        found = field_label(record or {}, path)
        if found:
            return found
    return path


def finding_field(location: Mapping[str, Any]) -> str:
    """The record path of a finding's cell ("indicators[2].score"), or "" when it isn't one cell."""
    block, key, index = location.get("block", ""), location.get("field", ""), location.get("index")
    if block in ("indicators", "funds") and index is not None and key:
        return f"{block}[{index}].{key}"
    if block in ("total", "goals") and key:
        return f"{block}.{key}"
    if block == "header" and key in HEADER_LABELS:
        return str(key)
    return ""


def record_cells(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every commentable cell of a record as (path, label), in the order the form prints them."""
    paths = ["project", "year"]
    paths += [f"funds[{n}].{k}" for n, _ in enumerate(record.get("funds") or []) for k in FUND_CAPTIONS]
    paths += ["goals.planned", "goals.achieved"]
    paths += [
        f"indicators[{n}].{k}"
        for n, _ in enumerate(record.get("indicators") or [])
        for k in ("weight", "target", "actual", "score", "reason")
    ]
    paths += ["total.score"]
    return [(p, field_label(record, p) or p) for p in paths]


def flatten(record: Mapping[str, Any] | None) -> dict[str, str]:
    """A record as {path: text}: "project", "funds[0].annual", "indicators[2].score", "category_points.产出指标"."""
    flat: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(value, list):
            for n, v in enumerate(value):
                walk(v, f"{path}[{n}]")
        else:
            flat[path] = "" if value is None else str(value)

    walk(dict(record or {}), "")
    flat.pop("schema", None)
    return flat


def diff_records(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[tuple[str, str | None, str | None]]:
    """(path, old, new) of every field that differs; None where a field is absent (a row added or removed)."""
    a, b = flatten(old), flatten(new)
    paths = list(a) + [p for p in b if p not in a]
    return [(p, a.get(p), b.get(p)) for p in paths if a.get(p) != b.get(p)]


def change_json(c: FieldChange, record: Mapping[str, Any]) -> dict[str, Any]:
    is_stage = c.path == "stage"
    return {
        "version": c.version,
        "path": c.path,
        "label": label(c.path, record),
        "old": STAGE_LABELS.get(c.old or "", c.old) if is_stage else c.old,
        "new": STAGE_LABELS.get(c.new or "", c.new) if is_stage else c.new,
        "user": str(c.user) if c.user_id else "",
        "at": local_time(c.at),
        "phase": c.phase,
        "stage": c.stage,
    }


def changes_since(form: PerformanceForm, version: int) -> list[dict[str, Any]]:
    """The field changes made after `version` (what a stale editor didn't see)."""
    rows = FieldChange.objects.filter(form=form, version__gt=version).select_related("user").order_by("version", "id")
    return [change_json(c, form.record) for c in rows]


def record_at(form: PerformanceForm, version: int) -> dict[str, Any]:
    """The record as it was at a version: that of the latest version up to it that kept one."""
    kept = (
        FormVersion.objects.filter(form=form, version__lte=version, record__isnull=False)
        .order_by("-version").values_list("record", flat=True).first()
    )
    return dict(kept or {})


def version_diff(form: PerformanceForm, a: int, b: int) -> list[dict[str, Any]]:
    """What differs between two kept versions of a form (path, label, value in a, value in b)."""
    kept = {v.version: v for v in FormVersion.objects.filter(form=form, version__in=[a, b]).defer("record")}
    missing = [n for n in (a, b) if n not in kept]
    if missing:
        raise NotFound(f"没有第 {missing[0]} 版的记录。")
    old, new = record_at(form, a), record_at(form, b)
    rows = diff_records(old, new)
    if kept[a].stage != kept[b].stage:
        rows.insert(0, ("stage", STAGE_LABELS[kept[a].stage], STAGE_LABELS[kept[b].stage]))
    return [{"path": p, "label": label(p, new, old), "old": o, "new": n} for p, o, n in rows]
