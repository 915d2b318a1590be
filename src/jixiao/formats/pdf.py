"""PDF reader: the ruled tables that Word, WPS and LibreOffice export, as grids with spans.

A chain of small steps, in the manner of pdfplumber's own table code:
1. pdfplumber finds each page's ruled tables; the distinct x and y edges of their cells make the
   columns and rows, so a cell's bounding box gives its row, column and spans.
2. The characters inside a cell make lines; a line break is kept ("\\n") only where it is real:
   when the next line's first word would have fitted after the line, the writer broke the line on
   purpose; otherwise the text wrapped in a narrow cell, and the lines are joined without a space
   ("=100" + "%" → "=100%"), or with one where a Latin word wrapped at a space.
3. A table that runs to the foot of a page and goes on at the top of the next, with the same
   columns, is one grid; a row cut by the page break is joined back into one row.
4. Text outside the tables (the title, the year line) comes as one-cell rows, in page order.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.grid import Cell, Grid

EXTENSIONS = (".pdf",)

SNAP = 1.5  # points: edges closer than this are one edge
WRAP_TOLERANCE = 0.8  # points: measuring noise when testing whether a word would have fitted
PAGE_MARGIN = 60.0  # points: a table this close to the page foot/head may continue across pages

NO_TEXT = "该 PDF 没有文字层（可能是扫描件），请提供原始 Word/Excel 文件或先做文字识别"


@dataclass
class _Line:
    chars: list[dict[str, Any]]

    @property
    def x0(self) -> float:
        return float(self.chars[0]["x0"])

    @property
    def x1(self) -> float:
        return float(self.chars[-1]["x1"])

    @property
    def text(self) -> str:
        out: list[str] = []
        prev: dict[str, Any] | None = None
        for ch in self.chars:
            if prev is not None and ch["x0"] - prev["x1"] > 0.3 * float(ch["size"]) and out[-1] != " ":
                out.append(" ")
            out.append(ch["text"])
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
    chars: list[dict[str, Any]] = field(default_factory=list)
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
    import pdfplumber

    # pdfminer warns on stderr about every oddity of a damaged file; the ReadError says enough.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    _check_streams(data, name)
    items: list[_Table | list[_Line]] = []
    any_text = False
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                chars = _dedupe([c for c in page.chars if c.get("upright", True)])
                any_text = any_text or any(c["text"].strip() for c in chars)
                items.extend(_page_items(page, number, chars))
    except ReadError:
        raise
    except Exception as exc:
        raise _error(exc, name) from None
    if not any_text:  # a scan: its pages are images
        from jixiao.formats import scan

        return scan.read_pdf(data, name)
    return _grids(_join_pages(items), name)


_STREAM = re.compile(rb"stream\r?\n")


def _check_streams(data: bytes, name: str) -> None:
    """Refuse a PDF whose compressed streams unpack to more than the limit (a "PDF bomb").

    pdfminer inflates every stream whole, in memory; here each Flate stream is inflated in
    pieces that are counted and dropped, before pdfminer sees the file.
    """
    from jixiao.formats.registry import MB, current_limits

    limit = current_limits().max_unpacked_size
    total = 0
    for m in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        pos = m.end()
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
        except zlib.error:
            continue  # not a Flate stream (images, or "endstream" matched): nothing to count


def _error(exc: Exception, name: str) -> ReadError:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    causes = [exc, *exc.args, exc.__cause__, exc.__context__]
    if any(isinstance(c, PDFPasswordIncorrect | PDFEncryptionError) for c in causes):
        return ReadError("PDF 已加密（设置了打开密码），无法读取。请取消密码后另存一份再提交。", name)
    return ReadError(
        f"PDF 文件已损坏，无法读取（{type(exc).__name__}）。请重新导出 PDF，或提交原始 Word/Excel 文件。",
        name,
    )


# ---------------------------------------------------------------------------------------------
# Step 1: tables and cells of a page


def _dedupe(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop a character printed again within a point of itself: the "fake bold" of Chinese PDFs.

    pdfplumber's dedupe_chars does the same at 40 % of the page's reading time; a grid of
    whole points and its neighbours finds the copies in one pass.
    """
    seen: set[tuple[str, int, int]] = set()
    out = []
    for ch in chars:
        text, x, y = ch["text"], round(ch["x0"]), round(ch["top"])
        if any((text, x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            continue
        seen.add((text, x, y))
        out.append(ch)
    return out


def _page_items(page: Any, number: int, chars: list[dict[str, Any]]) -> list[_Table | list[_Line]]:
    """The page's tables and the runs of text outside them, top to bottom."""
    tables = []
    for found in page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"}):
        table = _table(found.cells, number, float(page.height))
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: t.top)
    outside: list[dict[str, Any]] = []
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        for table in tables:
            if table.x_edges[0] <= cx <= table.x_edges[-1] and table.top <= cy <= table.bottom:
                _assign(table, ch, cx, cy)
                break
        else:
            outside.append(ch)
    items: list[_Table | list[_Line]] = []
    height = float(page.height)
    lines = [ln for ln in _lines(outside) if not _page_furniture(ln, height)]
    for table in tables:
        table.above = [ln for ln in lines if (ln.chars[0]["top"] + ln.chars[0]["bottom"]) / 2 < table.top]
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
    top = float(line.chars[0]["top"])
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


def _assign(table: _Table, ch: dict[str, Any], cx: float, cy: float) -> None:
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


def _lines(chars: list[dict[str, Any]]) -> list[_Line]:
    """Characters grouped into lines by their vertical middle, each line left to right."""
    ordered = sorted(chars, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"]))
    lines: list[list[dict[str, Any]]] = []
    mid = -1e9
    for ch in ordered:
        m = (ch["top"] + ch["bottom"]) / 2
        if lines and abs(m - mid) <= max(float(ch["size"]), 1.0) * 0.4:
            lines[-1].append(ch)
        else:
            lines.append([ch])
            mid = m
    out = []
    for line in lines:
        line.sort(key=lambda c: c["x0"])
        if "".join(c["text"] for c in line).strip():
            out.append(_Line(line))
    return out


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


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
    chars = [c for c in line.chars if c["text"].strip()]
    if not chars:
        return 0.0
    end = 0
    while end + 1 < len(chars):
        cur, nxt = chars[end], chars[end + 1]
        gap = nxt["x0"] - cur["x1"] > 0.3 * float(nxt["size"])
        t, u = cur["text"], nxt["text"]
        same_word = not gap and not _is_wide(t) and not _is_wide(u)
        # A number after a closing mark stays with it ("。2、"): observed in LibreOffice's exports.
        after_close = t in NO_START and u.isascii() and u.isalnum()
        if u in NO_START or t in NO_END or t in QUOTES or u in QUOTES or same_word or after_close:
            end += 1
            continue
        break
    return float(chars[end]["x1"] - chars[0]["x0"])


def _first_char_width(line: _Line) -> float:
    chars = [c for c in line.chars if c["text"].strip()]
    return float(chars[0]["x1"] - chars[0]["x0"]) if chars else 0.0


def join_lines(lines: list[_Line], avail: float) -> str:
    """The cell's text: wrapped lines joined, real breaks kept as "\\n"."""
    if not lines:
        return ""
    out = lines[0].text
    for prev, line in itertools.pairwise(lines):
        text = line.text
        latin = _latin(out[-1:]) and _latin(text[:1])
        # Between two Latin words the writer would also have needed the space between them.
        space = 0.25 * float(line.chars[0]["size"]) if latin else 0.0
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
# Looking at what was found


def debug_image(data: bytes, page: int, path: str, resolution: int = 96) -> None:
    """Save a PNG of one page (1-based) with the ruled cells found and the text lines in them.

    For finding out why a PDF reads wrongly: cells are outlined in red, each line of a cell's
    text in blue, text outside the tables in green.
    """
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pg = pdf.pages[page - 1]
        chars = [c for c in pg.chars if c.get("upright", True)]
        image = pg.to_image(resolution=resolution)
        for item in _page_items(pg, page, chars):
            if isinstance(item, _Table):
                image.draw_rects(
                    [(c.x0, c.top, c.x1, c.bottom) for c in item.cells], stroke="red", fill=(0, 0, 0, 0)
                )
                lines = [ln for c in item.cells for ln in c.lines]
                colour = "blue"
            else:
                lines, colour = item, "green"
            boxes = [
                (ln.x0, min(c["top"] for c in ln.chars), ln.x1, max(c["bottom"] for c in ln.chars))
                for ln in lines
            ]
            image.draw_rects(boxes, stroke=colour, fill=(0, 0, 0, 0), stroke_width=1)
        image.save(path)
