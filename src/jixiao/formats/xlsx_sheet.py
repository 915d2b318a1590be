"""One .xlsx sheet read with lxml's iterparse: each cell's value and number format, the merged ranges
and the formulas never calculated, one element at a time and cleared behind (constant memory per
sheet), taking from each cell what openpyxl's data-only reading takes."""

from __future__ import annotations

import re
from typing import Any

from jixiao.formats.limits import check_time
from jixiao.formats.xlsx_package import Book, local, text_of

_REF_RE = re.compile(r"([A-Za-z]+)(\d+)")


def read_sheet(
    fh: Any, book: Book
) -> tuple[dict[tuple[int, int], tuple[Any, str]], list[tuple[int, int, int, int]], dict[tuple[int, int], str]]:
    """The cells (value, number format) by position, the merged ranges and the uncalculated formulas (whose
    cells hold (None, their number format))."""
    from lxml import etree
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    cells: dict[tuple[int, int], tuple[Any, str]] = {}
    merges: list[tuple[int, int, int, int]] = []
    uncalculated: dict[tuple[int, int], str] = {}
    row_no, col_no = -1, -1
    for event, el in etree.iterparse(fh, events=("start", "end"), resolve_entities=False, no_network=True):
        tag = local(el.tag)
        if event == "start":
            if tag == "row":
                check_time("")  # the registry names the file
                r = el.get("r")
                row_no = int(r) - 1 if r else row_no + 1
                col_no = -1
            continue
        if tag == "c":
            ref = el.get("r")
            if ref:
                row_no, col_no = _ref(ref)
            else:
                col_no += 1
            kind = el.get("t", "n")
            style = int(el.get("s") or 0)
            value_el = formula = inline = None
            for child in el:
                part = local(child.tag)
                if part == "v":
                    value_el = child
                elif part == "f":
                    formula = child
                elif part == "is":
                    inline = child
            raw = value_el.text if value_el is not None else None
            value: Any = None
            if kind == "inlineStr":
                value = text_of(inline) if inline is not None else None
            elif raw:
                if kind == "n":
                    value = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
                    if style in book.dates:
                        try:
                            value = from_excel(value, book.epoch, timedelta=style in book.durations)
                        except (OverflowError, ValueError):
                            value = "#VALUE!"
                elif kind == "s":
                    value = book.strings[int(raw)]
                elif kind == "b":
                    value = bool(int(raw))
                elif kind == "d":
                    value = from_ISO8601(raw)
                else:  # "str" (a formula's text result), "e" (an error such as #DIV/0!)
                    value = raw
            elif formula is not None and formula.text:
                # A formula never calculated (no cached value), as programs that write spreadsheets leave
                # them: calculated from the sheet's cells where Excel would (xlsx_formula), else shown as
                # typed — "=100%" typed as a target is what the form means.
                uncalculated[(row_no, col_no)] = "=" + formula.text
                cells[(row_no, col_no)] = (None, book.number_format(style))  # its format, for xlsx_formula
            if value is not None:
                cells[(row_no, col_no)] = (unescape(value), book.number_format(style))
            el.clear()
        elif tag == "row":
            el.clear()
        elif tag == "mergeCell":
            a, _, b = (el.get("ref") or "").partition(":")
            if _REF_RE.fullmatch(a) and (not b or _REF_RE.fullmatch(b)):
                r1, c1 = _ref(a)
                r2, c2 = _ref(b or a)
                merges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        elif tag == "sheetData":
            el.clear()
    return cells, merges, uncalculated


_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(value: Any) -> Any:
    """Strings with OOXML's escapes undone ("_x000D_" is a carriage return) and line ends as "\\n"."""
    if not isinstance(value, str):
        return value
    if "_x" in value:
        value = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _ref(ref: str) -> tuple[int, int]:
    m = _REF_RE.fullmatch(ref)
    if not m:
        return 0, 0
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1
