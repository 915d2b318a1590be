"""PDF reader: the ruled tables that Word, WPS and LibreOffice export, as grids with spans.

A chain of small steps, in the manner of pdfplumber's own table code:
0. PDFium (pypdfium2, compiled) gives each page's characters with their boxes and the straight
   segments of its paths, one page at a time (a page is closed before the next is opened, so a
   500-page file reads in the memory of one page plus the small tables found so far); a stream
   that is damaged or unpacks to too much is refused before PDFium sees the file (this module).
1. The segments rule the page's tables into cells with their spans, the characters go in the
   cells, and a table cut by a page break is joined back into one (pdf_tables).
2. The characters inside a cell make lines, joined into the cell's text where they only wrapped,
   kept apart where the writer broke the line (pdf_text).
3. Each table is a grid, the text outside the tables (the title, the year line) one-cell rows in
   page order; a document with no ruled table at all is read from the characters' positions
   instead (pdf_grids).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.grid import Grid
from jixiao.formats.limits import check_time
from jixiao.formats.pdf_grids import grids, text_positioned
from jixiao.formats.pdf_tables import Item, Table, join_pages, page_items, place_chars, ruled_cells, table_of
from jixiao.formats.pdf_text import Char, dedupe

EXTENSIONS = (".pdf",)

NO_TEXT = "该 PDF 没有文字层（可能是扫描件），请提供原始 Word/Excel 文件或先做文字识别"


def detect(head: bytes, name: str) -> bool:
    return head[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in head[:1024]


def read(data: bytes, name: str) -> list[Grid]:
    """Grids of the document: tables (joined across page breaks) and the text between them."""
    _check_streams(data, name)
    found, empty = grids_of_pages(_pages(data, name), name, NO_TEXT)  # no text: a scan, for the scan reader
    if empty and _LOST_CONTENTS.search(data):
        pages = "、".join(map(str, empty))
        raise ReadError(
            f"PDF 文件已损坏：第 {pages} 页的页面内容缺失（页面设置中找不到“/Contents”），这些页上的文字和表格无法读出，"
            "其余页面已读取。请重新导出 PDF，或提交原始 Word/Excel 文件。",
            name,
            grids=found,
        )
    return found


# A page's dictionary without its /Contents: a page that draws nothing. A blank page may be written so,
# but a page of a form whose key was damaged is too, and the page would be lost in silence; told apart
# by PDFium finding nothing drawn on the page (such a page is reported, its document still read).
_LOST_CONTENTS = re.compile(rb"<<(?:(?!<<|>>|/Contents)[^\x00])*?/Type\s*/Page(?![A-Za-z])(?:(?!<<|>>|/Contents)[^\x00])*>>")


def grids_of_pages(pages: Iterable[PageContent], name: str, no_text: str) -> tuple[list[Grid], list[int]]:
    """The grids of a fixed-layout document's pages (a PDF's, an OFD's): ruled tables joined across page breaks,
    else tables placed by their text; and the numbers of the pages that draw nothing. ReadError(no_text) when no
    page has any text."""
    items: list[Item] = []
    any_text = False
    empty: list[int] = []
    for page in pages:
        check_time(name)
        any_text = any_text or any(c.text.strip() for c in page.chars)
        items.extend(page_items_of(page))
        if not page.drawn:
            empty.append(page.number)
    if not any_text:
        raise ReadError(no_text, name)
    if not any(isinstance(item, Table) for item in items):
        return text_positioned(items, name), empty
    return grids(join_pages(items), name), empty


@dataclass
class PageContent:
    number: int  # 1-based
    height: float
    chars: list[Char]  # upright characters, "fake bold" copies dropped
    edges: list[dict[str, Any]]  # horizontal and vertical path segments, as pdfplumber's edges
    drawn: int  # objects on the page (text, paths, images): 0 for a page that draws nothing


def _pages(data: bytes, name: str) -> Iterator[PageContent]:
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


def _page(page: Any, number: int) -> PageContent:
    import ctypes

    import pypdfium2.raw as raw

    left, _bottom, _right, top = page.get_mediabox()
    height = top - _bottom
    textpage = page.get_textpage()
    tp = textpage.raw
    box = raw.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    chars: list[Char] = []
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
            chars.append(Char(chr(code), box.left - left, box.right - left, base - size, base, size))
    finally:
        textpage.close()
    return PageContent(number, height, dedupe(chars), _edges(page, left, top), raw.FPDFPage_CountObjects(page.raw))


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
                add_edge(edges, prev, point)
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                add_edge(edges, point, start)
            prev = point
    return edges


def add_edge(edges: list[dict[str, Any]], p: tuple[float, float], q: tuple[float, float]) -> None:
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
    from jixiao.formats.limits import MB, current_limits

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


def page_items_of(page: PageContent) -> list[Item]:
    """The page's ruled tables and the runs of text outside them, top to bottom."""
    tables = [t for boxes in ruled_cells(page.edges) if (t := table_of(boxes, page.number, page.height)) is not None]
    tables.sort(key=lambda t: t.top)
    return page_items(tables, place_chars(tables, page.chars), page.height)


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

    for item in page_items_of(found):
        if isinstance(item, Table):
            for c in item.cells:
                rect((c.x0, c.top, c.x1, c.bottom), "red")
            lines = [ln for c in item.cells for ln in c.lines]
            colour = "blue"
        else:
            lines, colour = item, "green"
        for ln in lines:
            rect((ln.x0, min(c.top for c in ln.chars), ln.x1, max(c.bottom for c in ln.chars)), colour)
    image.save(path)
