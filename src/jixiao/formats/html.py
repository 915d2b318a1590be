"""HTML reader: one grid per <table> (nested tables too), rowspan/colspan as spans.

Published forms come as hand-made pages, Word's "save as web page" and pages that Excel exports
(sometimes named .xls). The encoding is taken from a byte-order mark, else from the declared
charset if the bytes decode with it, else UTF-8, else GB18030 (a superset of GBK and GB2312), so
an undeclared GBK page reads correctly. Cell text is what a browser shows: runs of blanks
collapse to one, <br> and block elements (p, div, li) break the line.
"""

from __future__ import annotations

import re
from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.grid import Cell, Grid

EXTENSIONS = (".html", ".htm", ".mht", ".mhtml")

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_XML_ENC_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_BLANKS_RE = re.compile(r"[ \t\r\n\f\v]+")
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
_MAX_SPAN = 1000  # colspan="100000000" must not allocate a row of that width
_MAX_CELLS = 1_000_000  # ... nor many such cells a table of that area


def detect(head: bytes, name: str) -> bool:
    from jixiao.formats.registry import detect_format

    return detect_format(head, name) == "html"


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
    """One grid per table, in document order (an outer table before the tables inside it)."""
    from lxml import etree

    if is_mhtml(data):
        data = _mhtml_page(data, name)
    encoding, body = _bytes_and_encoding(data)
    # lxml's plain tree, not lxml.html's element classes: the same parser at a third of the cost.
    parser = etree.HTMLParser(
        encoding=encoding, remove_comments=True, remove_pis=True, no_network=True, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ReadError(f"网页内容无法解析（{exc}）。请在浏览器中打开确认后另存为网页再试。", name) from None
    if root is None:
        raise ReadError("网页是空的，没有表格。请确认文件内容完整。", name)
    grids: list[Grid] = []
    parts: list[str] = []
    tables = _document(root, parts, grids, name)
    _flush(parts, grids, name)
    if not tables:
        raise ReadError("网页中没有表格。请确认文件是含自评表表格的网页，或提交原始 Word/Excel 文件。", name)
    return grids


def _document(el: Any, parts: list[str], grids: list[Grid], name: str) -> int:
    """Walk the page: text outside tables becomes one-cell rows, each table (and nested) a grid."""
    tables = 0
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag
        if tag == "table":
            _flush(parts, grids, name)
            for table in child.iter("table"):
                grid = _read_table(table, name, f"表格{tables + 1}")
                tables += 1
                if grid.rows:
                    grids.append(grid)
        elif tag == "br":
            parts.append(_BREAK)
        elif isinstance(tag, str) and tag not in _SKIP and not _hidden(child):
            block = tag in _BLOCK or tag == "body"
            if block:
                parts.append(_BREAK)
            tables += _document(child, parts, grids, name)
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


def _rows_of(table: Any) -> list[Any]:
    rows = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if c.tag == "tr")
    return rows


def _span(el: Any, attr: str) -> int:
    raw = el.get(attr)
    if not raw:
        return 1
    if raw.isdigit():
        return min(max(int(raw), 1), _MAX_SPAN)
    digits = re.match(r"\s*(\d+)", raw)
    if not digits:
        return 1
    return min(max(int(digits.group(1)), 1), _MAX_SPAN)


def _read_table(table: Any, name: str, sheet: str) -> Grid:
    taken: set[tuple[int, int]] = set()
    out: list[tuple[Cell, ...]] = []
    for r, tr in enumerate(_rows_of(table)):
        col = 0
        cells = []
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, col) in taken:
                col += 1
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            cells.append(Cell(cell_text(td), r, col, rs, cs))
            if rs > 1 or cs > 1:
                if len(taken) + rs * cs > _MAX_CELLS:
                    raise ReadError(
                        "网页表格的合并单元格范围过大（rowspan/colspan 异常），不像一张自评表，已拒绝读取。",
                        name,
                    )
                for rr in range(r, r + rs):
                    for cc in range(col, col + cs):
                        taken.add((rr, cc))
            col += cs
        out.append(tuple(cells))
    while out and not out[-1]:
        out.pop()
    return Grid(rows=tuple(out), source=name, sheet=sheet)


def cell_text(td: Any) -> str:
    """The text a browser shows in a cell, without the text of tables nested in it."""
    if len(td) == 0:  # no child elements: most cells
        return _BLANKS_RE.sub(" ", td.text or "").replace("\xa0", " ").strip()
    parts: list[str] = []
    _walk(td, parts)
    raw = "".join(parts)
    if _BREAK not in raw:
        return _BLANKS_RE.sub(" ", raw).replace("\xa0", " ").strip()
    return "\n".join(_lines(raw))


def _walk(el: Any, parts: list[str]) -> None:
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
                _walk(child, parts)
                parts.append(_BREAK)
            else:
                _walk(child, parts)
        if child.tail:
            parts.append(child.tail)


def _hidden(el: Any) -> bool:
    style = el.get("style")
    return bool(style) and "display" in style and re.search(r"display\s*:\s*none", style) is not None
