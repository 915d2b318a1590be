from __future__ import annotations

import html
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.safestring import mark_safe

from jixiao.web.models import SEVERITY_LABELS

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


def _cell_html(c: Any, extra: str = "", span: int = 0) -> str:
    """A cell of the paper form as HTML: the printed value, the computed one beside it, badges of its findings."""
    severity = c.severity
    classes = " ".join(x for x in ("cell", f"mark-{severity}" if severity else "", extra) if x)
    parts = [f'<span class="printed">{_escape(c.text)}</span>']
    if c.computed not in (None, ""):
        parts.append(f'<span class="computed{" differs" if c.differs else ""}" title="{_escape(c.formula)}">'
                     f"计算 {_escape(number(c.computed))}</span>")
    parts += [f'<a class="badge sev-{_escape(f["severity"])}" href="#finding-{_escape(f["number"])}" '
              f'title="{_escape(f["message"])}">{_escape(f["code"])}</a>' for f in c.findings]
    described = " ".join(f"finding-{f['number']}" for f in c.findings)
    attributes = (f' rowspan="{int(span)}"' if span else "") + (f' aria-describedby="{_escape(described)}"' if described else "")
    return f'<td class="{_escape(classes)}"{attributes}>{"".join(parts)}</td>'


def _escape(value: Any) -> str:
    """Django's escape (the same five characters) without the SafeString round trip per value."""
    return html.escape(str(value))


@register.simple_tag
def cell(c: Any, extra: str = "", span: int = 0) -> str:
    """A cell of the paper form (see _cell_html). Built in Python rather than by an included template:
    a form has a hundred cells."""
    return mark_safe(_cell_html(c, extra, span))  # every part is escaped


@register.simple_tag
def fund_rows(funds: list[dict[str, Any]]) -> str:
    """The paper form's fund rows: one loop in Python instead of fifty template nodes per row."""
    return mark_safe("".join(
        f'<tr><th colspan="2" class="left">{_escape(row["label"])}</th>'
        + "".join(_cell_html(c, "num") for c in row["cells"]) + "</tr>"
        for row in funds
    ))


_INDICATOR_CELLS = (("name", ""), ("weight", "num"), ("target", ""), ("actual", ""), ("score", "num"), ("reason", ""))


@register.simple_tag
def indicator_rows(rows: list[dict[str, Any]]) -> str:
    """The paper form's indicator rows, the level-1 and level-2 cells spanning their groups."""
    out = []
    for r in rows:
        cells = []
        if r["span1"]:
            cells.append(_cell_html(r["level1"], "", r["span1"]))
        if r["span2"]:
            cells.append(_cell_html(r["level2"], "", r["span2"]))
        cells += [_cell_html(r[name], extra) for name, extra in _INDICATOR_CELLS]
        out.append("<tr>\n    " + "\n    ".join(cells) + "\n  </tr>")
    return mark_safe("".join(out))  # every cell is escaped




@register.simple_tag
def finding_rows(findings: list[dict[str, Any]]) -> str:
    """The rows of the findings table under the paper form."""
    out = []
    for f in findings:
        location = f["location"] or {}
        column = location.get("column")
        where = _escape(location.get("indicator") or "") + (f" · {_escape(column)}" if column else "")
        severity = _escape(f["severity"])
        out.append(
            f'\n      <tr id="finding-{_escape(f["number"])}" class="sev-row-{severity}"><td>{_escape(f["number"])}</td>'
            f'<td><strong>{_escape(f["code"])}</strong></td>\n'
            f'      <td><span class="sev sev-{severity}">{SEVERITY_LABELS.get(f["severity"], "")}</span></td>\n'
            f"      <td>{where}</td>\n"
            f'      <td>{_escape(f["message"])}</td><td>{_escape(f["found"])}</td><td>{_escape(f["expected"])}</td></tr>\n    '
        )
    return mark_safe("".join(out))  # every value is escaped
