"""Excel (.xlsx) reader: one grid per sheet, every value as the sheet displays it.

A spreadsheet stores 75.6% as the number 0.756 with the format "0.0%", and 10.00 as 10 with
"0.00"; the form prints the displayed text, so that is what the grid holds (docs/domain.md §8).
The package's parts (workbook, shared strings, number formats) are read first (xlsx_package); each
sheet's XML with lxml's iterparse, one element at a time and cleared behind (constant memory per
sheet, about five times faster than openpyxl's read-only mode), taking from each cell what
openpyxl's data-only reading takes: shared and inline strings, numbers, booleans, errors, cached
formula results, and dates where the cell's number format is a date format (openpyxl's own
is_date_format and from_excel decide, so both readers agree); merged ranges come from the
<mergeCells> element, formulas never calculated from <f> without a <v> (xlsx_sheet), and calculated
where they are arithmetic on the sheet's cells (xlsx_formula). The grid shows
each value as its number format displays it (xlsx_grid, xlsx_display).
"""

from __future__ import annotations

import re
from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.containers import read_member
from jixiao.formats.grid import Grid
from jixiao.formats.xlsx_formula import calculate
from jixiao.formats.xlsx_grid import build_grid
from jixiao.formats.xlsx_package import Book, damaged
from jixiao.formats.xlsx_sheet import read_sheet

EXTENSIONS = (".xlsx", ".xlsm")


def detect(head: bytes, name: str) -> bool:
    from jixiao.formats.registry import detect_format

    return detect_format(head, name) == "xlsx"


def read(data: bytes, name: str) -> list[Grid]:
    """One grid per visible or hidden worksheet, in workbook order (chart sheets skipped)."""
    from lxml import etree

    from jixiao.formats.registry import check_ooxml

    zf = check_ooxml(data, name, "Excel 文件")
    try:
        book = Book(zf, name)
        grids = []
        for title, path in book.sheets:
            if path not in book.parts:
                # openpyxl skipped such a sheet without a word and its form was lost (issue 16 point 7)
                raise ReadError(
                    f"Excel 文件已损坏：工作表“{title}”的数据（{path}）不在文件中，这张表无法读取。"
                    "请用 Excel 或 WPS 打开后另存为 .xlsx 再试。",
                    name,
                )
            with zf.open(path) as fh:
                rows, merges, uncalculated = read_sheet(fh, book)
            for at, value in calculate(uncalculated, rows).items():  # what Excel would show on opening
                rows[at] = (value, rows[at][1])
                del uncalculated[at]
            grids.append(build_grid(rows, merges, name, title, uncalculated))
        if not any(cell.text for grid in grids for row in grid.rows for cell in row):
            pages = _pasted_pages(zf, name)
            if pages:  # a workbook of pasted scans: read as the scan of a PDF is
                from jixiao.formats import scan

                return scan.read_images(pages, name, "工作簿")
        return grids
    except ReadError:
        raise
    except (etree.XMLSyntaxError, KeyError, ValueError, IndexError, OSError, EOFError) as exc:
        raise damaged(name, exc) from None
    finally:
        zf.close()


def _pasted_pages(zf: Any, name: str) -> list[bytes]:
    """The workbook's pictures big enough to be a scanned page, in the order Excel numbers them
    (xl/media/image1, image2, … image10)."""
    from jixiao.formats.scan import pages_among

    media = [n for n in zf.namelist() if n.startswith("xl/media/")]
    media.sort(key=lambda n: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", n)])
    return pages_among(read_member(zf, n, name) for n in media)
