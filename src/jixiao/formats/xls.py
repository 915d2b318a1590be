"""Excel 97–2003 (.xls), WPS (.et) and XML Spreadsheet 2003 reader: one grid per sheet, values as
the sheet displays them.

xlrd reads the BIFF records with formatting information, which gives the merged ranges and each
cell's number format; the display rules are those of the .xlsx reader. Finance systems often
export "XML Spreadsheet 2003" under the .xls extension; that XML is read here too.
"""

from __future__ import annotations

from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.containers import extension, is_ole2, ole2_streams, prolog_is_safe
from jixiao.formats.grid import Grid
from jixiao.formats.limits import check_extent, check_merges, current_limits, too_large

EXTENSIONS = (".xls", ".et")

_SHORT_DATE = 14  # the built-in short date, shown in the system's locale


def detect(data: bytes, name: str) -> bool:
    """An OLE2 file holding a Workbook (BIFF8) or Book (BIFF5) stream, an OLE2 file whose streams tell
    nothing named .xls/.et, or XML Spreadsheet 2003 (which finance systems export as .xls)."""
    if is_ole2(data):
        streams = {s.lower() for s in ole2_streams(data)}
        if streams & {"workbook", "book"}:
            return True
        return "worddocument" not in streams and extension(name) in EXTENSIONS
    return is_spreadsheet_xml(data[:4096])


def read(data: bytes, name: str) -> list[Grid]:
    """One grid per worksheet, in workbook order."""
    if not data.startswith(b"\xd0\xcf\x11\xe0") and is_spreadsheet_xml(data[:4096]):
        return read_spreadsheet_xml(data, name)
    import xlrd

    from jixiao.formats.xlsx_grid import build_grid

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=_Quiet())
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise ReadError(
                "Excel 文件已加密（设置了打开密码），无法读取。请在 Excel 或 WPS 中取消密码后另存，再重新提交。",
                name,
            ) from None
        from jixiao.formats import office

        if office.soffice() is not None:  # records xlrd doesn't know (WPS, old Excel): convert
            return office.read(data, name)
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
            where = f"工作表“{sheet.name}”"
            check_extent(sheet.nrows, sheet.ncols, name, where)
            formats: dict[int, str] = {}
            rows = (_row(book, sheet, r, formats) for r in range(sheet.nrows))
            merges = check_merges(
                [(r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in sheet.merged_cells if r2 > r1 and c2 > c1],
                name,
                where,
            )
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


# ---------------------------------------------------------------------------------------------
# XML Spreadsheet 2003

SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
# Named formats of Excel 2003's XML, as format codes.
_NAMED_FORMATS = {
    "general": "General",
    "general number": "General",
    "fixed": "0.00",
    "standard": "#,##0.00",
    "percent": "0.00%",
    "scientific": "0.00E+00",
    "short date": "yyyy-mm-dd",
    "medium date": "yyyy-mm-dd",
    "long date": "yyyy-mm-dd",
    "general date": "yyyy-mm-dd hh:mm",
    "short time": "hh:mm",
    "medium time": "hh:mm",
    "long time": "hh:mm:ss",
    "yes/no": "General",
    "true/false": "General",
    "on/off": "General",
    "currency": "#,##0.00",
    "euro currency": "#,##0.00",
}


def is_spreadsheet_xml(head: bytes) -> bool:
    return b"urn:schemas-microsoft-com:office:spreadsheet" in head and b"Workbook" in head


def read_spreadsheet_xml(data: bytes, name: str) -> list[Grid]:
    """Worksheet/Table/Row/Cell with ss:Index, ss:MergeAcross and ss:MergeDown."""
    import datetime as dt

    from lxml import etree

    from jixiao.formats.xlsx_grid import build_grid

    if not prolog_is_safe(data[:4096]):
        raise ReadError(
            "文件含有 DTD/实体声明（可能是恶意构造的文件），已拒绝读取。请另存为 .xlsx 后再提交。", name
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ReadError(
            f"XML 表格文件已损坏（{exc}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再试。", name
        ) from None
    styles = {
        st.get(SS + "ID"): (st.find(SS + "NumberFormat").get(SS + "Format") or "General")
        for st in root.iter(SS + "Style")
        if st.find(SS + "NumberFormat") is not None
    }
    grids: list[Grid] = []
    lim = current_limits()
    for sheet in root.iter(SS + "Worksheet"):
        cells: dict[int, dict[int, tuple[object, str]]] = {}
        merges: list[tuple[int, int, int, int]] = []
        table = sheet.find(SS + "Table")
        where = f"工作表“{sheet.get(SS + 'Name', len(grids) + 1)}”"
        r = -1
        for row in table.iter(SS + "Row") if table is not None else ():
            r = _index(row, r, True, name, where)
            c = -1
            for cell in row.iter(SS + "Cell"):
                c = _index(cell, c, False, name, where)
                # Spans are numbers from the file: clamped like every reader's, never looped over.
                across = min(max(_int(cell.get(SS + "MergeAcross")), 0), lim.max_span - 1)
                down = min(max(_int(cell.get(SS + "MergeDown")), 0), lim.max_span - 1)
                if across or down:
                    merges.append((r, c, r + down, c + across))
                fmt = styles.get(cell.get(SS + "StyleID"), "General")
                fmt = _NAMED_FORMATS.get(fmt.lower(), fmt)
                node = cell.find(SS + "Data")
                value: object = None
                if node is not None:
                    text = "".join(node.itertext())
                    kind = node.get(SS + "Type", "String")
                    try:
                        if kind == "Number":
                            value = int(text) if text.lstrip("-").isdigit() else float(text)
                        elif kind == "DateTime":
                            value = dt.datetime.fromisoformat(text.rstrip("Z")[:26])
                        elif kind == "Boolean":
                            value = text.strip() in ("1", "true", "TRUE")
                        else:
                            value, fmt = text, "@"
                    except ValueError:
                        value, fmt = text, "@"
                cells.setdefault(r, {})[c] = (value, fmt)
                c += across
        merges = check_merges(merges, name, f"XML 表格的{where}")
        height = max(cells, default=-1) + 1
        area = sum(max(row, default=0) + 1 for row in cells.values())
        if area > lim.max_cells:
            raise too_large(height, max(max(row, default=0) + 1 for row in cells.values()), name, f"XML 表格的{where}")
        rows = (
            [
                cells.get(rr, {}).get(cc, (None, "General"))
                for cc in range(max(cells.get(rr, {0: 0}), default=0) + 1)
            ]
            for rr in range(height)
        )
        grids.append(build_grid(rows, merges, name, sheet.get(SS + "Name", f"Sheet{len(grids) + 1}")))
    if not grids:
        raise ReadError("XML 表格文件中没有工作表。请用 Excel 或 WPS 打开确认后另存为 .xlsx 再提交。", name)
    return grids


def _int(raw: str | None) -> int:
    try:
        return int(raw or 0)
    except ValueError:
        return 0


def _index(el: Any, last: int, row: bool, name: str, where: str) -> int:
    """The 0-based row or column of a Row/Cell: its ss:Index (1-based, moving forward) or the next."""
    raw = el.get(SS + "Index")
    index = max(_int(raw) - 1, last + 1) if raw is not None else last + 1
    lim = current_limits()
    if index >= (lim.max_rows if row else lim.max_columns):
        raise too_large(index + 1 if row else 1, 1 if row else index + 1, name, f"XML 表格的{where}")
    return index


class _Quiet:
    """xlrd writes warnings about odd records to a log file; a reader has nowhere to show them."""

    def write(self, text: str) -> int:
        return len(text)
