"""Delimited text: a table one row a line, its cells separated by commas (.csv, as Excel and WPS save
"CSV（逗号分隔）", and as systems export) or by tabs (a .tsv or .txt copied out of a spreadsheet).

Word's "save as plain text" of a document of tables is another layout (one cell a line, rows cut by blank
lines: formats/text.py); a .txt or .tsv is read here only when its lines are rows of several cells.
Quoted cells may hold the delimiter and line breaks (the csv module's rules, strict); the encodings are
text.py's (UTF-8 with or without BOM, UTF-16, GB18030/GBK, as Excel writes CSV on a Chinese Windows).
Merged cells are not in such a file: every cell has span 1, a merged label is in its first cell only.
"""

from __future__ import annotations

import csv
import io
import re

from jixiao.formats import ReadError
from jixiao.formats.containers import extension, is_ole2, is_zip
from jixiao.formats.grid import Grid, SpanFreeRows
from jixiao.formats.limits import check_chars, current_limits, too_large
from jixiao.formats.text import decode

EXTENSIONS = (".csv",)
ROW_EXTENSIONS = (".tsv", ".txt")  # also formats/text.py's: read here when their lines are rows


def _rows_per_line(text: str) -> bool:
    """Most lines hold a tab after some text (a row of cells), and none is a Word text's cell line."""
    lines = [line for line in text[:8192].splitlines()[:-1] or text[:8192].splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    inner = sum(1 for line in lines if "\t" in line.lstrip("\t"))
    return inner >= len(lines) * 0.6


def detect(head: bytes, name: str = "") -> bool:
    if is_zip(head) or is_ole2(head):
        return False
    ext = extension(name)
    if ext in EXTENSIONS:
        return True
    if ext not in ROW_EXTENSIONS:
        return False
    try:
        text = decode(head, name)
    except ReadError:
        try:
            text = decode(head[:-3], name)  # the head may cut a multi-byte character
        except ReadError:
            return False
    return _rows_per_line(text)


_QUOTED = re.compile(r'"[^"]*"')


def _delimiter(text: str, name: str) -> str:
    """Tab for a .tsv/.txt; for a .csv the comma, unless its first lines (outside quotes) have none and
    have tabs or semicolons (Excel writes ";" where the locale's list separator is the comma)."""
    if extension(name) in ROW_EXTENSIONS:
        return "\t"
    head = _QUOTED.sub("", text[:8192])
    return next((mark for mark in ",\t;" if mark in head), ",")


def read(data: bytes, name: str = "") -> list[Grid]:
    text = decode(data, name)
    check_chars(len(text), name)
    lim = current_limits()
    rows: list[list[str]] = []
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, name), strict=True)
    try:
        for row in reader:
            cells += len(row)
            if len(rows) >= lim.max_rows or len(row) > lim.max_columns or cells > lim.max_cells:
                raise too_large(len(rows) + 1, len(row), name, "CSV 文件的表格")
            rows.append([cell.strip() for cell in row])
    except csv.Error as exc:
        line = reader.line_num
        raise ReadError(
            f"CSV 文件第 {line} 行格式有误（{exc}）：可能是引号没有成对，或文件不完整。"
            "请用 Excel 或 WPS 打开检查后重新另存为 CSV，或另存为 .xlsx 再提交。",
            name,
            grids=[Grid(rows=SpanFreeRows(_even(rows)), source=name)] if rows else [],
        ) from None
    while rows and not any(rows[-1]):
        rows.pop()
    grid = Grid(rows=SpanFreeRows(_even(rows)), source=name)
    if rows and text.rstrip(" \u3000\x00")[-1:] not in ("\n", "\r"):
        # Excel, WPS and the csv module end every line, the last too: a file that stops inside a line was cut
        raise ReadError("CSV 文件不完整：文件在表格的一行中间结束，可能上传或下载时出错，最后一张自评表可能缺少内容。"
                        "请重新导出或重新上传完整的文件。", name, grids=[grid])
    return [grid]


def _even(rows: list[list[str]]) -> list[list[str]]:
    """Rows padded to the widest: a CSV leaves out a short row's empty cells at its end."""
    width = max(map(len, rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]
