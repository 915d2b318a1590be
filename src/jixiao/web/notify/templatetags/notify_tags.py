"""The header's link to the messages, with the number unread (one indexed count per page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def notice_link(user: Any) -> str:
    if not user.is_authenticated:
        return ""
    from jixiao.web.notify.services import unread_count

    count = unread_count(user)
    badge = format_html(' <span class="notice-count" aria-label="{} 条未读">{}</span>', count, count) if count else ""
    return format_html('<a href="{}" class="notice-link">消息{}</a>', reverse("notify-list"), badge)
