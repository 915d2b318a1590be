"""The year's forms in and out of files: import 申报表 and 监控表 from Word, Excel, PDF or HTML; export one.

An import reads the file once (`read`), then runs the import (`run`) in a transaction: for the preview
the transaction is rolled back, so the preview refuses exactly what the confirmation would (as the
self-evaluation import does). A declaration becomes a draft of its unit, or replaces the content of a
draft or returned version of the same project; an approved or submitted one is never overwritten
(目标调整 is the way to change it). A monitoring form fills the form of the round whose period it
covers, opened from the project's approved target — what the approved target fixes (indicators,
年度指标值) stays the target's. A form that can't be imported is listed with the reason and left out;
the confirmation imports the others all together, or nothing if anything changed since the preview.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from jixiao.core import monitor as mon
from jixiao.core import target as tgt
from jixiao.web.forms import access, errors
from jixiao.web.models import Org
from jixiao.web.year import monitoring
from jixiao.web.year import services as year
from jixiao.web.year.models import TARGET_EDITABLE, MonitorForm, RoundKind, TargetDecl
from jixiao.year_services import KIND_NAMES, read_year

User = access.User
EXPORT_FORMATS = ("xlsx", "docx", "pdf", "html")


@dataclass(frozen=True)
class Entry:
    """One form found in the file: its kind ("target" or "monitor") and its record."""

    kind: str
    record: dict[str, Any]

    @property
    def project(self) -> str:
        return str(self.record.get("project", ""))

    @property
    def year(self) -> int | None:
        value = self.record.get("year")
        return value if isinstance(value, int) else None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "record": self.record}


@dataclass
class Outcome:
    """What the import does (or would do) with one entry."""

    index: int
    kind: str
    project: str
    year: int | None
    unit: str = ""
    action: str = ""  # in Chinese: 新建申报表草稿, 替换草稿（第 2 版）, 填入运行监控表（1-7月）
    error: str = ""  # why it is not imported
    errors: int = 0  # error findings of the stored form
    warnings: int = 0
    link: tuple[str, int] | None = None  # (url name, pk) of the stored form after a real import

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


@dataclass
class Reading:
    name: str
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read(name: str, data: bytes) -> Reading:
    """Every declaration and monitoring form in one file, as records; a file with neither is a problem."""
    batch = read_year([(name, data)])
    reading = Reading(name, problems=[message for _, message in batch.problems])
    reading.entries += [Entry("target", tgt.to_record(t)) for t in batch.targets]
    reading.entries += [Entry("monitor", mon.to_record(m)) for m in batch.monitors]
    return reading


class _DryRun(Exception):
    """Raised at the end of a preview so that its transaction is rolled back."""


def preview(user: User, entries: Sequence[Entry], default_unit: Org) -> list[Outcome]:
    """What `run` would do, with nothing stored."""
    outcomes: list[Outcome] = []
    try:
        with transaction.atomic():
            outcomes = _run(user, entries, default_unit, skip=frozenset(), dry=True)
            raise _DryRun
    except _DryRun:
        pass
    return outcomes


def run(user: User, entries: Sequence[Entry], default_unit: Org, skip: frozenset[int]) -> list[Outcome]:
    """Import every entry but those the preview refused (`skip`), all together: a refusal now — something
    changed since the preview — imports nothing and names the form."""
    if len(skip) >= len(entries):
        raise errors.ServiceError("没有可导入的表：预览中列出的表都不能导入。")
    with transaction.atomic():
        return _run(user, entries, default_unit, skip=skip, dry=False)


def _unit_of(entry: Entry, units: QuerySet[Org], default_unit: Org) -> Org:
    """The unit named in the form when the user may fill it, else the unit chosen on the import page."""
    named = str(entry.record.get("unit", "")).strip()
    return next((u for u in units if named and u.name == named), default_unit)


def _run(user: User, entries: Sequence[Entry], default_unit: Org, *, skip: frozenset[int],
         dry: bool) -> list[Outcome]:
    units = access.writable_units(user)
    outcomes = []
    for index, entry in enumerate(entries):
        unit = _unit_of(entry, units, default_unit)
        outcome = Outcome(index, entry.kind, entry.project, entry.year, unit=unit.name)
        outcomes.append(outcome)
        if index in skip:
            outcome.error = "预览中已列为不导入"
            continue
        try:
            with transaction.atomic():
                (_import_target if entry.kind == "target" else _import_monitor)(user, entry, unit, outcome)
        except errors.ServiceError as e:
            if not dry:
                raise errors.ServiceError(f"第 {index + 1} 张表（{outcome.kind_name}“{entry.project}”）不能导入："
                                          f"{e.message} 没有导入任何表，请重新预览。") from e
            outcome.error = e.message
    return outcomes


def _import_target(user: User, entry: Entry, unit: Org, outcome: Outcome) -> None:
    if entry.year is None:
        raise errors.ServiceError("表中没有年度。")
    latest = (TargetDecl.objects.filter(unit=unit, year=entry.year, project=entry.project)
              .order_by("-version", "-pk").first())
    if latest is None:
        decl = year.save_target(user, entry.record, unit=unit)
        outcome.action = "新建申报表草稿"
    elif latest.stage in TARGET_EDITABLE:
        decl = year.save_target(user, entry.record, decl=latest, edit=latest.edit)
        outcome.action = f"替换{latest.get_stage_display()}的内容（第 {latest.version} 版）"
    else:
        raise errors.ServiceError(f"本单位已有此项目的申报表（第 {latest.version} 版，{latest.get_stage_display()}），"
                                  "不能用文件覆盖；如需修改已批复的目标，请在申报表页面发起目标调整。")
    outcome.errors = decl.error_count
    outcome.warnings = len(decl.findings) - decl.error_count
    outcome.link = ("year-target", decl.pk)


def _import_monitor(user: User, entry: Entry, unit: Org, outcome: Outcome) -> None:
    if entry.year is None:
        raise errors.ServiceError("表中没有年度。")
    decl = year.approved_target(unit, entry.year, entry.project)
    if decl is None:
        raise errors.ServiceError(f"{unit.name} 没有 {entry.year} 年“{entry.project}”的已批复绩效目标（或有两个同名的）："
                                  "运行监控表只能按已批复的目标填报。")
    to_month = int((entry.record.get("period") or {}).get("to_month") or 0)
    round_ = next((r for r in monitoring.open_rounds(RoundKind.MONITOR, entry.year, unit) if r.to_month == to_month),
                  None)
    if round_ is None:
        raise errors.ServiceError(f"财政部门还没有建立 {entry.year} 年 1-{to_month}月 的运行监控任务，请先建立任务再导入。")
    form: MonitorForm = monitoring.open_monitor(user, decl, round_)
    if form.submitted:
        raise errors.ServiceError(f"“{round_.title}”中此项目的监控表已报送，不能再修改。")
    record, left_out = _in_target_order(entry.record, form.record)
    form = monitoring.save_monitor(user, form, record)
    outcome.action = f"填入运行监控表（{round_.title}，1-{to_month}月）"
    if left_out:
        outcome.action += f"；文件中 {len(left_out)} 个指标不在批复的目标中，未填入：{'、'.join(left_out)}"
    outcome.errors = sum(f.get("severity") == "error" for f in form.findings)
    outcome.warnings = len(form.findings) - outcome.errors
    outcome.link = ("year-monitor", form.pk)


def _in_target_order(record: dict[str, Any], stored: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The file's funds and indicators put in the order of the form opened from the target (matched by kind
    and by indicator name), so that each value lands on its row; names the file's indicators the target lacks."""
    by_name = {str(i.get("name", "")).strip(): i for i in record.get("indicators") or []}
    by_kind = {f.get("kind"): f for f in record.get("funds") or []}
    names = [str(i.get("name", "")).strip() for i in stored.get("indicators") or []]
    indicators = [by_name.get(name, {}) for name in names]
    funds = [by_kind.get(f.get("kind"), {}) for f in stored.get("funds") or []]
    return {**record, "indicators": indicators, "funds": funds}, [n for n in by_name if n and n not in names]


def export(kind: str, record: dict[str, Any], fmt: str) -> bytes:
    """One declaration or monitoring form written in the standard layout as .xlsx, .docx, .pdf or .html."""
    from jixiao.reports.year import write_monitors, write_targets

    if fmt not in EXPORT_FORMATS:
        raise errors.ServiceError(f"不支持的导出格式「{fmt}」，可选 {'、'.join(EXPORT_FORMATS)}。", status=404)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"form.{fmt}"
        if kind == "target":
            write_targets([year.parse_target(record)], path)
        else:
            write_monitors([mon.from_record(record)], path)
        return path.read_bytes()
