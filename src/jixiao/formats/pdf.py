"""PDF reader: the ruled tables that Word, WPS and LibreOffice export, as grids with spans.

A chain of small steps, in the manner of pdfplumber's own table code:
0. PDFium (pypdfium2, compiled) gives each page's characters with their boxes and the straight
   segments of its paths, one page at a time (a page is closed before the next is opened, so a
   500-page file reads in the memory of one page plus the small tables found so far).
1. pdfplumber's table finder, fed those segments as edges, finds each page's ruled tables; the
   distinct x and y edges of their cells make the columns and rows, so a cell's bounding box gives
   its row, column and spans. A document with no ruled table at all is read from the characters'
   positions instead (text-positioned tables, as many government PDFs are).
2. The characters inside a cell make lines; a line break is kept ("\\n") only where it is real:
   when the next line's first word would have fitted after the line, the writer broke the line on
   purpose; otherwise the text wrapped in a narrow cell, and the lines are joined without a space
   ("=100" + "%" → "=100%"), or with one where a Latin word wrapped at a space.
3. A table that runs to the foot of a page and goes on at the top of the next, with the same
   columns, is one grid; a row cut by the page break is joined back into one row.
4. Text outside the tables (the title, the year line) comes as one-cell rows, in page order.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from jixiao.formats import ReadError
from jixiao.formats.grid import Cell, Grid

EXTENSIONS = (".pdf",)

SNAP = 1.5  # points: edges closer than this are one edge
WRAP_TOLERANCE = 0.8  # points: measuring noise when testing whether a word would have fitted
PAGE_MARGIN = 60.0  # points: a table this close to the page foot/head may continue across pages

NO_TEXT = "该 PDF 没有文字层（可能是扫描件），请提供原始 Word/Excel 文件或先做文字识别"


class _Char(NamedTuple):
    """One printed character: its text and box in points from the page's top left, its font size."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class _Line:
    chars: list[_Char]

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return self.chars[-1].x1

    @property
    def text(self) -> str:
        out: list[str] = []
        prev: _Char | None = None
        for ch in self.chars:
            if prev is not None and ch.x0 - prev.x1 > 0.3 * ch.size and out[-1] != " ":
                out.append(" ")
            out.append(ch.text)
            prev = ch
        return "".join(out).strip()


@dataclass
class _PCell:
    x0: float
    top: float
    x1: float
    bottom: float
    row: int = 0
    col: int = 0
    rowspan: int = 1
    colspan: int = 1
    chars: list[_Char] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    avail: float = 0.0  # width available to text: the cell less its left and right padding


@dataclass
class _Table:
    page: int  # first page
    x_edges: list[float]
    y_edges: list[float]  # on the last page
    cells: list[_PCell]
    page_height: float
    rows: int
    last_page: int = 0
    above: list[_Line] = field(default_factory=list)  # page text before this table

    @property
    def top(self) -> float:
        return self.y_edges[0]

    @property
    def bottom(self) -> float:
        return self.y_edges[-1]


def detect(head: bytes, name: str) -> bool:
    return head[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in head[:1024]


def read(data: bytes, name: str) -> list[Grid]:
    """Grids of the document: tables (joined across page breaks) and the text between them."""
    _check_streams(data, name)
    items: list[_Table | list[_Line]] = []
    any_text = False
    for page in _pages(data, name):
        any_text = any_text or any(c.text.strip() for c in page.chars)
        items.extend(_page_items(page))
    if not any_text:  # a scan: the registry hands it to the scan reader
        raise ReadError(NO_TEXT, name)
    if not any(isinstance(item, _Table) for item in items):
        return _text_positioned(items, name)
    return _grids(_join_pages(items), name)


@dataclass
class _Page:
    number: int  # 1-based
    height: float
    chars: list[_Char]  # upright characters, "fake bold" copies dropped
    edges: list[dict[str, Any]]  # horizontal and vertical path segments, as pdfplumber's edges


def _pages(data: bytes, name: str) -> Iterator[_Page]:
    """Each page's characters and ruling segments, one page open at a time."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _error(exc, name) from None
    try:
        for index in range(len(pdf)):
            try:
                page = pdf[index]
            except pdfium.PdfiumError as exc:
                raise ReadError(
                    f"PDF 第 {index + 1} 页已损坏，无法读取（{exc}）。请重新导出 PDF，或提交原始 Word/Excel 文件。",
                    name,
                ) from None
            try:
                yield _page(page, index + 1)
            finally:
                page.close()
    finally:
        pdf.close()


def _page(page: Any, number: int) -> _Page:
    import ctypes

    import pypdfium2.raw as raw

    left, _bottom, _right, top = page.get_mediabox()
    height = top - _bottom
    textpage = page.get_textpage()
    tp = textpage.raw
    box = raw.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    chars: list[_Char] = []
    try:
        for i in range(raw.FPDFText_CountChars(tp)):
            if raw.FPDFText_IsGenerated(tp, i) or abs(raw.FPDFText_GetCharAngle(tp, i)) > 0.01:
                continue  # a space or line end PDFium made up, or a character not upright
            code = raw.FPDFText_GetUnicode(tp, i)
            if code in (0, 0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF:
                continue
            raw.FPDFText_GetLooseCharBox(tp, i, box)
            raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
            size = raw.FPDFText_GetFontSize(tp, i)
            base = top - oy.value  # the baseline, as pdfplumber puts a character's bottom
            chars.append(_Char(chr(code), box.left - left, box.right - left, base - size, base, size))
    finally:
        textpage.close()
    return _Page(number, height, _dedupe(chars), _edges(page, left, top))


def _edges(page: Any, left: float, top: float) -> list[dict[str, Any]]:
    """The straight horizontal and vertical segments of the page's paths (its ruling lines)."""
    import ctypes

    import pypdfium2.raw as raw

    edges: list[dict[str, Any]] = []
    fx, fy = ctypes.c_float(), ctypes.c_float()
    matrix = raw.FS_MATRIX()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=4):
        handle = obj.raw
        raw.FPDFPageObj_GetMatrix(handle, matrix)
        a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
        start: tuple[float, float] | None = None
        prev: tuple[float, float] | None = None
        for s in range(raw.FPDFPath_CountSegments(handle)):
            seg = raw.FPDFPath_GetPathSegment(handle, s)
            raw.FPDFPathSegment_GetPoint(seg, fx, fy)
            x, y = fx.value, fy.value
            point = (a * x + c * y + e - left, top - (b * x + d * y + f))
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO:
                start = point
            elif kind == raw.FPDF_SEGMENT_LINETO and prev is not None:
                _edge(edges, prev, point)
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                _edge(edges, point, start)
            prev = point
    return edges


def _edge(edges: list[dict[str, Any]], p: tuple[float, float], q: tuple[float, float]) -> None:
    x0, x1 = min(p[0], q[0]), max(p[0], q[0])
    y0, y1 = min(p[1], q[1]), max(p[1], q[1])
    if abs(y1 - y0) < 0.01:
        orientation = "h"
    elif abs(x1 - x0) < 0.01:
        orientation = "v"
    else:
        return  # a slanted or curved stroke rules no cell
    edges.append({"object_type": "line", "x0": x0, "x1": x1, "top": y0, "bottom": y1, "doctop": y0,
                  "width": x1 - x0, "height": y1 - y0, "orientation": orientation})


_STREAM = re.compile(rb"stream\r?\n")


def _check_streams(data: bytes, name: str) -> None:
    """Refuse a PDF whose compressed streams unpack to more than the limit (a "PDF bomb"), or one
    whose compressed stream is damaged (what it held would be missing without a word).

    Each Flate stream is inflated in pieces that are counted and dropped, before PDFium sees the
    file. A stream that says it is Flate but stops inflating with an error, or runs to the end of
    the file, has lost bytes: the page it draws would lose text or rows, so the file is refused.
    So is a stream whose filter is no filter of the PDF standard, or whose bytes inflate whole
    while its dictionary names no Flate filter (the name was damaged): PDFium draws nothing of it.
    """
    from jixiao.formats.registry import MB, current_limits

    limit = current_limits().max_unpacked_size
    total = 0
    damaged = 0
    unknown: set[bytes] = set()
    for m in _STREAM.finditer(data):
        if data[max(0, m.start() - 3) : m.start()] == b"end":
            continue  # "endstream": the end of the stream before
        inflater = zlib.decompressobj()
        pos = m.end()
        dictionary = data[max(0, m.start() - 1024) : m.start()].rsplit(b"obj", 1)[-1]
        filters = _filters(dictionary)
        flate = b"FlateDecode" in filters or b"Fl" in filters
        if not filters <= STANDARD_FILTERS:
            unknown |= filters - STANDARD_FILTERS
            continue
        try:
            while pos < len(data) and not inflater.eof:
                piece = data[pos : pos + 65536]
                pos += len(piece)
                out = inflater.decompress(piece, MB)
                total += len(out)
                while inflater.unconsumed_tail and not inflater.eof and total <= limit:
                    total += len(inflater.decompress(inflater.unconsumed_tail, MB))
                if total > limit:
                    raise ReadError(
                        f"PDF 中的压缩数据解压后超过 {limit // MB} MB，疑似恶意构造的文件，已拒绝读取。"
                        "请重新导出 PDF，或提交原始 Word/Excel 文件。",
                        name,
                    )
            if flate and not inflater.eof:
                damaged += 1  # the file ends inside the stream
            elif not flate and inflater.eof and b"/Filter" not in dictionary:
                damaged += 1  # compressed, but the dictionary no longer says so
        except zlib.error:
            if flate:
                damaged += 1
            continue  # not a Flate stream (images, or "endstream" matched): nothing to count
    if unknown:
        names = "、".join(sorted("/" + n.decode("latin-1") for n in unknown))
        raise ReadError(
            f"PDF 文件已损坏：其中有数据的压缩方式无法识别（{names}，不是 PDF 标准中的压缩方式），"
            "用它绘制的页面的文字或表格会缺失。请重新导出 PDF，或提交原始 Word/Excel 文件。",
            name,
        )
    if damaged and b"/Encrypt" not in data:  # an encrypted file's streams can't be inflated here
        raise ReadError(
            f"PDF 文件已损坏：其中 {damaged} 段压缩数据无法完整解压，部分页面的文字或表格会缺失。"
            "请重新导出 PDF，或提交原始 Word/Excel 文件。",
            name,
        )


# The filters of ISO 32000-1 §7.4 (and their abbreviations, §8.9.7): PDFium decodes no other.
STANDARD_FILTERS = frozenset(
    b"ASCIIHexDecode ASCII85Decode LZWDecode FlateDecode RunLengthDecode CCITTFaxDecode JBIG2Decode "
    b"DCTDecode JPXDecode Crypt AHx A85 LZW Fl RL CCF DCT".split()
)
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_NAME = re.compile(rb"/([^\s/\[\]<>()]+)")


def _filters(dictionary: bytes) -> frozenset[bytes]:
    """The filter names a stream's dictionary gives (none for an indirect /Filter or none at all)."""
    m = _FILTER.search(dictionary)
    return frozenset(_NAME.findall(m.group(1))) if m else frozenset()


def _error(exc: Exception, name: str) -> ReadError:
    import pypdfium2.raw as raw

    if getattr(exc, "err_code", None) == raw.FPDF_ERR_PASSWORD:
        return ReadError("PDF 已加密（设置了打开密码），无法读取。请取消密码后另存一份再提交。", name)
    return ReadError(
        f"PDF 文件已损坏，无法读取（{exc}）。请重新导出 PDF，或提交原始 Word/Excel 文件。",
        name,
    )


# ---------------------------------------------------------------------------------------------
# Step 1: tables and cells of a page


def _dedupe(chars: list[_Char]) -> list[_Char]:
    """Drop a character printed again within a point of itself: the "fake bold" of Chinese PDFs.

    pdfplumber's dedupe_chars does the same at 40 % of the page's reading time; a grid of
    whole points and its neighbours finds the copies in one pass.
    """
    seen: set[tuple[str, int, int]] = set()
    out = []
    for ch in chars:
        text, x, y = ch.text, round(ch.x0), round(ch.top)
        if any((text, x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            continue
        seen.add((text, x, y))
        out.append(ch)
    return out


def _ruled_cells(edges: list[dict[str, Any]]) -> list[list[tuple[float, float, float, float]]]:
    """The cells of each ruled table, as pdfplumber's find_tables with the "lines" strategy finds them."""
    from pdfplumber import table as finder
    from pdfplumber.utils import filter_edges

    settings = finder.TableSettings()
    edges = filter_edges(edges, min_length=settings.edge_min_length_prefilter)
    edges = finder.merge_edges(edges, settings.snap_x_tolerance, settings.snap_y_tolerance,
                               settings.join_x_tolerance, settings.join_y_tolerance)
    edges = filter_edges(edges, min_length=settings.edge_min_length)
    points = finder.edges_to_intersections(edges, settings.intersection_x_tolerance,
                                           settings.intersection_y_tolerance)
    return finder.cells_to_tables(finder.intersections_to_cells(points))


def _page_items(page: _Page) -> list[_Table | list[_Line]]:
    """The page's tables and the runs of text outside them, top to bottom."""
    tables = []
    for boxes in _ruled_cells(page.edges):
        table = _table(boxes, page.number, page.height)
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: t.top)
    outside: list[_Char] = []
    for ch in page.chars:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        for table in tables:
            if table.x_edges[0] <= cx <= table.x_edges[-1] and table.top <= cy <= table.bottom:
                _assign(table, ch, cx, cy)
                break
        else:
            outside.append(ch)
    items: list[_Table | list[_Line]] = []
    lines = [ln for ln in _lines(outside) if not _page_furniture(ln, page.height)]
    for table in tables:
        table.above = [ln for ln in lines if (ln.chars[0].top + ln.chars[0].bottom) / 2 < table.top]
        lines = lines[len(table.above) :]
        if table.above:
            items.append(table.above)
        _finish(table)
        items.append(table)
    if lines:
        items.append(lines)
    return items


_PAGE_NUMBER = re.compile(
    r"^[-—－–\s]*(?:第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+|"
    r"page\s*\d+(?:\s*of\s*\d+)?)[-—－–\s]*$",
    re.IGNORECASE,
)


def _page_furniture(line: _Line, height: float) -> bool:
    """A page number in the head or foot margin: not part of the form, and it must not stop a
    table that goes on over the page break from being joined."""
    top = line.chars[0].top
    in_margin = top < PAGE_MARGIN * 1.5 or top > height - PAGE_MARGIN * 1.5
    return in_margin and _PAGE_NUMBER.match(line.text) is not None


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > SNAP:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def _table(boxes: list[tuple[float, float, float, float]], page: int, height: float) -> _Table | None:
    if not boxes:
        return None
    xs = _snap([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _snap([b[1] for b in boxes] + [b[3] for b in boxes])
    if len(xs) < 2 or len(ys) < 2:
        return None
    cells = []
    for x0, top, x1, bottom in boxes:
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0:
            continue
        cells.append(_PCell(x0, top, x1, bottom, r0, c0, r1 - r0, c1 - c0))
    cells.sort(key=lambda c: (c.row, c.col))
    return _Table(page, xs, ys, cells, height, rows=len(ys) - 1, last_page=page)


def _assign(table: _Table, ch: _Char, cx: float, cy: float) -> None:
    for cell in table.cells:
        if cell.x0 <= cx <= cell.x1 and cell.top <= cy <= cell.bottom:
            cell.chars.append(ch)
            return


def _finish(table: _Table) -> None:
    """Turn each cell's characters into lines, and measure the padding the writer used."""
    offsets: list[float] = []
    for cell in table.cells:
        cell.lines = _lines(cell.chars)
        cell.chars = []
        offsets.extend(ln.x0 - cell.x0 for ln in cell.lines)
    # The tightest left offset in the table is the cell padding (left-aligned or full lines).
    pad = min((o for o in offsets if o >= 0), default=2.0)
    pad = min(max(pad, 0.0), 12.0)
    for cell in table.cells:
        cell.avail = (cell.x1 - cell.x0) - 2 * pad


# ---------------------------------------------------------------------------------------------
# Step 2: lines and their joining


def _lines(chars: list[_Char]) -> list[_Line]:
    """Characters grouped into lines by their vertical middle, each line left to right."""
    ordered = sorted(chars, key=lambda c: ((c.top + c.bottom) / 2, c.x0))
    lines: list[list[_Char]] = []
    mid = -1e9
    for ch in ordered:
        m = (ch.top + ch.bottom) / 2
        if lines and abs(m - mid) <= max(ch.size, 1.0) * 0.4:
            lines[-1].append(ch)
        else:
            lines.append([ch])
            mid = m
    out = []
    for line in lines:
        line.sort(key=lambda c: c.x0)
        if "".join(c.text for c in line).strip():
            out.append(_Line(line))
    return out


def _is_wide(text: str) -> bool:
    """Whether a character prints full width; a glyph may stand for several characters ("ﬁ" → "fi")."""
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


# Line-breaking rules of CJK typesetting (kinsoku): these never start a line ...
NO_START = frozenset("，。、；：？！）》」』】〕〉”’…—·%‰℃．,.;:?!)]}>")
# ... and these never end one; writers move them to the next line with what follows.
NO_END = frozenset("（《「『【〔〈“‘([{<")
# Quotation marks bind to both sides (UAX #14 class QU), as LibreOffice and Word break lines.
QUOTES = frozenset("“”‘’\"'")


def _first_token_width(line: _Line) -> float:
    """Width of the shortest start of the line that the writer could have moved up.

    One CJK character, or a whole Latin word or number, together with the punctuation that may
    not be parted from it ("济。", "（A）", "分)").
    """
    chars = [c for c in line.chars if c.text.strip()]
    if not chars:
        return 0.0
    end = 0
    while end + 1 < len(chars):
        cur, nxt = chars[end], chars[end + 1]
        gap = nxt.x0 - cur.x1 > 0.3 * nxt.size
        t, u = cur.text, nxt.text
        same_word = not gap and not _is_wide(t) and not _is_wide(u)
        # A number after a closing mark stays with it ("。2、"): observed in LibreOffice's exports.
        after_close = t in NO_START and u.isascii() and u.isalnum()
        if u in NO_START or t in NO_END or t in QUOTES or u in QUOTES or same_word or after_close:
            end += 1
            continue
        break
    return float(chars[end].x1 - chars[0].x0)


def _first_char_width(line: _Line) -> float:
    chars = [c for c in line.chars if c.text.strip()]
    return float(chars[0].x1 - chars[0].x0) if chars else 0.0


def join_lines(lines: list[_Line], avail: float) -> str:
    """The cell's text: wrapped lines joined, real breaks kept as "\\n"."""
    if not lines:
        return ""
    out = lines[0].text
    for prev, line in itertools.pairwise(lines):
        text = line.text
        latin = _latin(out[-1:]) and _latin(text[:1])
        # Between two Latin words the writer would also have needed the space between them.
        space = 0.25 * line.chars[0].size if latin else 0.0
        wrapped = (prev.x1 - prev.x0) + space + _first_token_width(line) > avail - WRAP_TOLERANCE
        if not wrapped:
            out += "\n" + text
        elif latin and (prev.x1 - prev.x0) + _first_char_width(line) <= avail - WRAP_TOLERANCE:
            # Not even one more letter would have been cut off here: the break was at a space.
            out += " " + text
        else:
            out += text
    return out


def _latin(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalpha()


# ---------------------------------------------------------------------------------------------
# Step 3: tables across page breaks


def _continues(prev: _Table, nxt: _Table) -> bool:
    if nxt.page != prev.last_page + 1 or nxt.above:
        return False
    if prev.bottom < prev.page_height - PAGE_MARGIN * 2.5 or nxt.top > PAGE_MARGIN * 2.5:
        return False
    if abs(prev.x_edges[0] - nxt.x_edges[0]) > SNAP * 2 or abs(prev.x_edges[-1] - nxt.x_edges[-1]) > SNAP * 2:
        return False
    return all(any(abs(x - p) <= SNAP * 2 for p in prev.x_edges) for x in nxt.x_edges)


def _join_pages(items: list[_Table | list[_Line]]) -> list[_Table | list[_Line]]:
    out: list[_Table | list[_Line]] = []
    for item in items:
        prev = out[-1] if out else None
        if isinstance(item, _Table) and isinstance(prev, _Table) and _continues(prev, item):
            out[-1] = _merge(prev, item)
        else:
            out.append(item)
    return out


def _merge(prev: _Table, nxt: _Table) -> _Table:
    """One table from a table and its continuation on the next page."""
    xs = _snap(prev.x_edges + nxt.x_edges)
    rows_before = prev.rows
    last_row = [c for c in prev.cells if c.row + c.rowspan == rows_before]
    first_row = [c for c in nxt.cells if c.row == 0]
    split = _is_split_row(last_row, first_row)
    cells = list(prev.cells)
    offset = rows_before - (1 if split else 0)
    for cell in nxt.cells:
        if split and cell.row == 0:
            match = next(
                (c for c in last_row if abs(c.x0 - cell.x0) <= SNAP * 2 and abs(c.x1 - cell.x1) <= SNAP * 2),
                None,
            )
            if match is not None:
                match.lines = match.lines + cell.lines
                if cell.rowspan > 1:
                    match.rowspan += cell.rowspan - 1
                continue
        cell.row += offset
        cells.append(cell)
    for cell in cells:  # columns may have been refined by the continuation
        c0, c1 = _index(xs, cell.x0), _index(xs, cell.x1)
        cell.col, cell.colspan = c0, max(c1 - c0, 1)
    cells.sort(key=lambda c: (c.row, c.col))
    rows = offset + nxt.rows
    return _Table(prev.page, xs, nxt.y_edges, cells, nxt.page_height, rows, nxt.last_page, prev.above)


def _is_split_row(last_row: list[_PCell], first_row: list[_PCell]) -> bool:
    """Whether the first row of the continuation is the rest of the last row, cut by the page.

    A row cut by the page break goes on with text only in the cells that had text above and were
    cut, and at least one of them was cut in mid-text: its last line above is full, the text
    wraps on below. The cells whose text was complete (the numbers) are empty below. A new row,
    by contrast, has text in a cell that was blank or merged from further up in the row above.
    """
    if not first_row or not last_row:
        return False
    bottom_row = max(c.row for c in last_row)
    above = {(round(c.x0), round(c.x1)): c for c in last_row if c.row == bottom_row}
    pairs = []
    for cell in first_row:
        if not cell.lines:
            continue
        match = next(
            (
                c
                for (x0, x1), c in above.items()
                if abs(cell.x0 - x0) <= SNAP * 2 and abs(cell.x1 - x1) <= SNAP * 2
            ),
            None,
        )
        if match is None or not match.lines:
            return False
        pairs.append((match, cell))
    if not pairs:
        return False
    continued = {id(c) for c, _ in pairs}
    emptied = any(c.lines and id(c) not in continued for c in above.values())
    cut_mid_text = any(_wraps(c.lines[-1], n.lines[0], c.avail) for c, n in pairs)
    return emptied and cut_mid_text


def _wraps(prev: _Line, line: _Line, avail: float) -> bool:
    """Whether line continues prev in the same paragraph: the start of line did not fit after it."""
    return (prev.x1 - prev.x0) + _first_token_width(line) > avail - WRAP_TOLERANCE


# ---------------------------------------------------------------------------------------------
# Step 4: grids


def _grids(items: list[_Table | list[_Line]], name: str) -> list[Grid]:
    grids: list[Grid] = []
    for item in items:
        if isinstance(item, _Table):
            last = item.last_page
            sheet = f"第{item.page}页" if last == item.page else f"第{item.page}–{last}页"
            rows: dict[int, list[Cell]] = {}
            for cell in item.cells:
                text = join_lines(cell.lines, cell.avail)
                rows.setdefault(cell.row, []).append(
                    Cell(text, cell.row, cell.col, cell.rowspan, cell.colspan)
                )
            grid_rows = tuple(tuple(sorted(rows.get(r, []), key=lambda c: c.col)) for r in range(item.rows))
            grids.append(Grid(rows=grid_rows, source=name, sheet=sheet))
        elif item:
            texts = [ln.text for ln in item]
            grids.append(
                Grid(rows=tuple((Cell(t, r, 0),) for r, t in enumerate(texts)), source=name, sheet="正文")
            )
    return grids


# ---------------------------------------------------------------------------------------------
# Tables without ruling lines


COLUMN_GAP = 1.0  # in font sizes: a gap this wide between characters of a line separates two cells


def _text_positioned(items: list[_Table | list[_Line]], name: str) -> list[Grid]:
    """One grid from a document with no ruled table, its columns found from where text starts.

    Each text line is a row; its runs of characters separated by a gap of at least an em are its
    cells. The left edges of the cells of every row with more than one cell, snapped together,
    are the columns, and a cell goes in the column whose edge is the nearest at or left of it.
    A line set closer under the one above than half its font size, with text only in columns
    where the line above has text, is the rest of that row's wrapped cells.
    """
    lines = [ln for item in items if isinstance(item, list) for ln in item]
    runs_of = [_runs(ln) for ln in lines]
    starts = _snap_columns([run[0].x0 for runs in runs_of if len(runs) > 1 for run in runs])
    rows: list[dict[int, str]] = []
    prev_bottom = -1e9
    for line, runs in zip(lines, runs_of, strict=True):
        row: dict[int, str] = {}
        for run in runs:
            col = _column(starts, run[0].x0)
            text = _Line(run).text
            row[col] = (row[col] + " " + text) if col in row else text
        top = min(c.top for c in line.chars)
        size = max(c.size for c in line.chars)
        if rows and 0 <= top - prev_bottom < 0.5 * size and set(row) <= set(rows[-1]):
            for col, text in row.items():
                above = rows[-1][col]
                rows[-1][col] = above + (" " if _latin(above[-1:]) and _latin(text[:1]) else "") + text
        else:
            rows.append(row)
        prev_bottom = max(c.bottom for c in line.chars)
    cells = tuple(tuple(Cell(text, r, col) for col, text in sorted(row.items())) for r, row in enumerate(rows))
    return [Grid(rows=cells, source=name, sheet="正文")]


def _runs(line: _Line) -> list[list[_Char]]:
    runs: list[list[_Char]] = [[line.chars[0]]]
    for prev, ch in itertools.pairwise(line.chars):
        if ch.x0 - prev.x1 >= COLUMN_GAP * max(ch.size, 1.0):
            runs.append([ch])
        else:
            runs[-1].append(ch)
    return [run for run in runs if "".join(c.text for c in run).strip()]


def _snap_columns(xs: list[float]) -> list[float]:
    out: list[float] = []
    for x in sorted(xs):
        if not out or x - out[-1] > 3 * SNAP:
            out.append(x)
    return out


def _column(starts: list[float], x: float) -> int:
    col = 0
    for i, start in enumerate(starts):
        if start <= x + 3 * SNAP:
            col = i
    return col


# ---------------------------------------------------------------------------------------------
# Looking at what was found


def debug_image(data: bytes, page: int, path: str, resolution: int = 96) -> None:
    """Save a PNG of one page (1-based) with the ruled cells found and the text lines in them.

    For finding out why a PDF reads wrongly: cells are outlined in red, each line of a cell's
    text in blue, text outside the tables in green.
    """
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    pdf = pdfium.PdfDocument(data)
    try:
        pg = pdf[page - 1]
        found = _page(pg, page)
        image = pg.render(scale=resolution / 72).to_pil().convert("RGB")
        pg.close()
    finally:
        pdf.close()
    draw = ImageDraw.Draw(image)
    k = resolution / 72

    def rect(box: tuple[float, float, float, float], colour: str) -> None:
        draw.rectangle(tuple(v * k for v in box), outline=colour, width=1)

    for item in _page_items(found):
        if isinstance(item, _Table):
            for c in item.cells:
                rect((c.x0, c.top, c.x1, c.bottom), "red")
            lines = [ln for c in item.cells for ln in c.lines]
            colour = "blue"
        else:
            lines, colour = item, "green"
        for ln in lines:
            rect((ln.x0, min(c.top for c in ln.chars), ln.x1, max(c.bottom for c in ln.chars)), colour)
    image.save(path)
