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
            formats: dict[int, str] = {}
            rows = (_row(book, sheet, r, formats) for r in range(sheet.nrows))
            merges = [
                (r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in sheet.merged_cells if r2 > r1 and c2 > c1
            ]
            grids.append(build_grid(rows, merges, name, sheet.name))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return grids


def _row(book: Any, sheet: Any, r: int, formats: dict[int, str]) -> list[tuple[Any, str]]:
    """(value, number format) of each cell of a row; dates as datetime, errors as Excel shows them."""
    import xlrd

    out: list[tuple[Any, str]] = []
    for c, (ctype, value) in enumerate(zip(sheet.row_types(r), sheet.row_values(r), strict=True)):
        if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            out.append((None, "General"))
        elif ctype == xlrd.XL_CELL_TEXT:
            out.append((value, "@"))
        elif ctype == xlrd.XL_CELL_BOOLEAN:
            out.append((bool(value), "General"))
        elif ctype == xlrd.XL_CELL_ERROR:
            out.append((xlrd.error_text_from_code.get(value, "#ERR!"), "@"))
        else:
            fmt = _format(book, sheet.cell_xf_index(r, c), formats)
            if ctype == xlrd.XL_CELL_DATE:
                try:
                    out.append((xlrd.xldate.xldate_as_datetime(value, book.datemode), fmt))
                except (xlrd.xldate.XLDateError, ValueError, OverflowError):
                    out.append((value, "General"))
            else:
                out.append((value, fmt))
    return out


def _format(book: Any, xf_index: int, formats: dict[int, str]) -> str:
    """The number format code of a cell style, cached per style."""
    fmt = formats.get(xf_index)
    if fmt is None:
        fmt = "General"
        try:
            fmt_key = book.xf_list[xf_index].format_key
            fmt = "mm-dd-yy" if fmt_key == _SHORT_DATE else book.format_map[fmt_key].format_str
        except (IndexError, KeyError, AttributeError, TypeError):
            pass
        formats[xf_index] = fmt
    return fmt


class _Quiet:
    """xlrd writes warnings about odd records to a log file; a reader has nowhere to show them."""

    def write(self, text: str) -> int:
        return len(text)
