"""Scanned forms: page images read as grids by their ruling lines and an offline OCR engine.

A chain of small steps, each reusing the PDF reader's own where the problem is the same:
1. Each page image (a PDF page without a text layer, or a .png/.jpg/.tif file) is turned upright:
   sideways and upside-down pages by the shape and the recognition score of their text, a skew of
   a few degrees by the angle that makes the rows of ink sharpest (a projection profile).
2. The table's ruling lines are found by morphology (long thin runs of ink); the distinct x and y
   positions of the lines make the columns and rows, and a boundary between two neighbouring
   cells with no line along it merges them, so a merged cell comes back with its spans.
3. RapidOCR (PP-OCR's Chinese models, shipped in the rapidocr_onnxruntime wheel, run on the CPU)
   recognises the page's text lines once; each line becomes characters with their boxes, in the
   PDF reader's shape, so the PDF reader's steps place them in cells, join wrapped lines, join
   tables across page breaks and make the grids.
4. Every cell keeps the engine's confidence (the lowest of its lines); a grid of a scan is a
   ScannedGrid, which carries them for the checks to report (ocr_findings).

The engine and OpenCV are the `ocr` extra: without them a scan is refused with a message that
says what to install (OCR_MISSING).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from jixiao.core.model import Form, Uncertain
from jixiao.formats import ReadError
from jixiao.formats.grid import Grid
from jixiao.formats.layout import RowRole
from jixiao.formats.pdf import NO_TEXT
from jixiao.formats.pdf_grids import grids as pdf_grids
from jixiao.formats.pdf_tables import Item, Table, TableCell, join_pages, page_items, place_chars, table_of
from jixiao.formats.scan_geometry import _cells, _masks, _rules, _table_regions
from jixiao.formats.scan_images import cell_png
from jixiao.formats.scan_text import (
    DASH_LOOKALIKES,
    _box_size,
    _crop,
    _detect_boxes,
    _engine,
    _in_points,
    _Line,
    _lone_mark,
    _read_lines,
    _recognise,
    _ScanChar,
    _small,
)

if TYPE_CHECKING:
    import numpy as np

EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")

OCR_MISSING = (
    "读取扫描件和照片需要文字识别组件，当前未安装：请执行 pip install 'jixiao[ocr]'"
    "（安装 rapidocr_onnxruntime，其中已含中文识别模型，离线可用），或提供原始 Word/Excel 文件"
)
NO_TABLE_AT_ALL = "文件中没有找到表格（不是表格的扫描件或照片），无法读取自评表；请提供表格清晰、完整的扫描件"
NO_TEXT_FOUND = "扫描件中有表格线，但没有识别出任何文字（页面空白或过于模糊）；请提供更清晰的扫描件（建议 300 dpi）"
BAD_IMAGE = "图片无法打开（文件已损坏或不是图片），请重新扫描或导出"


@dataclass(frozen=True)
class ScanSettings:
    """What a scan is read at and how sure a cell must be; the defaults are measured by bench/scan.py."""

    pdf_dpi: int = 300  # PDF pages are rendered at this resolution
    min_confidence: float = 0.85  # a cell the engine is less sure of is reported (O01)
    max_skew: float = 6.0  # degrees searched for deskewing
    max_pages: int = 200  # pages of one scanned file
    max_pixels: int = 60_000_000  # one page image (a 600 dpi A3 page is about 70 million)
    # A line this many characters short of its cell's edge still counts as full when a row cut by a page break
    # is joined: the engine's boxes are estimates, a PDF's glyph boxes are exact (pdf_tables.join_pages).
    wrap_slack: float = 1.0


SETTINGS = ScanSettings()


@dataclass(frozen=True)
class ScannedGrid(Grid):
    """A grid read from an image: each cell's recognition confidence, as (row, col, confidence)."""

    confidence: tuple[tuple[int, int, float], ...] = ()
    images: tuple[tuple[int, int, str], ...] = ()  # (row, col, PNG data URL) of the cells worth one (scan_images)

    def confidence_at(self, row: int, col: int) -> float | None:
        for r, c, value in self.confidence:
            if r == row and c == col:
                return value
        return None

    def image_at(self, row: int, col: int) -> str:
        return next((image for r, c, image in self.images if r == row and c == col), "")


# ---------------------------------------------------------------------------------------------
# Entry points


def detect(head: bytes, name: str) -> bool:
    return head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM"))


def read(data: bytes, name: str) -> list[Grid]:
    """Grids of an image file (every frame of a multi-page TIFF is a page)."""
    return _read_pages(_image_pages(data, name), name)


MIN_PAGE_SIDE = 1000  # pixels of a pasted picture's longer side for a page (A4 at 100 dpi is 1169): no logo or seal


def pages_among(pictures: Iterable[bytes]) -> list[bytes]:
    """The pictures pasted into a document or workbook that are big enough to be a scanned page, in order,
    each once; what PIL can't open (an EMF drawing, a damaged part) is no page."""
    from PIL import Image

    pages: list[bytes] = []
    for picture in dict.fromkeys(pictures):
        try:
            with Image.open(io.BytesIO(picture)) as opened:
                if max(opened.size) >= MIN_PAGE_SIDE:
                    pages.append(picture)
        except (OSError, ValueError, Image.DecompressionBombError):
            continue
    return pages


def read_images(images: Sequence[bytes], name: str, kind: str = "文档") -> list[Grid]:
    """Grids of page images found inside another file (a Word document or a workbook of pasted scans), in
    their order; without the OCR extra a ReadError that says what to install."""
    if not available():
        raise ReadError(f"{kind}中没有表格，只有 {len(images)} 张图片（可能是扫描件）。{OCR_MISSING}", name)
    return _read_pages((page for data in images for page in _image_pages(data, name)), name)


def read_pdf(data: bytes, name: str) -> list[Grid]:
    """Grids of a PDF whose pages are images (a scanned PDF)."""
    if not available():
        raise ReadError(f"{NO_TEXT}。{OCR_MISSING}", name)
    return _read_pages(_pdf_pages(data, name), name)


def available() -> bool:
    """Whether the OCR extra is installed."""
    try:
        import cv2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _read_pages(pages: Iterable[tuple[Any, float]], name: str) -> list[Grid]:
    if not available():
        raise ReadError(OCR_MISSING, name)
    items: list[Item] = []
    images: dict[int, str] = {}
    tables = 0
    for number, (image, dpi) in enumerate(pages, start=1):
        upright, lines = _upright(image)
        items_of_page = _page_items(upright, number, dpi, lines, images)
        tables += sum(isinstance(i, Table) for i in items_of_page)
        items.extend(items_of_page)
    if not tables:
        raise ReadError(NO_TABLE_AT_ALL, name)
    grids = _grids(join_pages(items, wrap_slack=SETTINGS.wrap_slack), name, images)
    if not any(c.text.strip() for g in grids for row in g.rows for c in row):
        raise ReadError(NO_TEXT_FOUND, name)
    return grids


def _image_pages(data: bytes, name: str) -> Iterator[tuple[Any, float]]:
    from PIL import Image, ImageOps, ImageSequence

    Image.MAX_IMAGE_PIXELS = SETTINGS.max_pixels
    try:
        img = Image.open(io.BytesIO(data))
        frames = [ImageOps.exif_transpose(f.copy()) for f in ImageSequence.Iterator(img)]
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ReadError(f"{BAD_IMAGE}（{type(exc).__name__}）", name) from None
    if len(frames) > SETTINGS.max_pages:
        raise ReadError(f"扫描件有 {len(frames)} 页，超过上限 {SETTINGS.max_pages} 页，请分成几个文件", name)
    for frame in frames:
        dpi = frame.info.get("dpi", (0, 0))[0] or _assumed_dpi(frame.size)
        yield _gray(frame), float(dpi)


def _assumed_dpi(size: tuple[int, int]) -> float:
    """A photograph carries no resolution: take the page for A4, its longer side 297 mm."""
    return max(size) / (297 / 25.4)


def _pdf_pages(data: bytes, name: str) -> Iterator[tuple[Any, float]]:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ReadError(f"PDF 无法打开（{exc}），文件可能已损坏", name) from None
    try:
        if len(pdf) > SETTINGS.max_pages:
            raise ReadError(f"扫描件有 {len(pdf)} 页，超过上限 {SETTINGS.max_pages} 页，请分成几个文件", name)
        for index in range(len(pdf)):
            page = pdf[index]
            dpi = _scan_dpi(page)
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            yield _gray(bitmap.to_pil()), float(dpi)
            page.close()
    finally:
        pdf.close()


def _scan_dpi(page: Any) -> float:
    """The resolution to render a scanned page at: its image's own, at least the default, at most 400 dpi.

    Less than the scan's own loses detail, more only costs time; a scan of less than the default
    is rendered at the default, where thin rules and small marks are measured more surely.
    """
    best = 0.0
    for obj in page.get_objects():
        if obj.type == 3:  # FPDF_PAGEOBJ_IMAGE
            width = obj.get_metadata().width
            best = max(best, width / (page.get_width() / 72))
    return min(max(best, float(SETTINGS.pdf_dpi)), 400.0)


def _gray(image: Any) -> np.ndarray:
    import numpy as np

    return np.asarray(image.convert("L"))


# ---------------------------------------------------------------------------------------------
# Step 1: upright pages


def _upright(gray: np.ndarray) -> tuple[np.ndarray, list[_Line]]:
    """The page deskewed and turned by quarter turns until its text reads, with its text lines read.

    A skew is measured by the rules and rows of ink, which lie along the page's axes however the
    page is turned; then the page is read once as it stands. Only when that reading looks sideways
    (tall text boxes) or reads badly are the quarter turns tried, and the best one read again.
    """
    straight = _rotate(gray, _skew(gray))
    lines = _read_lines(straight)
    if lines and _reads_upright(lines):
        return straight, lines
    turned = _quarter_turns(gray)
    if turned is gray:
        return straight, lines
    turned = _rotate(turned, _skew(turned))  # measured again on the page as it reads: as sure as upright
    return turned, _read_lines(turned)


def _reads_upright(lines: Sequence[_Line]) -> bool:
    """Whether a page's lines read as upright text: most of them wide, the largest read surely."""
    sizes = [_box_size(line.box) for line in lines]
    if sum(1 for w, h in sizes if h > 1.5 * w) > len(lines) / 2:
        return False
    largest = sorted(range(len(lines)), key=lambda i: -sizes[i][0])[:8]
    return sum(lines[i].score for i in largest) / len(largest) >= UPRIGHT_SCORE


def _quarter_turns(gray: np.ndarray) -> np.ndarray:
    """The page as it reads best, of its four quarter turns, by the engine's score of its largest text."""
    import numpy as np

    candidates = [gray, np.rot90(gray, 1), np.rot90(gray, 2), np.rot90(gray, 3)]
    scores = [_reading_score(_small(c, 1200)) for c in candidates]
    return candidates[scores.index(max(scores))]


UPRIGHT_SCORE = 0.8  # mean confidence of a page's largest text boxes read upright


def _reading_score(small: np.ndarray) -> float:
    """Mean confidence of the page's largest text boxes, read as they stand."""
    boxes = _detect_boxes(small)
    largest = sorted(boxes, key=lambda b: -_box_size(b)[0])[:8]
    crops = [c for c in (_crop(small, b) for b in largest) if c.size]
    if not crops:
        return 0.0
    results = _engine().text_rec(crops, False)[0]
    return sum(score for _text, score in results) / max(len(results), 1)


def _skew(gray: np.ndarray) -> float:
    """The angle (degrees) that makes the row profile of the ink sharpest: coarse, then fine."""
    import cv2
    import numpy as np

    small = _small(gray, 800)
    ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    h, w = ink.shape

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        turned = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST)
        profile = turned.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-SETTINGS.max_skew, SETTINGS.max_skew + 0.01, 0.5), key=sharpness)
    return float(max(np.arange(best - 0.5, best + 0.51, 0.05), key=sharpness))


def _rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    import cv2

    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _page_items(gray: np.ndarray, number: int, dpi: float, lines: list[_Line] | None = None,
                images: dict[int, str] | None = None) -> list[Item]:
    """The page's tables and the text outside them, top to bottom, as the PDF reader has them.

    images, when given, gets the image of each cell a person may be asked to compare (_worth_an_image),
    by the cell's id.
    """
    scale = 72 / dpi
    masks = _masks(gray, dpi)
    tables = []
    for region in _table_regions(masks, dpi):
        boxes = [tuple(v * scale for v in b) for b in _cells(_rules(masks, region, dpi), dpi)]
        table = table_of(boxes, number, gray.shape[0] * scale)  # type: ignore[arg-type]
        if table is not None:
            tables.append(table)
    if not tables:
        return []
    outside = place_chars(tables, [_in_points(pixel_char, scale) for pixel_char in _recognise(gray, lines)])
    for table in tables:
        for cell in table.cells:
            if not cell.chars or (len(cell.chars) == 1 and cell.chars[0].text in DASH_LOOKALIKES):
                cell.chars = _lone_mark(gray, cell, scale) or cell.chars  # type: ignore[assignment]
            elif len(cell.chars) == 1:  # a lone mark the engine read as another ("-" as "1", "、" or '"')
                cell.chars = _lone_mark(gray, cell, scale, dash_only=True) or cell.chars  # type: ignore[assignment]
            cell.chars = _closed(cell.chars)  # type: ignore[assignment]
            if images is not None and _worth_an_image(cell):
                box = (int(cell.x0 / scale), int(cell.top / scale), int(cell.x1 / scale), int(cell.bottom / scale))
                images[id(cell)] = cell_png(gray, box, max(int(dpi / 75), 2))
    return page_items(tables, outside, gray.shape[0] * scale)


def _closed(chars: list[Any]) -> list[Any]:
    """A cell's characters with the closing bracket the engine lost at the end of its text put back.

    The small ")" after the last character of a cell ("产出指标(75分)" wrapped in a narrow cell, turned
    and saved as JPEG) is dropped by the recogniser more often than any other mark; a bracket opened
    near the end of a cell's text and never closed is such a loss (a cell's text is whole: it does not
    go on elsewhere). A bracket opened longer before the end (a cut parenthesis) is left as read.
    """
    ordered = sorted(chars, key=lambda ch: (ch.top, ch.x0))
    opened = None
    for n, ch in enumerate(ordered):
        if ch.text in BRACKETS:
            opened = n
        elif ch.text in BRACKETS.values():
            opened = None
    if opened is None or not 0 < len(ordered) - opened - 1 <= CLOSE_WITHIN:
        return chars
    last = max((ch for ch in ordered if ch.top == ordered[-1].top), key=lambda ch: ch.x1)
    width = (last.x1 - last.x0) / 2
    mark = BRACKETS[ordered[opened].text]
    return [*chars, _ScanChar(mark, last.x1, last.x1 + width, last.top, last.bottom, last.size,
                              getattr(last, "conf", 1.0))]


BRACKETS = {"(": ")", "（": "）"}
CLOSE_WITHIN = 6  # characters after an unclosed bracket at the end of a cell: "(75分", "（万元"


def _worth_an_image(cell: TableCell) -> bool:
    """A cell that holds a digit (a number a check or a correction may name) or that was read unsurely."""
    return any(ch.text.isdigit() or (isinstance(ch, _ScanChar) and ch.conf < SETTINGS.min_confidence)
               for ch in cell.chars)


# ---------------------------------------------------------------------------------------------
# Step 4: grids with their confidence


def _cell_confidence(cell: TableCell) -> float | None:
    scores = [ch.conf for ln in cell.lines for ch in ln.chars if isinstance(ch, _ScanChar)]
    return min(scores) if scores else None


def _grids(items: Sequence[Item], name: str, images: dict[int, str] | None = None) -> list[Grid]:
    grids = pdf_grids(list(items), name)
    out: list[Grid] = []
    for item, grid in zip(items, grids, strict=True):
        scores: list[tuple[int, int, float]] = []
        pictures: list[tuple[int, int, str]] = []
        if isinstance(item, Table):
            for cell in item.cells:
                value = _cell_confidence(cell)
                if value is not None:
                    scores.append((cell.row, cell.col, round(value, 3)))
                if picture := (images or {}).get(id(cell)):
                    pictures.append((cell.row, cell.col, picture))
        else:
            for r, line in enumerate(item):
                value = min((ch.conf for ch in line.chars if isinstance(ch, _ScanChar)), default=None)
                if value is not None:
                    scores.append((r, 0, round(value, 3)))
        out.append(ScannedGrid(rows=grid.rows, source=grid.source, sheet=f"扫描件{grid.sheet}", confidence=tuple(scores),
                               images=tuple(pictures)))
    return out


# ---------------------------------------------------------------------------------------------
# Uncertain cells in the forms


def with_uncertain(grids: Sequence[Grid], forms: Sequence[Form], roles: Sequence[RowRole]) -> list[Form]:
    """The forms with the scan's low-confidence cells that fall on their fields marked, and the images
    of those cells and of their number cells kept (Form.scan_images).

    roles is the recogniser's trace of the same grids: it says which form, block and field each
    cell of a row became.
    """
    marks: dict[int, list[Uncertain]] = {}
    pictures: dict[int, list[tuple[str, int, str, str]]] = {}
    for role in roles:
        grid = grids[role.grid] if role.grid < len(grids) else None
        if not isinstance(grid, ScannedGrid) or not role.form:
            continue
        for col, field_name in _fields(role, grid):
            value = grid.confidence_at(role.row - 1, col)
            unsure = value is not None and value < SETTINGS.min_confidence
            image = grid.image_at(role.row - 1, col)
            if image and (unsure or field_name in NUMBER_FIELDS.get(role.role, ())):
                pictures.setdefault(role.form, []).append((role.role, role.row, field_name, image))
            if not unsure:
                continue
            text = next((c.text for c in grid.rows[role.row - 1] if c.col == col), "")
            marks.setdefault(role.form, []).append(
                Uncertain(role.role, role.row, field_name, " ".join(text.split()), f"{value:.2f}")
            )
    return [replace(f, uncertain=tuple(marks.get(n, ())), scan_images=tuple(pictures.get(n, ())))
            if n in marks or n in pictures else f for n, f in enumerate(forms, 1)]


# The fields whose numbers a check or a correction may name: their images are kept even when read surely.
NUMBER_FIELDS = {"funds": ("initial", "annual", "executed", "weight", "rate", "score"),
                 "indicators": ("weight", "target", "actual", "score"), "total": ("weight", "score")}


def _fields(role: RowRole, grid: ScannedGrid) -> tuple[tuple[int, str], ...]:
    """The (column, field) of a row's cells; a total row's numbers are its weight and its score."""
    if role.role != "total":
        return role.fields
    numbers = [c.col for c in grid.rows[role.row - 1] if any(ch.isdigit() for ch in c.text)]
    return tuple((col, "score" if col == numbers[-1] else "weight") for col in numbers)


# ---------------------------------------------------------------------------------------------
# What a scanner makes of a document (for the benchmark and the tests)


def simulate_scan(pdf: bytes, dpi: int, angle: float = 0.0, jpeg_quality: int | None = None,
                  pages: Sequence[int] | None = None) -> bytes:
    """A scanned PDF of a PDF's pages: rasterised at dpi, turned by angle degrees, optionally JPEG.

    Pages are 0-based; all by default. Each page becomes an image-only PDF page, as a scanner's.
    """
    import pypdfium2
    from PIL import Image

    doc = pypdfium2.PdfDocument(pdf)
    images = []
    for index in pages if pages is not None else range(len(doc)):
        image = doc[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        if angle:
            image = image.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
        if jpeg_quality is not None:
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=jpeg_quality)
            image = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
        images.append(image)
    doc.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=float(dpi))
    return out.getvalue()
