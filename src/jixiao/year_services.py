"""The functions the command line, the web app and the tests call for the year's other forms.

file → grids (formats.registry) → 申报表 / 监控表 (formats.year) → T/M findings (core.target, core.monitor)
→ JSON, files (reports.year). `jixiao year check|convert` and the web app's year app use these.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jixiao.core import monitor as mon
from jixiao.core import monitor_checks, target_checks
from jixiao.core import target as tgt
from jixiao.core.findings import Finding, Severity
from jixiao.formats import ReadError
from jixiao.formats.grid import Grid
from jixiao.profile_files import profile_for_year
from jixiao.year_files import monitor_rules_for, target_rules

KIND_NAMES = {"target": "绩效目标申报表", "monitor": "运行监控表"}


@dataclass(frozen=True)
class YearBatch:
    targets: tuple[tgt.Target, ...]
    monitors: tuple[mon.Monitor, ...]
    problems: tuple[tuple[str, str], ...]  # (file, Chinese message)


# ---------------------------------------------------------------------------------------------
# Routing: what `jixiao check` (services._forms_of) says of a form that is not a 项目支出绩效自评表. Kept in these
# two functions so that the batch machinery (services, streaming) calls one place and knows no kind.


def year_kind(grids: Sequence[Grid]) -> str | None:
    """"target", "monitor" or "dept" when the grids are a 申报表, a 监控表 or a 部门整体支出绩效自评表 (by the title
    among their first rows): forms `jixiao check` does not read as project self-evaluations. None otherwise."""
    from jixiao.formats.dept import is_dept_document
    from jixiao.formats.year import kind_of

    return kind_of(grids) or ("dept" if is_dept_document(grids) else None)


def not_a_self_evaluation(kind: str) -> str:
    """What `jixiao check` says of a declaration, monitoring or department-wide form given to it: its kind and the
    command that checks it."""
    if kind == "dept":
        return "这是部门整体支出绩效自评表，不是项目支出绩效自评表：请用“jixiao dept 文件”计分并检查（D01–D08）。"
    return (f"这是{KIND_NAMES[kind]}，不是自评表：请用“jixiao year check”检查，"
            "或在网页“目标与监控 → 导入申报表或监控表”中导入。")


def read_year(items: Iterable[tuple[str, bytes] | ReadError]) -> YearBatch:
    """Every 申报表 and 监控表 in files; files that hold neither, or can't be read, become problems."""
    from jixiao.formats.registry import read_grids
    from jixiao.formats.year import recognise_both

    targets: list[tgt.Target] = []
    monitors: list[mon.Monitor] = []
    problems: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, ReadError):
            problems.append((item.file, item.message))
            continue
        name, data = item
        try:
            grids = read_grids(data, name)
            result = recognise_both(grids)
        except ReadError as error:
            problems.append((name, error.message))
            continue
        if result is None or not (result[0] or result[1]):
            problems.append((name, _neither(grids)))
        else:
            targets.extend(result[0])
            monitors.extend(result[1])
    return YearBatch(tuple(targets), tuple(monitors), tuple(problems))


def _neither(grids: Sequence[Grid]) -> str:
    """What is said of a file with no declaration or monitoring form: a self-evaluation is sent to its import."""
    from jixiao.formats.layout import recognise

    if recognise(list(grids)):
        return "这是项目支出绩效自评表，不是申报表或监控表：请在网页“导入”中导入自评表，或用“jixiao check”检查。"
    return "文件中没有找到绩效目标申报表或运行监控表（标题应含“绩效目标申报表”或“运行监控表”）。"


def check_target(target: tgt.Target, region: str = "") -> list[Finding]:
    """T01–T15 under the settings in force and the year's scoring profile (for T03 and T15)."""
    return target_checks.check_target(target, target_rules(), profile_for_year(target.year, region))


def check_monitor(monitor: mon.Monitor, target: tgt.Target | None = None, region: str = "") -> list[Finding]:
    """M01–M12 under the region's settings (Sichuan's checkpoints for 四川省), M06 against the target."""
    return monitor_checks.check_monitor(monitor, monitor_rules_for(region), target)


# ---------------------------------------------------------------------------------------------
# The command line: jixiao year check|convert


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    year = subparsers.add_parser("year", help="绩效目标申报表与运行监控表：检查、转换")
    sub = year.add_subparsers(dest="year_command", required=True, metavar="命令")
    check = sub.add_parser("check", help="检查申报表（T01–T15）和监控表（M01–M12）")
    check.add_argument("paths", nargs="+", metavar="路径")
    check.add_argument("--region", default="", help="地区（如“四川省”，决定监控预警节点）")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(handler=cmd_check)
    convert = sub.add_parser("convert", help="转换为 JSON、Excel、Word、PDF 或 HTML")
    convert.add_argument("paths", nargs="+", metavar="路径")
    convert.add_argument("-o", "--output", required=True, metavar="输出文件")
    convert.set_defaults(handler=cmd_convert)


def _batch(paths: Sequence[str]) -> YearBatch:
    from jixiao.formats.registry import iter_inputs

    return read_year(iter_inputs(paths))


def cmd_check(args: argparse.Namespace) -> int:
    batch = _batch(args.paths)
    forms: list[tuple[str, Any, list[Finding]]] = [("target", t, check_target(t, args.region)) for t in batch.targets]
    forms += [("monitor", m, check_monitor(m, None, args.region)) for m in batch.monitors]
    if args.format == "json":
        json.dump({"forms": [{"kind": kind, "project": f.project, "findings": [x.as_dict() for x in found]}
                             for kind, f, found in forms],
                   "problems": [{"file": f, "message": m} for f, m in batch.problems]},
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for n, (kind, form, found) in enumerate(forms, 1):
            print(f"[{n}] {KIND_NAMES[kind]} {form.project}")
            for x in found:
                where = x.location.indicator or x.location.column
                print(f"    {x.severity.label} {x.code} {where}：{x.message}")
            if not found:
                print("    未发现问题")
        for file, message in batch.problems:
            print(f"无法读取 {file}：{message}")
    if batch.problems and not forms:
        return 2
    return 1 if any(x.severity is Severity.ERROR for _, _, found in forms for x in found) else 0


def cmd_convert(args: argparse.Namespace) -> int:
    from jixiao.reports.year import write_monitors, write_targets

    batch = _batch(args.paths)
    for file, message in batch.problems:
        print(f"无法读取 {file}：{message}", file=sys.stderr)
    out = Path(args.output)
    if not batch.targets and not batch.monitors:
        print("没有可写出的申报表或监控表。", file=sys.stderr)
        return 2
    try:
        if out.suffix.lower() == ".json":
            records = [tgt.to_record(t) for t in batch.targets] + [mon.to_record(m) for m in batch.monitors]
            from jixiao.reports._atomic import atomic_path

            with atomic_path(out) as tmp:
                tmp.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        elif batch.targets and batch.monitors:
            print("同一输出文件不能混合申报表和监控表：请分别转换。", file=sys.stderr)
            return 2
        elif batch.targets:
            write_targets(batch.targets, out)
        else:
            write_monitors(batch.monitors, out)
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    return 0 if not batch.problems else 2
