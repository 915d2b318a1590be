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

from jixiao import __version__, services, streaming
from jixiao.core.findings import Severity
from jixiao.core.profiles import ProfileError
from jixiao.stream_output import Printer, safe

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a program whose reader went away


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
        out.line(out.paint("无法读取", "error") + safe(f" {problem.file}：{problem.message}"))
    for skipped in batch.skipped:
        out.line(out.paint("跳过", "warning") + safe(f" {skipped.file}：{skipped.message}"))


def _batch_summary(batch: services.Batch) -> str:
    skipped = batch.skipped
    names = "、".join(p.file for p in skipped[:5]) + ("等" if len(skipped) > 5 else "")
    return (
        f"读取文件 {batch.files_read} 个，找到自评表 {len(batch.forms)} 张，无法读取 {len(batch.problems)} 个"
        + (f"，跳过 {len(skipped)} 个（{names}）" if skipped else "")
    )


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


def _num(value: Any) -> str:
    return "—" if value is None else str(value)


def cmd_check(args: argparse.Namespace) -> int:
    """Findings written form by form as the workers finish them (jixiao.streaming)."""
    try:
        return streaming.run_check(
            args.paths, sys.stdout, fmt=args.format, min_severity=args.min_severity, profile=args.profile,
            jobs=args.jobs, state_path=args.state, progress=sys.stderr,
        )
    except ProfileError as err:
        print(f"评分规则有误：{err}", file=sys.stderr)
        return EXIT_UNREADABLE


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
    """Forms converted one by one as the workers read them (jixiao.streaming); memory does not hold the batch."""
    from jixiao.reports import check_output

    target = Path(args.output)
    out = Printer(sys.stderr)
    try:
        if target.suffix.lower() not in (".json", ".jsonl"):
            check_output(target)  # a wrong type or a missing folder is said before any work
        streamed = streaming.run_convert(args.paths, target, sys.stderr, jobs=args.jobs, profile=args.profile,
                                         state_path=args.state, progress=sys.stderr, rescore=args.rescore)
    except ProfileError as err:
        print(f"评分规则有误：{err}", file=sys.stderr)
        return EXIT_UNREADABLE
    except (ValueError, OSError) as err:
        out.line(safe(f"无法写出 {target}：{err}"))
        return EXIT_UNREADABLE
    assert streamed is not None  # check_output knows the same types as run_convert
    code, tally = streamed
    if not tally.forms:
        out.line("没有可写出的自评表，未生成输出文件。")
        return EXIT_UNREADABLE
    out.line(safe(f"已写出 {target}：{tally.forms} 张自评表。{tally.reading_line()}"))
    return code


def _write_json(target: Path, data: Any) -> None:
    """Write atomically: a temporary file beside the target, then a rename."""
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)


SCHEMA_FILES = {"form": "jixiao.form-1.schema.json", "target": "jixiao.target-1.schema.json",
                "monitor": "jixiao.monitor-1.schema.json"}


def schema_text(kind: str = "form") -> str:
    """The JSON Schema of a kind of record: form (自评表), target (目标申报表), monitor (运行监控表)."""
    return resources.files("jixiao.schema").joinpath(SCHEMA_FILES[kind]).read_text(encoding="utf-8")


def cmd_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text(args.kind))
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
        p.add_argument("--jobs", type=int, default=streaming.default_jobs(), metavar="N",
                       help="并行处理的进程数（默认：CPU 核数）")
        p.add_argument("--profile", default="auto", help="评分规则：auto（自动识别）、内置名称或 TOML 文件路径")

    check = sub.add_parser("check", help="复核自评表，列出问题")
    reading(check)
    check.add_argument("--format", choices=("text", "json", "jsonl"), default="text",
                       help="text（逐张输出）、json（结束时输出整份报告）或 jsonl（每行一张表，边查边写）")
    check.add_argument("--state", metavar="状态文件",
                       help="记录已完成的文件：中断后再次运行从中断处继续，未改动的文件不再重查")
    check.add_argument("--min-severity", choices=("info", "warning", "error"), default="info")
    check.set_defaults(handler=cmd_check)

    score = sub.add_parser("score", help="按评分规则重新计分，列出每项公式")
    reading(score)
    score.set_defaults(handler=cmd_score)

    convert = sub.add_parser("convert", help="转换为 JSON、Excel、Word、PDF 或 HTML")
    reading(convert)
    convert.add_argument("-o", "--output", required=True, metavar="输出文件")
    convert.add_argument("--rescore", action="store_true", help="写出计算得分而非所印得分，并标出不同之处")
    convert.add_argument("--state", metavar="状态文件", help="记录已完成的文件，中断后从中断处继续（仅 .json/.jsonl 输出）")
    convert.set_defaults(handler=cmd_convert)

    schema = sub.add_parser("schema", help="输出交换格式的 JSON Schema（默认自评表 jixiao.form/1）")
    schema.add_argument("kind", nargs="?", choices=tuple(SCHEMA_FILES), default="form",
                        help="form：自评表；target：绩效目标申报表（jixiao.target/1）；monitor：运行监控表（jixiao.monitor/1）")
    schema.set_defaults(handler=cmd_schema)

    inspect = sub.add_parser("inspect", help="查看文件中每个单元格被识别成什么")
    inspect.add_argument("path", metavar="文件")
    inspect.add_argument("--html", metavar="输出.html", help="另存为 HTML 页面")
    inspect.set_defaults(handler=cmd_inspect)

    from jixiao.profile_cli import register as register_profile

    register_profile(sub)

    from jixiao.year_services import register as register_year

    register_year(sub)  # jixiao year check|convert: the declaration and monitoring forms

    from jixiao.dept_cli import register as register_dept  # department-wide forms and 自评报告 (issue 12)

    register_dept(sub)
    if importlib.util.find_spec("jixiao.web.commands") is not None:
        from jixiao.web.commands import register

        register(sub)
    if importlib.util.find_spec("jixiao.web.batch") is not None:
        from jixiao.web.batch.cli import register as register_batch

        register_batch(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`jixiao check … | head -1`): stop quietly, as cat and grep do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
