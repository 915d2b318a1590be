"""The command line: parses arguments, calls the same service functions as the web app, prints."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from jixiao import __version__, services
from jixiao.core.findings import Finding, Severity
from jixiao.core.model import to_record
from jixiao.core.profiles import ProfileError

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2
COLOURS = {"error": "31", "warning": "33", "info": "36", "bold": "1", "dim": "2", "ok": "32"}


class Printer:
    """Text output with colour on a terminal (none when NO_COLOR is set or output is redirected)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.colour = stream.isatty() and not os.environ.get("NO_COLOR")

    def paint(self, text: str, style: str) -> str:
        return f"\033[{COLOURS[style]}m{text}\033[0m" if self.colour else text

    def line(self, text: str = "") -> None:
        print(text, file=self.stream)


def _progress(stream: TextIO) -> Any:
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done == total else ""
        print(f"\r读取文件 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, file=stream)

    return show


def _read(args: argparse.Namespace) -> services.Batch:
    return services.read_paths(args.paths, jobs=args.jobs, progress=_progress(sys.stderr))


def _report_problems(batch: services.Batch, out: Printer) -> None:
    for problem in batch.problems:
        out.line(out.paint("无法读取", "error") + f" {problem.file}：{problem.message}")


def _batch_summary(batch: services.Batch) -> str:
    return f"读取文件 {batch.files_read} 个，找到自评表 {len(batch.forms)} 张，无法读取 {len(batch.problems)} 个"


def _exit_code(evaluations: Sequence[services.Evaluation], batch: services.Batch) -> int:
    if batch.problems:
        return EXIT_UNREADABLE
    if any(f.severity is Severity.ERROR for e in evaluations for f in e.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def _evaluate(batch: services.Batch, profile: str) -> list[services.Evaluation] | None:
    try:
        return services.evaluate_batch(batch.forms, profile)
    except ProfileError as err:
        print(f"评分规则有误：{err}", file=sys.stderr)
        return None


def _where(finding: Finding) -> str:
    loc = finding.location
    parts = [p for p in (loc.indicator, loc.column) if p]
    if loc.row:
        parts.insert(0, f"第{loc.row}行")
    return " ".join(parts)


def _print_evaluation(e: services.Evaluation, out: Printer, min_rank: int) -> None:
    form, card = e.form, e.scorecard
    place = f"{form.source.file}" + (f"，{form.source.sheet}" if form.source.sheet else "")
    out.line(out.paint(f"[{e.index}] {form.project or '（无项目名称）'}", "bold") + out.paint(f"  {place}", "dim"))
    out.line(f"    评分规则 {e.profile.name}（{e.profile.title}）")
    total_fund = form.fund("total")
    printed_fund = total_fund.score if total_fund else ""
    out.line(f"    资金得分  印制 {printed_fund or '—'}  计算 {_num(card.fund_score)}    {card.fund_formula}")
    out.line(f"    总分      印制 {form.total.score or '—'}  计算 {_num(card.total)}  等级 {card.grade or '—'}")
    shown = [f for f in e.findings if f.severity.rank >= min_rank]
    for f in shown:
        label = out.paint(f"{f.severity.label} {f.code}", f.severity.value)
        shown_values = f.found in f.message and f.expected in f.message
        detail = f"（印为 {f.found}，应为 {f.expected}）" if f.found and f.expected and not shown_values else ""
        where = _where(f)
        out.line(f"    {label} {where + '：' if where else ''}{f.message}{detail}")
    if not shown:
        out.line("    " + out.paint("未发现问题", "ok"))


def _num(value: Any) -> str:
    return "—" if value is None else str(value)


def cmd_check(args: argparse.Namespace) -> int:
    batch = _read(args)
    evaluations = _evaluate(batch, args.profile)
    if evaluations is None:
        return EXIT_UNREADABLE
    if args.format == "json":
        report = services.check_report(evaluations, batch.problems, args.min_severity)
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return _exit_code(evaluations, batch)
    out = Printer(sys.stdout)
    min_rank = Severity(args.min_severity).rank
    for e in evaluations:
        _print_evaluation(e, out, min_rank)
        out.line()
    _report_problems(batch, out)
    counts = services.severity_counts(evaluations)
    out.line(
        out.paint("合计", "bold")
        + f"：{_batch_summary(batch)}；错误 {counts[Severity.ERROR]} 条，警告 {counts[Severity.WARNING]} 条，"
        f"提示 {counts[Severity.INFO]} 条"
    )
    return _exit_code(evaluations, batch)


def cmd_score(args: argparse.Namespace) -> int:
    batch = _read(args)
    evaluations = _evaluate(batch, args.profile)
    if evaluations is None:
        return EXIT_UNREADABLE
    out = Printer(sys.stdout)
    for e in evaluations:
        card, form = e.scorecard, e.form
        out.line(out.paint(f"[{e.index}] {form.project}", "bold") + f"  评分规则 {e.profile.name}")
        out.line(f"    执行率    {card.execution_formula}")
        out.line(f"    资金得分  {card.fund_formula}")
        for item in card.indicators:
            ind = form.indicators[item.index]
            name = ind.name or ind.level2
            out.line(f"    {ind.level1}/{ind.level2}/{name}  {item.formula}")
        out.line(f"    总分      {card.total_formula}")
        out.line(f"    等级      {card.grade or '—'}")
        out.line()
    _report_problems(batch, out)
    return EXIT_UNREADABLE if batch.problems else EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    batch = _read(args)
    out = Printer(sys.stderr)
    _report_problems(batch, out)
    target = Path(args.output)
    if not batch.forms:
        out.line("没有可写出的自评表，未生成输出文件。")
        return EXIT_UNREADABLE
    try:
        if target.suffix.lower() == ".json":
            _write_json(target, [to_record(f) for f in batch.forms])
        else:
            from jixiao.reports import write_forms

            evaluations = _evaluate(batch, args.profile) if args.rescore or target.suffix == ".xlsx" else None
            write_forms(batch.forms, target, evaluations=evaluations, rescore=args.rescore)
    except (ValueError, OSError) as err:
        out.line(f"无法写出 {target}：{err}")
        return EXIT_UNREADABLE
    out.line(f"已写出 {target}：{len(batch.forms)} 张自评表。{_batch_summary(batch)}")
    return EXIT_UNREADABLE if batch.problems else EXIT_OK


def _write_json(target: Path, data: Any) -> None:
    """Write atomically: a temporary file beside the target, then a rename."""
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)


def schema_text() -> str:
    return resources.files("jixiao.schema").joinpath("jixiao.form-1.schema.json").read_text(encoding="utf-8")


def cmd_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text())
    return EXIT_OK


def cmd_inspect(args: argparse.Namespace) -> int:
    from jixiao.formats.inspect import inspect_path

    return inspect_path(args.path, html=args.html, out=sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jixiao", description="预算绩效自评表：读取、计分、复核、转换。")
    parser.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    def reading(p: argparse.ArgumentParser) -> None:
        p.add_argument("paths", nargs="+", metavar="路径", help="文件、文件夹或 .zip 压缩包")
        p.add_argument("--jobs", type=int, default=1, metavar="N", help="并行读取的进程数")
        p.add_argument("--profile", default="auto", help="评分规则：auto（自动识别）、内置名称或 TOML 文件路径")

    check = sub.add_parser("check", help="复核自评表，列出问题")
    reading(check)
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--min-severity", choices=("info", "warning", "error"), default="info")
    check.set_defaults(handler=cmd_check)

    score = sub.add_parser("score", help="按评分规则重新计分，列出每项公式")
    reading(score)
    score.set_defaults(handler=cmd_score)

    convert = sub.add_parser("convert", help="转换为 JSON、Excel、Word、PDF 或 HTML")
    reading(convert)
    convert.add_argument("-o", "--output", required=True, metavar="输出文件")
    convert.add_argument("--rescore", action="store_true", help="写出计算得分而非所印得分，并标出不同之处")
    convert.set_defaults(handler=cmd_convert)

    schema = sub.add_parser("schema", help="输出交换格式 jixiao.form/1 的 JSON Schema")
    schema.set_defaults(handler=cmd_schema)

    inspect = sub.add_parser("inspect", help="查看文件中每个单元格被识别成什么")
    inspect.add_argument("path", metavar="文件")
    inspect.add_argument("--html", metavar="输出.html", help="另存为 HTML 页面")
    inspect.set_defaults(handler=cmd_inspect)

    from jixiao.dept_cli import register as register_dept  # department-wide forms and 自评报告 (issue 12)

    register_dept(sub)
    if importlib.util.find_spec("jixiao.web.commands") is not None:
        from jixiao.web.commands import register

        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
