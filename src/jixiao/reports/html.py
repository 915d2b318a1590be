"""HTML writer: one standalone page (inline CSS, no external assets) with every form as a table.

Forms are sections, each printed on its own A4 page (landscape for the wide seed template, through
CSS named pages); merged cells are rowspan/colspan; rescored cells get a coloured background and
the printed value as a tooltip. The page is published as is (随决算公开) and reads back as a form.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from jixiao.reports._atomic import atomic_path
from jixiao.reports.layout import (
    BODY_FONT,
    HIGHLIGHT,
    HIGHLIGHT_TEXT,
    TITLE_FONT,
    FormLayout,
    LayoutCell,
)
from jixiao.reports.sizes import column_fractions

if TYPE_CHECKING:
    pass

CSS = f"""
@page {{ size: A4 portrait; margin: 15mm; }}
@page wide {{ size: A4 landscape; margin: 12mm; }}
body {{ font-family: "{BODY_FONT}", SimSun, "Songti SC", "Noto Serif CJK SC", "Noto Sans CJK SC", serif;
  font-size: 10.5pt; color: #000; margin: 1em auto; max-width: 1100px; }}
section.form {{ margin: 0 auto 3em; }}
section.form.wide {{ page: wide; }}
section.form + section.form {{ break-before: page; }}
p.title {{ font-family: "{TITLE_FONT}", SimHei, "Noto Sans CJK SC", sans-serif; font-size: 18pt;
  font-weight: bold; text-align: center; margin: 0 0 .2em; }}
p.year {{ text-align: center; margin: 0 0 .6em; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
td {{ border: 1px solid #000; padding: 3px 4px; text-align: center; vertical-align: middle;
  overflow-wrap: anywhere; }}
td.caption {{ font-weight: bold; }}
td.left {{ text-align: left; }}
td.rescored {{ background: #{HIGHLIGHT}; color: #{HIGHLIGHT_TEXT}; }}
p.note {{ font-size: 9pt; margin: .4em 0 0; }}
@media print {{ body {{ margin: 0; max-width: none; font-size: 9pt; }} section.form {{ margin: 0; }}
  p.title {{ font-size: 16pt; }} td {{ padding: 2px 3px; }} tr {{ break-inside: avoid; }}
  td.rescored {{ print-color-adjust: exact; -webkit-print-color-adjust: exact; }} }}
"""


def write_layouts(layouts: Sequence[FormLayout], path: Path, *, title: str = "预算绩效自评表") -> None:
    """Write any layouts to one .html page, a form at a time; `title` names a page of several."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        for part in _parts(layouts, title):
            fh.write(part)


def render(layouts: Sequence[FormLayout], title: str = "预算绩效自评表") -> str:
    """The whole page."""
    return "".join(_parts(layouts, title))


def _parts(layouts: Sequence[FormLayout], title: str) -> Iterator[str]:
    """The page in pieces: its head, each form's section, its end."""
    if len(layouts) == 1:
        title = f"{layouts[0].project}—{layouts[0].title}"
    else:
        title = f"{title}（{len(layouts)}张）"
    yield "<!DOCTYPE html>\n"
    yield '<html lang="zh-CN"><head><meta charset="utf-8">\n'
    yield '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    yield f"<title>{escape(title)}</title><style>{CSS}</style></head><body>\n"
    for layout in layouts:
        yield _section(layout) + "\n"
    yield "</body></html>\n"


def _section(layout: FormLayout) -> str:
    wide = " wide" if layout.template.landscape else ""
    out = [f'<section class="form {layout.template.key}{wide}">']
    out.append(f'<p class="title">{escape(layout.title)}</p>')
    if layout.subtitle:
        out.append(f'<p class="year">{escape(layout.subtitle)}</p>')
    # The border attributes keep the rules where a page is shown without its style sheet (Word,
    # WPS, web publishing systems that strip <style>), as published forms are.
    out.append('<table border="1" cellspacing="0" cellpadding="3">')
    out.append("<colgroup>" + "".join(
        f'<col style="width:{f * 100:.2f}%">' for f in column_fractions(layout.template)
    ) + "</colgroup>")
    for row in layout.rows:
        out.append("<tr>" + "".join(_cell(c) for c in row) + "</tr>")
    out.append("</table>")
    if layout.note:
        out.append(f'<p class="note">{escape(layout.note)}</p>')
    out.append("</section>")
    return "\n".join(out)


def _cell(cell: LayoutCell) -> str:
    attrs = []
    if cell.rowspan > 1:
        attrs.append(f'rowspan="{cell.rowspan}"')
    if cell.colspan > 1:
        attrs.append(f'colspan="{cell.colspan}"')
    classes = [c for c in (
        "caption" if cell.role == "caption" else "",
        "left" if cell.align == "left" else "",
        "rescored" if cell.changed else "",
    ) if c]
    if classes:
        attrs.append(f'class="{" ".join(classes)}"')
    if cell.changed:
        attrs.append(f'style="background:#{HIGHLIGHT};color:#{HIGHLIGHT_TEXT}"')
        printed = cell.printed or "（空白）"
        attrs.append(f'title="{escape("原表印制值：" + printed)}"')
    head = "<td" + "".join(" " + a for a in attrs) + ">"
    return f"{head}{escape(cell.text, quote=False)}</td>"
