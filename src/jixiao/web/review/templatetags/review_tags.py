"""Template filters of the review pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from jixiao.reports.layout import format_rate

register = template.Library()


@register.filter
def when(iso: str | None) -> str:
    """"2020-03-31T14:05:09+08:00" → "2020-03-31 14:05" (the moments the services give are local already)."""
    return "" if not iso else iso[:16].replace("T", " ")


@register.filter
def shown(value: str | None) -> str:
    """A field's value in a history: "（无）" when the field did not exist, "（空）" when it was blank."""
    if value is None:
        return "（无）"
    return value if value != "" else "（空）"


@register.filter
def percent_label(share: Decimal | None) -> str:
    """A share drawn, as people say it: 0.5000 → "50%"."""
    return "" if share is None else format_rate(share)
