"""Excel 97–2003 (.xls) and WPS (.et) reader: one grid per sheet, values as the sheet displays them.

xlrd reads the BIFF records with formatting information, which gives the merged ranges and each
cell's number format; the display rules are those of the .xlsx reader.
"""

from __future__ import annotations

from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.grid import Grid

EXTENSIONS = (".xls", ".et")

_SHORT_DATE = 14  # the built-in short date, shown in the system's locale


def detect(head: bytes, name: str) -> bool:
    from jixiao.formats.registry import detect_format

    return detect_format(head, name) == "xls"


def read(data: bytes, name: str) -> list[Grid]:
    """One grid per worksheet, in workbook order."""
    import xlrd

    from jixiao.formats.xlsx import build_grid

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=_Quiet())
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise ReadError(
                "Excel 文件已加密（设置了打开密码），无法读取。请在 Excel 或 WPS 中取消密码后另存，再重新提交。",
                name,
            ) from None
        raise ReadError(
            f"无法读取这个 Excel 97–2003 文件（{exc}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再试。", name
        ) from None
    except Exception as exc:
        raise ReadError(
            f"Excel 文件已损坏（{type(exc).__name__}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再试。", name
        ) from None
    grids = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = ([_value(book, sheet, r, c) for c in range(sheet.ncols)] for r in range(sheet.nrows))
            merges = [
                (r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in sheet.merged_cells if r2 > r1 and c2 > c1
            ]
            grids.append(build_grid(rows, merges, name, sheet.name))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return grids


def _value(book: Any, sheet: Any, r: int, c: int) -> tuple[Any, str]:
    """(value, number format) of a cell, dates as datetime and errors as Excel shows them."""
    import xlrd

    cell = sheet.cell(r, c)
    ctype, value = cell.ctype, cell.value
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None, "General"
    if ctype == xlrd.XL_CELL_TEXT:
        return value, "@"
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(value), "General"
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERR!"), "@"
    fmt = "General"
    try:
        xf = book.xf_list[cell.xf_index]
        fmt_key = xf.format_key
        fmt = "mm-dd-yy" if fmt_key == _SHORT_DATE else book.format_map[fmt_key].format_str
    except (IndexError, KeyError, AttributeError, TypeError):
        pass
    if ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(value, book.datemode), fmt
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return value, "General"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 and fmt == "General":
        return int(value), fmt
    return value, fmt


class _Quiet:
    """xlrd writes warnings about odd records to a log file; a reader has nowhere to show them."""

    def write(self, text: str) -> int:
        return len(text)
