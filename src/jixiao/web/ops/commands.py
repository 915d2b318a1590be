"""Operations commands: `jixiao token list USER`, `jixiao token revoke ID`, `jixiao cleanup`,
`jixiao backup FILE` and `jixiao restore FILE` (hooked into jixiao.web.commands.register)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any, token_sub: Any) -> None:
    listing = token_sub.add_parser("list", help="列出用户的 API 令牌（编号、用途、到期、最近使用）")
    listing.add_argument("username")
    listing.set_defaults(handler=run_token_list, func=run_token_list)
    revoke = token_sub.add_parser("revoke", help="吊销一个 API 令牌（编号见 token list）")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=run_token_revoke, func=run_token_revoke)

    cleanup = subparsers.add_parser("cleanup", help="清理过期的上传文件，把中断的导入标为中断")
    cleanup.set_defaults(handler=run_cleanup, func=run_cleanup)

    backup = subparsers.add_parser("backup", help="把数据库和上传文件备份到一个文件（SQLite 或 PostgreSQL）")
    backup.add_argument("file", help="备份文件（.tar.gz）")
    backup.set_defaults(handler=run_backup, func=run_backup)
    restore = subparsers.add_parser("restore", help="从备份文件恢复数据库和上传文件（覆盖现有数据）")
    restore.add_argument("file", help="jixiao backup 写出的文件")
    restore.add_argument("--yes", action="store_true", help="不再询问，直接覆盖现有数据")
    restore.set_defaults(handler=run_restore, func=run_restore)


def _django() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.web.settings")
    django.setup()


def _setup() -> None:
    from django.core.management import call_command

    _django()
    call_command("migrate", interactive=False, verbosity=0)


def run_token_list(args: argparse.Namespace) -> int:
    _setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from jixiao.web.models import ApiToken

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"没有用户「{args.username}」。", file=sys.stderr)
        return 1
    tokens = ApiToken.objects.filter(user=user).order_by("pk")
    if not tokens:
        print(f"用户「{args.username}」没有 API 令牌。")
        return 0
    now = timezone.now()

    def when(value: Any) -> str:
        return "—" if value is None else f"{timezone.localtime(value):%Y-%m-%d %H:%M}"

    print(f"{'编号':<6}{'前缀':<10}{'到期':<18}{'最近使用':<18}用途")
    for t in tokens:
        expired = "（已过期）" if t.expires is not None and t.expires <= now else ""
        print(f"{t.pk:<8}{t.prefix:<12}{when(t.expires) + expired:<20}{when(t.last_used):<20}{t.name}")
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    _setup()
    from jixiao.web.models import ApiToken

    token = ApiToken.objects.select_related("user").filter(pk=args.id).first()
    if token is None:
        print(f"没有编号为 {args.id} 的令牌（用 jixiao token list 用户名 查看）。", file=sys.stderr)
        return 1
    token.delete()
    print(f"已吊销用户「{token.user}」的令牌 {token.prefix}…（编号 {args.id}）。")
    return 0


def run_cleanup(args: argparse.Namespace) -> int:
    _setup()
    from jixiao.web.ops.jobs import sweep

    removed, interrupted = sweep()
    print(f"已删除过期上传 {removed} 个，标记中断的导入 {interrupted} 个。")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    _setup()
    from jixiao.web.ops.backup import BackupError, backup

    try:
        summary = backup(args.file)
    except BackupError as e:
        print(e, file=sys.stderr)
        return 1
    print(summary)
    return 0


def run_restore(args: argparse.Namespace) -> int:
    if not args.yes and sys.stdin.isatty():
        answer = input("恢复会覆盖当前的全部数据和上传文件。继续吗？(yes/no) ")
        if answer.strip().lower() not in ("y", "yes", "是"):
            print("已取消。")
            return 1
    _django()
    from jixiao.web.ops.backup import BackupError, restore

    try:
        summary = restore(args.file)
    except BackupError as e:
        print(e, file=sys.stderr)
        return 1
    print(summary)
    return 0
