from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """0.756 → "75.60%"; blank for None or text that isn't a number."""
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(str(value)) * 100:.2f}%"
    except InvalidOperation:
        return ""


@register.filter
def number(value: Any) -> str:
    """A Decimal without trailing zeros: 24.00 → "24", 22.50 → "22.5"."""
    if value in (None, ""):
        return ""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
