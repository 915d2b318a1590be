"""HTML reader: one grid per <table> (nested tables too), rowspan/colspan as spans.

Published forms come as hand-made pages, Word's "save as web page" and pages that Excel exports
(sometimes named .xls). The encoding is taken from a byte-order mark, else from the declared
charset if the bytes decode with it, else UTF-8, else GB18030 (a superset of GBK and GB2312), so
an undeclared GBK page reads correctly. Cell text is what a browser shows: runs of blanks
collapse to one, <br> and block elements (p, div, li) break the line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.containers import is_ole2, is_zip
from jixiao.formats.grid import Cell, Grid
from jixiao.formats.limits import check_chars, check_time, clamp_span, current_limits, too_deep, too_large

EXTENSIONS = (".html", ".htm", ".mht", ".mhtml")

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_XML_ENC_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_BLANKS_RE = re.compile(r"[ \t\r\n\f\v]+")
_UNUSUAL_BLANK = re.compile(r"[\t\r\n\f\v\xa0]|  ")  # without one, collapsing blanks changes nothing
_BLOCK = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "blockquote",
        "address",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "tr",
    ]
)
_SKIP = frozenset(("script", "style", "head", "title", "noscript", "template"))
_BREAK = "\x00"  # a real line break while blanks are being collapsed
_TABLE_OPEN = re.compile(rb"<table[\s>/]", re.IGNORECASE)
_TABLE_CLOSE = re.compile(rb"</table\s*>", re.IGNORECASE)
_HTML_OPEN = re.compile(rb"<html[\s>]", re.IGNORECASE)  # a whole page (Word, Excel, browsers) ends with </html>
_HTML_CLOSE = re.compile(rb"</html\s*>", re.IGNORECASE)
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_:][-A-Za-z0-9_:.]*")  # a name that isn't one is markup a lost quote or > swallowed


def detect(data: bytes, name: str) -> bool:
    """A web page, or a "single file web page" (.mht) holding one (never a zip or OLE2 container,
    which may hold a page stored uncompressed)."""
    if is_zip(data) or is_ole2(data):
        return False
    return _looks_like_html(data) or is_mhtml(data)


def _looks_like_html(head: bytes) -> bool:
    sample = head[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            sample = sample.decode("utf-16").encode("ascii", "ignore")
        except UnicodeDecodeError:
            return False
    low = sample.lower()
    return any(tag in low for tag in (b"<html", b"<table", b"<!doctype html", b"<body"))


def encoding_of(data: bytes) -> str:
    """BOM, then UTF-8 if the bytes are UTF-8, then the declared charset, then GB18030.

    Valid UTF-8 comes before the declaration: GBK text is almost never valid UTF-8, while pages
    re-saved as UTF-8 often keep their old "gb2312" declaration (and GB18030 decodes anything).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    m = _CHARSET_RE.search(data[:4096]) or _XML_ENC_RE.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii").lower()
        if declared in ("gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "euc-cn"):
            declared = "gb18030"  # what browsers do: GB2312/GBK pages use GBK's superset
        try:
            data.decode(declared)
            return declared
        except (UnicodeDecodeError, LookupError):
            pass
    return "gb18030"


def decode(data: bytes) -> str:
    """The page as text (see encoding_of)."""
    return data.decode(encoding_of(data), "replace")


def _bytes_and_encoding(data: bytes) -> tuple[str, bytes]:
    """UTF-8 bytes for the parser, re-encoded only when the page is in another encoding."""
    enc = encoding_of(data)
    if enc == "utf-8":
        return enc, data
    return "utf-8", data.decode(enc, "replace").encode("utf-8")


def is_mhtml(head: bytes) -> bool:
    """Word's and browsers' "single file web page": a MIME message holding the HTML."""
    low = head[:4096].lower()
    return b"mime-version:" in low and b"multipart/related" in low


def _mhtml_page(data: bytes, name: str) -> bytes:
    """The HTML part of an MHTML file, re-encoded as UTF-8 with its charset declared."""
    import email
    import email.policy

    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            charset = part.get_content_charset()
            if charset:
                try:
                    text = payload.decode("gb18030" if charset.lower() in ("gb2312", "gbk") else charset)
                except (LookupError, UnicodeDecodeError):
                    text = payload.decode(encoding_of(payload), "replace")
                return b"\xef\xbb\xbf" + text.encode("utf-8")
            return payload
    raise ReadError("单个文件网页（.mht）中没有网页内容。请用 Word 打开后另存为 .docx 再提交。", name)


def read(data: bytes, name: str) -> list[Grid]:
    """One grid per table, in document order (an outer table before the tables inside it).

    A page cut short (a table opened and never closed: a truncated download or upload) gives a
    ReadError that names the damage and carries the grids read, so no form is lost in silence.
    """
    from lxml import etree

    if is_mhtml(data):
        data = _mhtml_page(data, name)
    cut = _cut_in_character(data)
    if cut:
        data = data[:cut]  # UTF-8 up to a character cut at the very end: not a GBK page
    encoding, body = _bytes_and_encoding(data)
    check_chars(len(body), name)
    # lxml's plain tree, not lxml.html's element classes: the same parser at a third of the cost.
    # huge_tree lifts libxml2's depth limit of 256, which would drop the rest of a deep page in
    # silence; the depth is bounded by the limits while walking instead.
    parser = etree.HTMLParser(
        encoding=encoding, remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    try:
        root = etree.fromstring(body, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ReadError(f"网页内容无法解析（{exc}）。请在浏览器中打开确认后另存为网页再试。", name) from None
    if any("Excessive depth" in e.message for e in parser.error_log):
        raise too_deep(2048, name, "网页")
    if root is None:
        raise ReadError("网页是空的，没有表格。请确认文件内容完整。", name)
    grids: list[Grid] = []
    parts: list[str] = []
    others: list[tuple[int, Any]] = []  # what the tables held besides rows and cells
    tables = _document(root, parts, grids, name, 0, others)
    _flush(parts, grids, name)
    broken = _broken_cells(root)
    if broken:
        raise ReadError(
            f"网页的表格标记已损坏（{broken} 个单元格的属性没有正确结束，其中的文字无法读出），"
            f"已读出的 {tables} 个表格可能不完整。请重新导出网页，或提交原始 Word/Excel 文件。",
            name,
            grids=grids,
        )
    cells = sum(len(row) for grid in grids if grid.sheet != "正文" for row in grid.rows)
    stray = _stray_text(root, others, tables, cells)
    if stray:
        where = "；".join(f"表格{t}中的“{text}”" if t else f"表格之外的单元格“{text}”" for t, text in stray[:3])
        raise ReadError(
            f"网页的表格标记已损坏：{len(stray)} 处文字不在表格的单元格中（{where}），"
            f"可能是表格或单元格的标记（如 <table>、<td>）被改坏，这些文字没有读入，已读出的 {tables} 个表格可能不完整。"
            "请重新导出网页，或提交原始 Word/Excel 文件。",
            name,
            grids=grids,
        )
    broken_tags = _broken_tags(grids, parser.error_log)
    if broken_tags:
        raise ReadError(
            f"网页的表格标记已损坏（{'；'.join(broken_tags[:3])}），相邻单元格的文字可能被合并或当作文字读入，"
            f"已读出的 {tables} 个表格可能不完整。请重新导出网页，或提交原始 Word/Excel 文件。",
            name,
            grids=grids,
        )
    unclosed = len(_TABLE_OPEN.findall(body)) - len(_TABLE_CLOSE.findall(body))
    ended = _HTML_CLOSE.search(body, max(0, len(body) - 65536)) is not None or not _HTML_OPEN.search(body, 0, 4096)
    if unclosed > 0 or cut or not ended:
        what = f"有 {unclosed} 个表格没有结尾" if unclosed > 0 else "结尾处的文字被截断" if cut else "缺少网页的结尾 </html>"
        raise ReadError(
            f"网页文件不完整（{what}），"
            f"可能上传或下载时被截断，已读出的 {tables} 个表格中最后一个可能缺少内容。请重新导出或重新上传完整的文件。",
            name,
            grids=grids,
        )
    if not tables:
        raise ReadError("网页中没有表格。请确认文件是含自评表表格的网页，或提交原始 Word/Excel 文件。", name)
    return grids


def _broken_cells(root: Any) -> int:
    """Cells whose attribute swallowed markup (a quote lost: colspan="2#>项目名称</td>…): their text is
    gone into the attribute, and with it, maybe, a form."""
    broken = 0
    for el in root.iter("td", "th", "tr", "table"):
        keys = el.keys()  # keys() and values() are lists made in C: half the cost of attrib.items()
        if keys and ("<" in "".join(el.values()) or not all(map(_good_name, keys))):
            broken += 1
    return broken


@lru_cache(maxsize=256)
def _good_name(key: str) -> bool:
    """Whether an attribute's name is a name (a page uses a handful of them, in every cell)."""
    return _ATTRIBUTE_NAME.fullmatch(key) is not None


_TABLE_PARTS = frozenset(("tr", "td", "th", "caption", "colgroup", "col"))


def _stray_text(root: Any, read: list[tuple[int, Any]], tables_read: int, cells_read: int) -> list[tuple[int, str]]:
    """Text of a table's that is in no cell of a table, as (table number, 0 for none; its start).

    An element that should be a cell or a row and isn't (<td colspan="2"> with its space damaged is
    a <tdwcolspan="2"> element), or cells whose table isn't one (<table> damaged into <tablx>): the
    reader reads tables' cells only, so the text, and maybe the form it starts, would be lost in silence.
    `read`: what the tables read held besides rows and cells (see _rows_of); tables the walk did not read
    (hidden ones) are looked at here, and cells outside any table when the page has more than were read.
    """
    suspects = read
    tables = list(root.iter("table"))
    if len(tables) > tables_read:
        suspects = []
        for number, table in enumerate(tables, 1):
            for child in _row_parents(table):
                inside = [c for c in child if c.tag not in ("td", "th")] if child.tag == "tr" else [child]
                suspects += [(number, el) for el in inside]
    found = [(n, t) for n, el in suspects if el.tag not in _TABLE_PARTS and (t := _start_of(el))]
    if _count(root.iter("td", "th")) > cells_read:
        for cell in root.iter("td", "th"):  # some cell has no table around it: find which
            if next(cell.iterancestors("table"), None) is None and (t := _start_of(cell)):
                found.append((0, t))
    return found


def _count(elements: Any) -> int:
    return len(list(elements))


_TABLE_TAG = r"(?:td|th|tr|table)(?![A-Za-z])"
_STRAY_END_TAG = re.compile(r"Unexpected end tag : (" + _TABLE_TAG + ")")  # libxml2's words for it
_TAG_AS_TEXT = re.compile(r"<[^\w\s<>]{0,2}/?" + _TABLE_TAG, re.IGNORECASE)


def _broken_tags(grids: list[Grid], errors: Any) -> list[str]:
    """Where a table's tag was damaged without leaving text outside the cells: an end tag the parser
    found nothing open for (</td?> swallows the next cell's start tag, joining two cells' text), or a
    tag that became text in a cell (项目名称<.td>). Either changes a label, and a form may go unseen."""
    found = [f"第 {e.line} 行多余的结束标记 </{m.group(1)}>" for e in errors if (m := _STRAY_END_TAG.search(e.message))]
    for grid in grids:
        texts = [c.text for row in grid.rows for c in row]
        if _TAG_AS_TEXT.search("\n".join(texts)):  # one search a table; the cells only if it finds one
            found += [f"{grid.sheet}中的“{text[:16]}”" for text in texts if _TAG_AS_TEXT.search(text)]
    return found


def _start_of(el: Any) -> str:
    """The first characters of an element's text ("" for none, or for a comment)."""
    if not isinstance(el.tag, str):
        return ""
    text = _BLANKS_RE.sub(" ", "".join(el.itertext())).strip()
    return text[:12] + ("…" if len(text) > 12 else "")


def _cut_in_character(data: bytes) -> int:
    """Where UTF-8 that is valid up to a character cut at the very end should stop (0: not so)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            try:
                data[: exc.start].decode("utf-8")
                return exc.start
            except UnicodeDecodeError:
                return 0
    return 0


def _document(el: Any, parts: list[str], grids: list[Grid], name: str, depth: int,
              others: list[tuple[int, Any]]) -> int:
    """Walk the page: text outside tables becomes one-cell rows, each table (and nested) a grid."""
    if depth > current_limits().max_nesting:
        raise too_deep(depth, name, "网页")
    tables = 0
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag
        if tag == "table":
            _flush(parts, grids, name)
            for table in child.iter("table"):
                grid = _read_table(table, name, tables + 1, others)
                tables += 1
                if grid.rows:
                    grids.append(grid)
        elif tag == "br":
            parts.append(_BREAK)
        elif isinstance(tag, str) and tag not in _SKIP and not _hidden(child):
            block = tag in _BLOCK or tag == "body"
            if block:
                parts.append(_BREAK)
            tables += _document(child, parts, grids, name, depth + 1, others)
            if block:
                parts.append(_BREAK)
        if child.tail:
            parts.append(child.tail)
    return tables


def _flush(parts: list[str], grids: list[Grid], name: str) -> None:
    """Text outside tables (the title, the year line) as a grid of one-cell rows."""
    lines = _lines("".join(parts))
    parts.clear()
    if lines:
        grids.append(
            Grid(rows=tuple((Cell(t, r, 0),) for r, t in enumerate(lines)), source=name, sheet="正文")
        )


def _lines(raw: str) -> list[str]:
    lines = (_BLANKS_RE.sub(" ", line).replace("\xa0", " ").strip() for line in raw.split(_BREAK))
    return [line for line in lines if line]


def _rows_of(table: Any, number: int, others: list[tuple[int, Any]]) -> list[list[Any]]:
    """The cells of each row. Cells that stand directly in the table or its body (a damaged or
    hand-made page whose <tr> is missing) make a row of their own, as a browser shows them. What is
    neither a row nor a cell goes to `others`, as (the table's number, the element), for _stray_text."""
    rows: list[list[Any]] = []
    loose: list[Any] = []
    for child in _row_parents(table):
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("td", "th"):
            loose.append(child)
            continue
        if loose:
            rows.append(loose)
            loose = []
        if tag == "tr":
            cells = [c for c in child if c.tag in ("td", "th")]
            if len(cells) < len(child):
                others += [(number, c) for c in child if c.tag not in ("td", "th")]
            rows.append(cells)
        else:
            others.append((number, child))
    if loose:
        rows.append(loose)
    return rows


def _row_parents(table: Any) -> list[Any]:
    out: list[Any] = []
    for child in table:
        if child.tag in ("thead", "tbody", "tfoot"):
            out.extend(child)
        else:
            out.append(child)
    return out


def _span(raw: str | None) -> int:
    if not raw or raw == "1":
        return 1
    digits = raw if raw.isdigit() else (m.group(1) if (m := re.match(r"\s*(\d+)", raw)) else "1")
    # colspan="100000000" must not allocate a row of that width: clamped to the limits' span.
    return clamp_span(int(digits[:12]))


def _read_table(table: Any, name: str, number: int, others: list[tuple[int, Any]]) -> Grid:
    sheet = f"表格{number}"
    lim = current_limits()
    taken: set[tuple[int, int]] = set()  # positions covered by a span from a row above
    out: list[tuple[Cell, ...]] = []
    for r, tr in enumerate(_rows_of(table, number, others)):
        check_time(name)
        if r >= lim.max_rows:
            raise too_large(r + 1, 1, name, f"网页的{sheet}")
        col = 0
        cells = []
        for td in tr:
            if taken:
                while (r, col) in taken:
                    col += 1
            rs, cs = (_span(td.get("rowspan")), _span(td.get("colspan"))) if td.keys() else (1, 1)
            if col + cs > lim.max_columns:
                raise too_large(r + 1, col + cs, name, f"网页的{sheet}")
            cells.append(Cell(cell_text(td), r, col, rs, cs))
            if rs > 1:
                if len(taken) + rs * cs > lim.max_cells:
                    raise too_large(r + rs, col + cs, name, f"网页的{sheet}（rowspan/colspan 异常）")
                taken.update((rr, cc) for rr in range(r + 1, r + rs) for cc in range(col, col + cs))
            col += cs
        out.append(tuple(cells))
    while out and not out[-1]:
        out.pop()
    return Grid(rows=tuple(out), source=name, sheet=sheet)


def cell_text(td: Any) -> str:
    """The text a browser shows in a cell, without the text of tables nested in it."""
    if len(td) == 0:  # no child elements: most cells
        text = td.text
        if not text:
            return ""
        return _BLANKS_RE.sub(" ", text).replace("\xa0", " ").strip() if _UNUSUAL_BLANK.search(text) else text.strip()
    parts: list[str] = []
    _walk(td, parts, 0)
    raw = "".join(parts)
    if _BREAK not in raw:
        return _BLANKS_RE.sub(" ", raw).replace("\xa0", " ").strip()
    return "\n".join(_lines(raw))


def _walk(el: Any, parts: list[str], depth: int) -> None:
    if depth > current_limits().max_nesting:
        raise too_deep(depth, "", "网页")
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            if tag == "br":
                parts.append(_BREAK)
            elif tag == "table" or tag in _SKIP or _hidden(child):
                pass
            elif tag in _BLOCK:
                parts.append(_BREAK)
                _walk(child, parts, depth + 1)
                parts.append(_BREAK)
            else:
                _walk(child, parts, depth + 1)
        if child.tail:
            parts.append(child.tail)


def _hidden(el: Any) -> bool:
    style = el.get("style")
    return bool(style) and "display" in style and re.search(r"display\s*:\s*none", style) is not None
