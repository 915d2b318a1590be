"""`jixiao dept FILE` and `jixiao report FILE`: the department-wide form and the 自评报告 from the command line.

`jixiao dept FILE [--profile NAME|FILE] [-o OUT.{json,xlsx,docx,pdf}]` reads the department-wide forms of a
file (any format the readers know), scores and checks them (D01–D08; D07 needs the project forms and is left
out here) and optionally writes them. `jixiao report FILE -o OUT.{docx,pdf}` generates the 自评报告 skeleton
of every project form of a file (report-10 outline) and lists its N-findings.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


def cmd_dept(args: argparse.Namespace) -> int:
    from jixiao.core.dept import to_record
    from jixiao.core.dept_checks import check_dept
    from jixiao.core.dept_rules import fmt, score_dept
    from jixiao.core.profiles import ProfileError
    from jixiao.dept_files import builtin_dept_profiles, load_dept_profile
    from jixiao.formats import ReadError
    from jixiao.formats.dept import read_dept

    try:
        data = Path(args.path).read_bytes()
        found = read_dept(data, Path(args.path).name, builtin_dept_profiles())
        forced = load_dept_profile(args.profile) if args.profile else None
    except (OSError, ReadError, ProfileError) as error:
        print(f"{args.path}：{getattr(error, 'message', error)}", file=sys.stderr)
        return EXIT_UNREADABLE
    worst = EXIT_OK
    for n, item in enumerate(found, 1):
        profile = forced or load_dept_profile(item.profile_name or "dept-53")  # as printed, else by its layout
        card = score_dept(item.form, profile)
        findings = check_dept(item.form, profile, card)
        total = fmt(card.total) if card.total is not None else "—"
        print(f"[{n}] {item.form.department}（{item.form.year}年度）评分规则 {profile.name}")
        print(f"    总分 印制 {item.form.total or '—'}  计算 {total}  等级 {card.grade or '—'}    {card.execution_formula}")
        for f in findings:
            print(f"    {f.severity.label} {f.code} {f.message}")
        worst = max(worst, EXIT_FINDINGS if any(f.severity == "error" for f in findings) else EXIT_OK)
        if args.output and n == 1:
            _write_dept(item.form, profile, Path(args.output), to_record)
    return worst


def _write_dept(form: Any, profile: Any, out: Path, to_record: Any) -> None:
    if out.suffix.lower() == ".json":
        out.write_text(json.dumps([to_record(form)], ensure_ascii=False, indent=1), encoding="utf-8")
        return
    from jixiao.reports.dept import write_dept

    write_dept(form, profile, out)


def cmd_report(args: argparse.Namespace) -> int:
    from jixiao import services
    from jixiao.core.selfreport import check_report, facts_from_form, generate
    from jixiao.dept_files import builtin_outlines
    from jixiao.reports.selfreport import write_report

    outline = builtin_outlines()["report-10"]
    batch = services.read_paths([Path(args.path)])
    if not batch.forms:
        for problem in batch.problems:
            print(f"{problem.file}：{problem.message}", file=sys.stderr)
        return EXIT_UNREADABLE
    out = Path(args.output)
    for n, e in enumerate(services.evaluate_batch(batch.forms), 1):
        facts = facts_from_form(e.form, e.profile, e.scorecard)
        report = generate(facts, outline)
        target = out if len(batch.forms) == 1 else out.with_name(f"{out.stem}-{n}{out.suffix}")
        write_report(report, outline, target)
        print(f"[{n}] {e.form.project} → {target}")
        for f in check_report(report, outline, facts):
            print(f"    {f.severity.label} {f.code} {f.message}")
    return EXIT_OK


def register(sub: Any) -> None:
    dept = sub.add_parser("dept", help="部门整体支出绩效自评表：读取、计分、复核（D01–D08），可转换")
    dept.add_argument("path", metavar="文件")
    dept.add_argument("--profile", help="部门整体评分规则：dept-53、dept-10style 或 TOML 文件（缺省按表中所印）")
    dept.add_argument("-o", "--output", metavar="输出文件", help=".json、.xlsx、.docx 或 .pdf")
    dept.set_defaults(handler=cmd_dept)
    report = sub.add_parser("report", help="为文件中每张项目自评表生成自评报告（.docx 或 .pdf）并检查（N01–N05）")
    report.add_argument("path", metavar="文件")
    report.add_argument("-o", "--output", required=True, metavar="输出文件", help=".docx 或 .pdf")
    report.set_defaults(handler=cmd_report)
