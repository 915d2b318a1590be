"""The one place workbooks are built: every cell any workbook of jixiao writes goes through `put`.

Text that a spreadsheet would take for a formula (it starts with = + - @, a tab or a carriage return)
is stored as text with Excel's quote prefix, never as a formula: a project named
=HYPERLINK("http://…"&A1,"点击查看") is shown as typed, in the forms, the summaries and the overview
alike (OWASP, "CSV Injection").
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from jixiao.reports.layout import BODY_FONT, HIGHLIGHT, TITLE_FONT

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BODY_PT = 10
TITLE_PT = 16
LINE_PT = 13.5  # height of one line of 10-point text
PADDING_PT = 2.5
_PLAIN = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d{0,8}[1-9])?")
_PERCENT = re.compile(r"(-?(?:0|[1-9]\d{0,12})(?:\.(\d{1,6}))?)%")



def is_formula_like(value: Any) -> bool:
    """Whether a text would be read as a formula (or a DDE command) by a spreadsheet."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def put_value(cell: Any, value: Any, fmt: str = "General") -> Any:
    """Store a value in a cell: "" as blank, text that a spreadsheet would take for a formula as text."""
    cell.value = value if value != "" else None
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    cell.number_format = fmt
    return cell


def put(ws: Any, row: int, col: int, value: Any, fmt: str = "General") -> Any:
    """Store a value in the cell at (row, col) of a sheet: Decimals as numbers (see put_value)."""
    return put_value(ws.cell(row, col), float(value) if isinstance(value, Decimal) else value, fmt)


def excel_value(text: str, numeric: bool) -> tuple[Any, str]:
    """The value and number format a cell is stored with: a number when Excel shows it as `text`."""
    if numeric:
        if _PLAIN.fullmatch(text):
            return (float(text) if "." in text else int(text)), "General"
        m = _PERCENT.fullmatch(text)
        if m:
            places = len(m.group(2) or "")
            fmt = "0%" if places == 0 else "0." + "0" * places + "%"
            return float(Decimal(m.group(1)) / 100), fmt
    return text, "General"


def styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "body": Font(name=BODY_FONT, size=BODY_PT),
        "bold": Font(name=BODY_FONT, size=BODY_PT, bold=True),
        "title": Font(name=TITLE_FONT, size=TITLE_PT, bold=True),
        "link": Font(name=BODY_FONT, size=BODY_PT, color="0563C1", underline="single"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
        "fill": PatternFill(fill_type="solid", start_color=HIGHLIGHT, end_color=HIGHLIGHT),
    }


def page_setup(ws: Any, landscape: bool, last_row: int, last_col: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"




def append(ws: Any, values: list[Any]) -> int:
    """Add a row after the last one; returns its number."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for col, value in enumerate(values, 1):
        put(ws, row, col, value)
    return row


def new_book(title: str = "") -> Any:
    """An empty workbook (no sheet), with jixiao as its author."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    book.properties.creator = "jixiao"
    if title:
        book.properties.title = title
    return book


def to_bytes(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
