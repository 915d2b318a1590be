from __future__ import annotations

import functools
import html
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
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


@register.filter
def profile_title(name: str) -> str:
    """A profile's title as users read it (财政部项目支出绩效自评表（2020年起）) for its name (mof-2020), which is
    the program's handle on it; the name itself only when the profile is gone."""
    from jixiao.web.ops.profiles import profile_named

    found = profile_named(str(name or ""))
    return found.title if found is not None and found.title else str(name or "")


FORMAT_NAMES = {"xlsx": "Excel", "docx": "Word", "pdf": "PDF", "html": "网页", "json": "JSON", "csv": "CSV"}


@register.filter
def format_name(fmt: str) -> str:
    """A download's format as users know it (Excel, Word, PDF, 网页), not its file extension."""
    return FORMAT_NAMES.get(str(fmt), str(fmt))


# The research tags of the rule files' sources (docs/cycle.md §0: [V] read, [V2] summarised, [V-code …] seen in
# code, [K] as commonly cited, [I] our inference): for the project's readers. An official reads the documents
# named; an inference is said to be the system's setting; pointers into the project's docs are left out.
_TAG = re.compile(r"\[(?:K|V2?|V-code[^\]]*)\]")
_EMPTY = re.compile(r"[（(]\s*[，,、]?\s*[）)]")
_DOCS_ASIDE = re.compile(r"[（(][^（）()]*docs/[^（）()]*[）)]")


@register.filter
def official_source(text: str) -> str:
    """A rule file's source as an official reads it: "《预算法》第十四条（[K]）；…（[I]）" → "《预算法》第十四条；…（本系统设定）"."""
    out = _DOCS_ASIDE.sub("", _TAG.sub("", str(text or "")).replace("[I]", "本系统设定"))
    parts = [" ".join(_EMPTY.sub("", p).split()) for p in re.split(r"[；;]", out)]
    return "；".join(p for p in parts if p and "docs/" not in p)


def _escape(value: Any) -> str:
    """Django's escape (the same five characters) without the SafeString round trip per value."""
    return html.escape(str(value))


def _note_html(n: dict[str, Any]) -> str:
    kind = "note-comment" if n["kind"] == "comment" else f"sev-{_escape(n['kind'])}"
    title = _escape(n["text"])
    if n["number"]:
        return f'<a class="badge {kind}" href="#finding-{int(n["number"])}" title="{title}">{_escape(n["code"])}</a>'
    return f'<span class="badge {kind}" title="{title}">{_escape(n["code"])}</span>'


def _paper_cell_html(c: dict[str, Any]) -> str:
    """A cell of the paper form: the printed value (or the computed one where the form left it blank),
    the computed value beside it, badges of its findings and comments."""
    spans = (f' rowspan="{int(c["rowspan"])}"' if c["rowspan"] > 1 else "") + \
        (f' colspan="{int(c["colspan"])}"' if c["colspan"] > 1 else "")
    if c["caption"]:
        return f"<th{spans}>{_escape(c['text'])}</th>"
    classes = " ".join(x for x in ("cell", f"mark-{c['mark']}" if c["mark"] else "", "num" if c["numeric"] else "",
                                   "text" if c["left"] else "", "filled" if c["filled"] else "") if x)
    text = "<br>".join(_escape(line) for line in c["text"].split("\n"))
    parts = [f'<span class="printed"{" title=" + chr(34) + _escape(c["formula"]) + chr(34) if c["filled"] else ""}>{text}</span>']
    if c["computed"] is not None:
        d = c["computed"]
        parts.append(f'<span class="computed{" differs" if d["differs"] else ""}" title="{_escape(d["formula"])}">'
                     f"计算 {_escape(d['text'])}</span>")
    parts += [_note_html(n) for n in c["notes"]]
    described = " ".join(f"finding-{n['number']}" for n in c["notes"] if n["number"])
    attributes = f' data-field="{_escape(c["key"])}"' if c["key"] else ""
    attributes += f' aria-describedby="{described}"' if described else ""
    return f'<td class="{classes}"{spans}{attributes}>{"".join(parts)}</td>'


@register.simple_tag
def paper_rows(paper: dict[str, Any]) -> str:
    """The rows of the paper form, built in Python rather than by included templates: a form has a
    hundred cells."""
    return mark_safe("".join(  # every part is escaped
        "<tr>" + "".join(_paper_cell_html(c) for c in row) + "</tr>\n" for row in paper["rows"]
    ))


# Where a finding outside the indicator rows is: the part of the form, as its captions name it.
BLOCK_NAMES = {"header": "表头", "funds": "资金情况", "goals": "年度总体目标", "total": "总分"}


@register.simple_tag
def finding_rows(findings: list[dict[str, Any]]) -> str:
    """The rows of the findings table under the paper form."""
    out = []
    for f in findings:
        location = f["location"] or {}
        column = location.get("column")
        name = location.get("indicator") or BLOCK_NAMES.get(location.get("block", ""), "")
        where = " · ".join(_escape(part) for part in (name, column) if part)
        severity = _escape(f["severity"])
        out.append(
            f'\n      <tr id="finding-{_escape(f["number"])}" class="sev-row-{severity}"><td>{_escape(f["number"])}</td>'
            f'<td><strong>{_escape(f["code"])}</strong></td>\n'
            f'      <td><span class="sev sev-{severity}">{SEVERITY_LABELS.get(f["severity"], "")}</span></td>\n'
            f"      <td>{where}</td>\n"
            f'      <td>{_escape(f["message"])}</td><td>{_escape(f["found"])}</td><td>{_escape(f["expected"])}</td></tr>\n    '
        )
    return mark_safe("".join(out))  # every value is escaped


@register.simple_tag
def menu_for(user: Any) -> dict[str, bool]:
    """Which menu entries the user's roles can use: nobody is offered a page that would refuse them."""
    from jixiao.web.forms import access

    roles = access.roles(user)
    return {
        "fill": access.can_fill(user),
        "review": bool(roles & {"reviewer", "finance", "admin"}),
        "draws": access.is_finance(user),
        "accounts": "admin" in roles,
    }


# The header's links (jixiao/base.html), the same on every page: reversed once per script prefix and URL
# configuration instead of on every page (17 {% url %} tags cost half a millisecond a page).
HEADER_URLS = ("form-list", "form-create", "import-upload", "review-forms", "review-rounds", "year-index",
               "review-overview", "after-rectifications", "after-dept-list", "public-index", "library-list",
               "ops-profiles", "accounts", "admin:index", "logout", "password-change")


@register.simple_tag
def header_urls() -> dict[str, str]:
    """{"form_list": "/", "admin_index": "/admin/", …}: the header's links by URL name, - and : as _."""
    return _header_urls(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.cache
def _header_urls(prefix: str, urlconf: str) -> dict[str, str]:
    return {name.replace("-", "_").replace(":", "_"): reverse(name, urlconf=urlconf) for name in HEADER_URLS}
