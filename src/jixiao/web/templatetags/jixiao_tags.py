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


@register.simple_tag
def cell(c: Any, extra: str = "", span: int = 0) -> str:
    """A cell of the paper form: the printed value, the computed one beside it, badges of its findings.

    Built in Python rather than by an included template: a form has a hundred cells.
    """
    from django.utils.html import escape, format_html
    from django.utils.safestring import mark_safe

    classes = " ".join(x for x in ("cell", f"mark-{c.severity}" if c.severity else "", extra) if x)
    described = " ".join(f"finding-{f['number']}" for f in c.findings)
    parts = [format_html('<span class="printed">{}</span>', c.text)]
    if c.computed not in (None, ""):
        parts.append(format_html('<span class="computed{}" title="{}">计算 {}</span>',
                                 " differs" if c.differs else "", c.formula, number(c.computed)))
    parts += [format_html('<a class="badge sev-{}" href="#finding-{}" title="{}">{}</a>',
                          f["severity"], f["number"], f["message"], f["code"]) for f in c.findings]
    attributes = (f' rowspan="{int(span)}"' if span else "") + (f' aria-describedby="{escape(described)}"' if described else "")
    return mark_safe(f'<td class="{escape(classes)}"{attributes}>{"".join(parts)}</td>')  # parts are escaped
