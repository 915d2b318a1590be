"""`django-admin remind`: today's reminders (deadlines near, forms waiting); run daily, safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "生成今天的提醒消息（填报和整改即将截止、待审核的表）；重复运行不会重复提醒"

    def handle(self, *args: Any, **options: Any) -> None:
        from jixiao.web.notify.services import remind

        self.stdout.write(f"已生成 {remind()} 条提醒消息。")
