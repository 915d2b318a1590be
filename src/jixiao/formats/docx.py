"""Word (.docx) reader: every table of the document, merges mapped to real spans.

The table XML is read with lxml directly (python-docx builds an object per cell and is several
times slower on documents of many forms); the rules are Word's: w:gridSpan is a horizontal merge,
w:vMerge="restart" starts a vertical merge that w:vMerge (no value, "continue") extends in the rows
below, w:gridBefore/w:gridAfter skip grid columns. Paragraphs of a cell are joined with "\n".
Tables nested inside a cell become grids of their own, after the table that holds them.
"""

from __future__ import annotations

from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.containers import check_ooxml, read_member, zip_holds
from jixiao.formats.grid import Cell, Grid
from jixiao.formats.limits import check_time, clamp_span, current_limits, too_deep, too_large

EXTENSIONS = (".docx", ".docm")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TBL, _TR, _TC, _P, _SDT, _SDTCONTENT = (W + t for t in ("tbl", "tr", "tc", "p", "sdt", "sdtContent"))
_CUSTOM, _SMART = W + "customXml", W + "smartTag"
_T, _TAB, _BR, _CR, _NBH = W + "t", W + "tab", W + "br", W + "cr", W + "noBreakHyphen"
_SYM = W + "sym"
# Word's Insert > Symbol writes signs as w:sym in the Symbol font (private-use codes F0xx).
_SYMBOL_FONT = {
    0x3C: "<", 0x3D: "=", 0x3E: ">", 0xA3: "≤", 0xB3: "≥", 0xB9: "≠", 0xB1: "±", 0xB0: "°",
    0xB4: "×", 0xB8: "÷", 0xBB: "≈", 0x25: "%", 0xAE: "→", 0xAC: "←", 0xD6: "√", 0xA5: "∞",
}  # fmt: skip
_VAL = W + "val"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TXBX = W + "txbxContent"
_WRAPPERS = (_SDT, _SDTCONTENT, _CUSTOM, _SMART)
# Text under these is not shown as the cell's text: text boxes, the fallback copy of drawings,
# properties, and the old place of text moved with tracked changes (w:moveFrom).
_SKIPPED_PARENTS = frozenset((_TXBX, _MC_FALLBACK, W + "pPr", W + "rPr", W + "moveFrom"))
_PARAGRAPHS = "正文"  # the sheet name of a grid of paragraphs outside tables


def detect(data: bytes, name: str) -> bool:
    """A zip holding word/ parts (a head too short to list them: the extension decides)."""
    return zip_holds(data, name, "word/", EXTENSIONS)


def read(data: bytes, name: str) -> list[Grid]:
    """One grid per table, in document order (nested tables after their parent)."""
    from lxml import etree

    zf = check_ooxml(data, name, "Word 文档")
    with zf:
        part = _main_part(zf)
        if part is None:
            raise ReadError(
                "不是有效的 Word 文档（缺少 word/document.xml）。请用 Word 或 WPS 另存为 .docx 后再试。", name
            )
        size = zf.getinfo(part).file_size
        if size > current_limits().max_file_size:
            raise ReadError(
                f"Word 文档的正文部分解压后有 {size // (1024 * 1024)} MB，远超一张自评表，已拒绝读取。请拆分文档后再提交。",
                name,
            )
        xml = read_member(zf, part, name)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc):
            raise too_deep(256, name, "Word 文档") from None
        raise ReadError(
            f"Word 文档的内容已损坏（{exc}）。请用 Word 或 WPS 打开后另存一份再试。", name
        ) from None
    body = root.find(W + "body")
    grids: list[Grid] = []
    paragraphs: list[str] = []
    tables = 0
    for block in _blocks(body if body is not None else root):
        if block.tag == _P:
            text = _paragraph_text(block).strip()
            if text:
                paragraphs.append(text)
            continue
        _flush(paragraphs, name, grids)
        _read_table(block, name, grids)
        tables += 1
    _flush(paragraphs, name, grids)
    if not tables:
        pages = _pasted_pages(data, name, part, root)
        if pages:  # scans or photographs pasted into Word: read as the scan of a PDF is
            from jixiao.formats import scan

            return scan.read_images(pages, name)
        raise ReadError(
            "文档中没有表格。自评表应是 Word 表格；如果表格是图片或文本框，请改为插入表格后再提交。", name
        )
    return grids


_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _pasted_pages(data: bytes, name: str, part: str, root: Any) -> list[bytes]:
    """The pictures of the document's body, in order (a:blip r:embed, and v:imagedata r:id of older Word),
    that are big enough to be a scanned page."""
    from lxml import etree

    from jixiao.formats.scan import pages_among

    ids = [el.get(_R + "embed") or el.get(_R + "id") for el in root.iter("{*}blip", "{*}imagedata")]
    if not ids:
        return []
    folder, _, base = part.rpartition("/")
    zf = check_ooxml(data, name, "Word 文档")
    with zf:
        rels_part = f"{folder}/_rels/{base}.rels"
        if rels_part not in zf.namelist():
            return []
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        rels = {r.get("Id"): r.get("Target", "") for r in etree.fromstring(read_member(zf, rels_part, name), parser)
                .iter(_RELS) if r.get("TargetMode") != "External"}
        members = []
        for rid in dict.fromkeys(i for i in ids if i):
            target = rels.get(rid, "")
            member = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
            if target and member in zf.namelist():
                members.append(member)
        return pages_among(read_member(zf, m, name) for m in members)


def _main_part(zf: Any) -> str | None:
    names: set[str] = set(zf.namelist())
    if "word/document.xml" in names:
        return "word/document.xml"
    # A renamed main part is declared in [Content_Types].xml; look for the main document type.
    for n in names:
        if n.startswith("word/") and n.endswith(".xml") and "document" in n.rsplit("/", 1)[-1]:
            return n
    return None


def _blocks(parent: Any) -> list[Any]:
    """Paragraphs and tables of the body in order, looking through content controls and custom XML."""
    found = []
    for child in parent:
        tag = child.tag
        if tag in (_TBL, _P):
            found.append(child)
        elif tag in _WRAPPERS:
            found.extend(_blocks(child))
    return found


def _flush(paragraphs: list[str], name: str, grids: list[Grid]) -> None:
    """Paragraphs outside tables (the title, the year line) as a grid of one-cell rows."""
    if paragraphs:
        rows = tuple((Cell(text, r, 0),) for r, text in enumerate(paragraphs))
        grids.append(Grid(rows=rows, source=name, sheet=_PARAGRAPHS))
        paragraphs.clear()


def _children(parent: Any, tag: str) -> list[Any]:
    out = []
    for child in parent:
        if child.tag == tag:
            out.append(child)
        elif child.tag in _WRAPPERS:
            out.extend(_children(child, tag))
    return out


def _read_table(tbl: Any, name: str, grids: list[Grid]) -> None:
    index = len(grids)
    grids.append(Grid(rows=()))  # placeholder: the outer table comes before its nested tables
    cells: list[list[Any]] = []  # [text, row, col, rowspan, colspan]
    rows: list[list[list[Any]]] = []
    vertical: dict[int, list[Any]] = {}  # grid column → the cell a vertical merge extends
    nested: list[Any] = []
    lim = current_limits()
    where = f"Word 文档的表格{sum(1 for g in grids[:index] if g.sheet != _PARAGRAPHS) + 1}"
    area = 0  # grid cells covered so far: every loop below is bounded by it
    for r, tr in enumerate(_children(tbl, _TR)):
        check_time(name)
        if r >= lim.max_rows:
            raise too_large(r + 1, 1, name, where)
        row_cells: list[list[Any]] = []
        # A span is a number the file gives: a huge gridSpan/gridBefore is clamped, never looped over.
        col = clamp_span(_int_prop(tr, "trPr", "gridBefore", 0) + 1) - 1
        for tc in _children(tr, _TC):
            tcpr = tc.find(W + "tcPr")
            span = clamp_span(_int_child(tcpr, "gridSpan", 1))
            area += span
            if col + span > lim.max_columns or area > lim.max_cells:
                raise too_large(r + 1, col + span, name, where)
            vmerge = _vmerge(tcpr)
            if _is_hmerge_continue(tcpr) and row_cells:
                row_cells[-1][4] += span  # legacy w:hMerge: widen the cell on the left
                col += span
                continue
            origin = vertical.get(col)
            # A continuation at least as wide as its origin extends it (a wider one, as messy
            # documents have, leaves a gap rather than cells that overlap).
            if vmerge == "continue" and origin is not None and origin[4] <= span:
                origin[3] += 1
            else:
                cell = [_cell_text(tc, nested), r, col, 1, span]
                row_cells.append(cell)
                cells.append(cell)
                for c in range(col, col + span):
                    vertical.pop(c, None)
                if vmerge is not None:
                    vertical[col] = cell
            col += span
        rows.append(row_cells)
    grids[index] = Grid(
        rows=tuple(tuple(Cell(t, rr, cc, rs, cs) for t, rr, cc, rs, cs in row) for row in rows),
        source=name,
        sheet=f"表格{sum(1 for g in grids[:index] if g.sheet != _PARAGRAPHS) + 1}",
    )
    for inner in nested:
        _read_table(inner, name, grids)


def _int_prop(el: Any, prop: str, child: str, default: int) -> int:
    pr = el.find(W + prop)
    return _int_child(pr, child, default) if pr is not None else default


def _int_child(pr: Any, child: str, default: int) -> int:
    if pr is None:
        return default
    node = pr.find(W + child)
    if node is None:
        return default
    try:
        return int(node.get(_VAL, default))
    except ValueError:
        return default


def _vmerge(tcpr: Any) -> str | None:
    if tcpr is None:
        return None
    node = tcpr.find(W + "vMerge")
    if node is None:
        return None
    return "restart" if node.get(_VAL) == "restart" else "continue"


def _is_hmerge_continue(tcpr: Any) -> bool:
    if tcpr is None:
        return False
    node = tcpr.find(W + "hMerge")
    return node is not None and node.get(_VAL) != "restart"


def _cell_text(tc: Any, nested: list[Any]) -> str:
    paragraphs: list[str] = []
    for child in tc:
        _block_text(child, paragraphs, nested)
    return "\n".join(paragraphs).strip("\n")


def _block_text(el: Any, paragraphs: list[str], nested: list[Any]) -> None:
    tag = el.tag
    if tag == _P:
        paragraphs.append(_paragraph_text(el))
    elif tag == _TBL:
        nested.append(el)
    elif tag in _WRAPPERS:
        for child in el:
            _block_text(child, paragraphs, nested)


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    for node in p.iter(_T, _TAB, _BR, _CR, _NBH, _SYM, _TXBX, _MC_FALLBACK):
        tag = node.tag
        if tag in (_TXBX, _MC_FALLBACK):
            continue
        if _inside_skipped(node, p):
            continue
        if tag == _T:
            parts.append(node.text or "")
        elif tag == _TAB:
            if node.getparent().tag != W + "tabs":  # a tab stop definition is not text
                parts.append("\t")
        elif tag == _NBH:
            parts.append("-")
        elif tag == _SYM:
            parts.append(_symbol(node))
        else:
            parts.append("\n")
    return "".join(parts)


def _symbol(node: Any) -> str:
    """The character of a w:sym: Symbol-font signs mapped to Unicode, others as coded."""
    try:
        code = int(node.get(W + "char", ""), 16)
    except ValueError:
        return ""
    if code >= 0xF000:
        code -= 0xF000
        if (node.get(W + "font") or "").lower() == "symbol":
            return _SYMBOL_FONT.get(code, "")
        return ""  # a private-use glyph of a picture font (Wingdings): no text
    return chr(code)


def _inside_skipped(node: Any, stop: Any) -> bool:
    """Text of text boxes and of the fallback copy of drawings is not the cell's text."""
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in _SKIPPED_PARENTS:
            return True
        parent = parent.getparent()
    return False
