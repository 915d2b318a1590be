"""The web commands of the command line: `jixiao serve`, `jixiao worker`, `jixiao token create`.

jixiao.cli calls register(subparsers); each sub-command sets `handler` (and `func`), which takes the parsed
arguments and returns the exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from jixiao.web.setup import migrate, setup_django


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = subparsers.add_parser("serve", help="启动网页服务（数据在 JIXIAO_DATA_DIR 或 DATABASE_URL）")
    serve.add_argument("--demo", action="store_true", help="载入演示单位、账号和种子表单（密码启动时显示）")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    serve.add_argument("--threads", type=int, default=8, help="每个进程处理请求的线程数（默认 8）")
    serve.add_argument("--processes", type=int, default=1,
                       help="服务进程数（默认 1；多核服务器上可设为 CPU 核数，仅限 Linux/macOS）")
    serve.add_argument("--no-worker", action="store_true", help="不在本进程运行后台任务（另开 jixiao worker）")
    serve.set_defaults(handler=run_serve, func=run_serve)

    worker = subparsers.add_parser("worker", help="运行后台任务（大文件导入、批量导出）")
    worker.add_argument("--batch", action="store_true", help="处理完已排队的任务后退出")
    worker.set_defaults(handler=run_worker, func=run_worker)

    token = subparsers.add_parser("token", help="管理 API 令牌")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="为用户生成一个 API 令牌并显示（只显示这一次）")
    create.add_argument("username")
    create.add_argument("--name", default="", help="令牌用途说明")
    create.set_defaults(handler=run_token_create, func=run_token_create)

    from jixiao.web.ops.commands import register as register_ops

    register_ops(subparsers, token_sub)  # token list/revoke, backup, restore, cleanup (issue 16)


def run_serve(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    if settings.PRODUCTION:
        from jixiao.web.ops.checks import unsafe_settings

        if problems := unsafe_settings():
            print("生产模式（JIXIAO_PRODUCTION=1）下以下设置不安全，服务未启动：", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            return 2
    migrate()
    if args.demo:
        from jixiao.web.demo import load_demo

        passwords = load_demo(library_history=True)
        print("演示账号（仅本次启动有效的密码）：")
        for username, password in passwords.items():
            print(f"  {username:<10} {password}")
    in_process = not args.no_worker and settings.TASKS["default"]["BACKEND"].endswith("DatabaseBackend")
    from jixiao.web.wsgi import application

    host = "localhost" if args.host in ("127.0.0.1", "localhost") else args.host
    print(f"绩效自评：http://{host}:{args.port}/  （Ctrl+C 停止）", flush=True)
    serve_wsgi(application, args.host, args.port, args.threads, max(1, args.processes),
               on_start=start_worker_thread if in_process else None)
    return 0


def serve_wsgi(application: Any, host: str, port: int, threads: int, processes: int,
               on_start: Callable[[], object] | None = None) -> None:
    """waitress on host:port; with processes > 1 (POSIX), that many processes share one listening socket,
    so that Python code runs on several cores (one process runs on one core at a time).

    on_start runs in the first process only, once the others are forked (the in-process task worker).
    """
    from waitress import serve

    if processes == 1 or not hasattr(os, "fork"):
        if on_start:
            on_start()
        serve(application, host=host, port=port, threads=threads, ident="jixiao")
        return
    import socket

    from django.db import connections

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(1024)
    connections.close_all()  # each process opens its own database connections
    children = []
    for _ in range(processes - 1):
        pid = os.fork()
        if pid == 0:
            _exit_with_parent(os.getppid())
            serve(application, sockets=[listener], threads=threads, ident="jixiao")
            os._exit(0)
        children.append(pid)
    if on_start:
        on_start()
    try:
        serve(application, sockets=[listener], threads=threads, ident="jixiao")
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)


def _exit_with_parent(parent: int) -> None:
    """A child process ends when the process that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _worker(batch: bool) -> object:
    from django.utils.crypto import get_random_string
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["default"],
        interval=1.0,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(12),
        excluded_queue_names=[],
    )


def start_worker_thread() -> threading.Thread:
    """The embedded default: background tasks run in a thread of the server process."""
    worker = _worker(batch=False)
    thread = threading.Thread(target=worker.run, name="jixiao-worker", daemon=True)  # type: ignore[attr-defined]
    thread.start()
    from jixiao.web.ops.jobs import start_sweeper

    start_sweeper()  # lost imports marked, old uploads removed
    return thread


def run_worker(args: argparse.Namespace) -> int:
    setup_django()
    migrate()
    worker = _worker(batch=args.batch)
    worker.configure_signals()  # type: ignore[attr-defined]
    from jixiao.web.batch.cli import start_thread

    start_thread()  # batch files (jixiao batch submit) are claimed by the same process
    if not args.batch:
        from jixiao.web.ops.jobs import start_sweeper

        start_sweeper()  # lost imports marked, old uploads removed
    print("后台任务进程已启动（Ctrl+C 停止）", flush=True)
    worker.run()  # type: ignore[attr-defined]
    return 0


def run_token_create(args: argparse.Namespace) -> int:
    setup_django()
    migrate()
    from django.contrib.auth import get_user_model

    from jixiao.web.tokens import create_token

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"没有用户「{args.username}」。请先在管理页面创建该用户。", file=sys.stderr)
        return 1
    print(create_token(user, args.name))
    return 0
