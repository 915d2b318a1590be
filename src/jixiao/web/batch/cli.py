"""`jixiao batch submit|status|work|report`: a batch queued in the database and run by many workers."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from jixiao.web.batch import CLAIM_TIMEOUT


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    batch = subparsers.add_parser("batch", help="批量复核：提交到数据库，由多台机器上的进程共同处理")
    sub = batch.add_subparsers(dest="batch_command", required=True, metavar="操作")
    submit = sub.add_parser("submit", help="提交文件、文件夹或 .zip，显示批次编号")
    submit.add_argument("paths", nargs="+", metavar="路径")
    submit.add_argument("--profile", default="auto", help="评分规则：auto、内置名称或 TOML 文件路径")
    submit.add_argument("--report-dir", default="", metavar="目录",
                        help="完成后把报告（JSON、Excel、HTML）写到这个目录（处理最后一个文件的机器上）")
    submit.set_defaults(handler=run_submit)
    show = sub.add_parser("status", help="显示批次进度")
    show.add_argument("id", type=int, metavar="批次编号")
    show.add_argument("--json", action="store_true", help="以 JSON 输出")
    show.set_defaults(handler=run_status)
    work = sub.add_parser("work", help="领取并处理排队的文件（可在多台机器上同时运行）")
    work.add_argument("--timeout", type=float, default=CLAIM_TIMEOUT, metavar="秒",
                      help="领取后超过这么久未完成，视为进程已停止，由其他进程接手（默认 300）")
    work.add_argument("--until-done", action="store_true", help="没有待处理的文件后退出")
    work.add_argument("--batch", type=int, metavar="批次编号", help="只处理这个批次")
    work.set_defaults(handler=run_work)
    report = sub.add_parser("report", help="把已完成批次的报告写到目录（任何机器上都可以）")
    report.add_argument("id", type=int, metavar="批次编号")
    report.add_argument("directory", metavar="目录")
    report.set_defaults(handler=run_report)
    for parser in (submit, show, work, report):
        parser.set_defaults(handler=_reporting_database_errors(parser.get_default("handler")))


def _reporting_database_errors(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        from django.db import DatabaseError

        try:
            return int(handler(args))
        except DatabaseError as exc:
            print(f"无法访问数据库（{exc}）。请检查 DATABASE_URL，并先运行 jixiao batch submit 建好数据表。",
                  file=sys.stderr)
            return 2

    return run


def _setup(migrate: bool = False) -> None:
    from jixiao.web.setup import migrate as run_migrations
    from jixiao.web.setup import setup_django

    setup_django()
    if migrate:
        run_migrations()


def run_submit(args: argparse.Namespace) -> int:
    _setup(migrate=True)
    from jixiao.web.batch import queue

    run = queue.submit(args.paths, args.profile, str(Path(args.report_dir).resolve()) if args.report_dir else "")
    print(run.pk)
    print(f"已提交批次 {run.pk}：{run.files_total} 个文件。用 jixiao batch work 或 jixiao worker 处理，"
          f"jixiao batch status {run.pk} 查看进度。", file=sys.stderr)
    return 0


def _run(batch_id: int) -> object | None:
    from jixiao.web.batch.models import BatchRun

    run = BatchRun.objects.filter(id=batch_id).first()
    if run is None:
        print(f"没有编号为 {batch_id} 的批次。", file=sys.stderr)
    return run


def run_status(args: argparse.Namespace) -> int:
    _setup()
    from jixiao.web.batch import queue

    run = _run(args.id)
    if run is None:
        return 2
    info = queue.status(run)  # type: ignore[arg-type]
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
        return 0
    states = {"open": "进行中", "finishing": "汇总中", "done": "已完成"}
    print(f"批次 {info['id']}（{states.get(info['status'], info['status'])}）：文件 {info['done']}/{info['files']} 个已完成，"
          f"{info['claimed']} 个处理中，{info['pending']} 个待处理；已复核自评表 {info['forms']} 张")
    if info["workers"]:
        print("处理中的进程：" + "、".join(info["workers"]))
    if info["summary"]:
        s = info["summary"]
        print(f"合计：自评表 {s['forms']} 张，错误 {s['error']} 条，警告 {s['warning']} 条，提示 {s['info']} 条，"
              f"无法读取 {s['problems']} 个文件")
    if info["report_dir"] and info["status"] == "done":
        print(f"报告：{info['report_dir']}")
    return 0


def run_work(args: argparse.Namespace) -> int:
    _setup()
    from jixiao.web.batch import queue

    print(f"批量复核进程 {queue.worker_name()} 已启动（Ctrl+C 停止）", file=sys.stderr, flush=True)
    done = queue.work(timeout=args.timeout, until_done=args.until_done, batch=args.batch)
    print(f"已处理 {done} 个文件。", file=sys.stderr)
    return 0


def run_report(args: argparse.Namespace) -> int:
    _setup()
    from jixiao.web.batch import queue

    run = _run(args.id)
    if run is None:
        return 2
    if run.status != "done":  # type: ignore[attr-defined]
        print(f"批次 {args.id} 尚未完成，请稍后再试（jixiao batch status {args.id}）。", file=sys.stderr)
        return 1
    for path in queue.write_reports(run, Path(args.directory)):  # type: ignore[arg-type]
        print(path)
    return 0


def start_thread() -> threading.Thread:
    """`jixiao worker` claims batch files too, in a thread beside the background tasks."""
    from jixiao.web.batch import queue

    thread = threading.Thread(target=queue.work, kwargs={"own_gc": False}, name="jixiao-batch", daemon=True)
    thread.start()
    return thread
