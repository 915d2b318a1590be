"""OFD (GB/T 33190-2016, 版式文档): the national format of fixed-layout documents, in which government
bodies publish and archive what others publish as PDF.

An .ofd file is a zip: OFD.xml names each document's Document.xml, which lists its pages in order; each
page's Content.xml draws text (TextObject: a boundary, a font size, and TextCode runs whose X, Y and DeltaX
place every character) and paths (PathObject: AbbreviatedData such as "M 10 20 L 100 20 C …") on layers,
in millimetres from the page's top left, each object with an optional CTM. A page may draw a template
page under its own content. The characters and the straight strokes of each page are put in the units
and shape the PDF reader uses (points from the top left) and the PDF reader's table finding does the rest
(formats/pdf, pdf_tables, pdf_grids): ruled tables joined across page breaks, text-positioned tables where
nothing is ruled.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.containers import check_ooxml, is_zip, read_member
from jixiao.formats.grid import Grid
from jixiao.formats.limits import current_limits
from jixiao.formats.pdf import PageContent, add_edge
from jixiao.formats.pdf_text import Char, dedupe

EXTENSIONS = (".ofd",)
POINTS = 72 / 25.4  # an OFD millimetre in PDF points
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def detect(head: bytes, name: str) -> bool:
    """A zip whose first member is OFD.xml (as OFD writers put it), or an .ofd file."""
    if not is_zip(head):
        return False
    return name.lower().endswith(EXTENSIONS) or b"OFD.xml" in head[:120]


def read(data: bytes, name: str) -> list[Grid]:
    from jixiao.formats.pdf import grids_of_pages

    found, _ = grids_of_pages(_pages(data, name), name, NO_TEXT)
    return found


NO_TEXT = "OFD 文件中没有文字（可能是扫描图片）：请提供含文字的 OFD、PDF 或原始 Word/Excel 文件。"


# ---------------------------------------------------------------------------------------------
# The package


def _xml(zf: Any, member: str, name: str) -> Any:
    from lxml import etree

    if member not in zf.namelist():
        raise ReadError(f"OFD 文件不完整：缺少“{member}”。请重新导出 OFD，或提交 PDF 或原始 Word/Excel 文件。", name)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(read_member(zf, member, name), parser)
    except etree.XMLSyntaxError as exc:
        raise ReadError(f"OFD 文件的“{member}”已损坏（{exc}）。请重新导出 OFD，或提交 PDF 或原始 Word/Excel 文件。",
                        name) from None


def _local(el: Any) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el: Any, tag: str) -> Any:
    return next((c for c in el if _local(c) == tag), None)


def _join(base: str, loc: str) -> str:
    """A location inside the package: absolute ("/Doc_0/…") or relative to the part that names it."""
    loc = loc.strip().replace("\\", "/")
    if loc.startswith("/"):
        return loc.lstrip("/")
    parts = [p for p in (base.rsplit("/", 1)[0] + "/" + loc if "/" in base else loc).split("/") if p and p != "."]
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        else:
            out.append(p)
    return "/".join(out)


def _numbers(text: str | None) -> list[float]:
    return [float(n) for n in _NUMBER.findall(text or "")]


def _pages(data: bytes, name: str) -> Iterator[PageContent]:
    """Each page's characters, straight strokes and count of objects drawn, in document order, in points."""
    zf = check_ooxml(data, name, "OFD 文件")
    with zf:
        root = _xml(zf, "OFD.xml", name)
        documents = [_join("OFD.xml", loc.text or "") for loc in root.iter("{*}DocRoot") if (loc.text or "").strip()]
        if not documents:
            raise ReadError("OFD 文件中没有文档（OFD.xml 没有 DocRoot）。请重新导出 OFD。", name)
        count = 0
        for document in documents:
            doc = _xml(zf, document, name)
            default_box = _box_of(doc, [0, 0, 210, 297])
            templates = {t.get("ID"): _join(document, t.get("BaseLoc", "")) for t in doc.iter("{*}TemplatePage")}
            for page in doc.iter("{*}Page"):
                loc = page.get("BaseLoc")
                if not loc:
                    continue
                count += 1
                if count > current_limits().max_pages:
                    raise ReadError(f"OFD 文件超过 {current_limits().max_pages} 页，请拆分后再提交。", name)
                member = _join(document, loc)
                content = _xml(zf, member, name)
                box = _box_of(content, default_box)
                chars: list[Char] = []
                edges: list[dict[str, Any]] = []
                drawn = 0
                for template in content.iter("{*}Template"):  # the template page is drawn under the page
                    at = templates.get(template.get("TemplateID"))
                    if at:
                        drawn += _draw(_xml(zf, at, name), box, chars, edges)
                drawn += _draw(content, box, chars, edges)
                yield PageContent(count, box[3] * POINTS, dedupe(chars), edges, drawn)


def _box_of(el: Any, default: list[float]) -> list[float]:
    found = next(el.iter("{*}PhysicalBox"), None)
    box = _numbers(found.text) if found is not None else []
    return box if len(box) == 4 else default


# ---------------------------------------------------------------------------------------------
# Drawing a page


def _draw(page: Any, box: list[float], chars: list[Char], edges: list[dict[str, Any]]) -> int:
    drawn = 0
    content = _child(page, "Content")
    if content is None:
        return 0
    stack: list[tuple[Any, tuple[float, ...]]] = [(content, (1, 0, 0, 1, 0, 0))]
    while stack:
        el, ctm = stack.pop()
        for child in reversed(el):
            tag = _local(child)
            if tag in ("Layer", "PageBlock"):
                stack.append((child, ctm))
            elif tag == "TextObject":
                drawn += 1
                _text(child, ctm, box, chars)
            elif tag == "PathObject":
                drawn += 1
                _path(child, ctm, box, edges)
            elif tag in ("ImageObject", "CompositeObject"):
                drawn += 1
    return drawn


def _matrix(el: Any, outer: tuple[float, ...]) -> tuple[tuple[float, ...], float, float]:
    """The object's CTM (applied in its boundary's frame) and the boundary's origin."""
    boundary = _numbers(el.get("Boundary"))
    x0, y0 = (boundary[0], boundary[1]) if len(boundary) >= 2 else (0.0, 0.0)
    ctm = _numbers(el.get("CTM"))
    own = tuple(ctm) if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return _compose(own, outer), x0, y0


def _compose(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _deltas(text: str | None) -> list[float]:
    """DeltaX / DeltaY: numbers, "g N D" for N copies of D; what is no number is left out."""
    out: list[float] = []
    tokens = (text or "").split()
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            with contextlib.suppress(ValueError):
                out.extend([float(tokens[i + 2])] * min(int(float(tokens[i + 1])), 10_000))
            i += 3
            continue
        with contextlib.suppress(ValueError):
            out.append(float(tokens[i]))
        i += 1
    return out


def _text(obj: Any, outer: tuple[float, ...], box: list[float], chars: list[Char]) -> None:
    m, x0, y0 = _matrix(obj, outer)
    size = next(iter(_numbers(obj.get("Size"))), 3.5)
    scale = abs(m[3]) or 1.0
    if abs(m[1]) > 0.01 or abs(m[2]) > 0.01:
        return  # turned text is no cell's text (as in the PDF reader)
    x = y = 0.0
    for code in obj:
        if _local(code) != "TextCode":
            continue
        if code.get("X") is not None:
            x = (_numbers(code.get("X")) or [x])[0]
        if code.get("Y") is not None:
            y = (_numbers(code.get("Y")) or [y])[0]
        text = code.text or ""
        dx, dy = _deltas(code.get("DeltaX")), _deltas(code.get("DeltaY"))
        for i, ch in enumerate(text):
            advance = dx[i] if i < len(dx) else (dx[-1] if dx else size)
            if not ch.isspace():
                width = min(advance, size) if advance > 0 else size * (1 if ord(ch) > 0x2E7F else 0.5)
                left, base = _apply(m, x, y)
                right, _ = _apply(m, x + width, y)
                left, right, base = left + x0 - box[0], right + x0 - box[0], base + y0 - box[1]
                pt = size * scale * POINTS
                chars.append(Char(ch, left * POINTS, right * POINTS, base * POINTS - pt, base * POINTS, pt))
            x += advance
            if i < len(dy):
                y += dy[i]


_SEGMENT = re.compile(r"([MLBQACSZ])([^MLBQACSZ]*)", re.IGNORECASE)


def _path(obj: Any, outer: tuple[float, ...], box: list[float], edges: list[dict[str, Any]]) -> None:
    if obj.get("Stroke", "true").lower() == "false" and obj.get("Fill", "false").lower() != "true":
        return
    m, x0, y0 = _matrix(obj, outer)
    data = _child(obj, "AbbreviatedData")
    if data is None:
        return

    def point(x: float, y: float) -> tuple[float, float]:
        px, py = _apply(m, x, y)
        return (px + x0 - box[0]) * POINTS, (py + y0 - box[1]) * POINTS

    start = prev = None
    for op, args in _SEGMENT.findall(data.text or ""):
        n = _numbers(args)
        op = op.upper()
        if op == "S" and len(n) >= 2:  # OFD's "S x y": a move
            op = "M"
        if op == "M" and len(n) >= 2:
            start = prev = point(n[0], n[1])
        elif op == "L" and len(n) >= 2 and prev is not None:
            q = point(n[0], n[1])
            add_edge(edges, prev, q)
            prev = q
        elif op in ("B", "Q", "A", "C") and len(n) >= 2:
            prev = point(n[-2], n[-1])  # a curve rules no cell; its end is where the pen is
        elif op == "Z" and prev is not None and start is not None:
            add_edge(edges, prev, start)
            prev = start
