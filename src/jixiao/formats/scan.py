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
from jixiao.formats.scan_text import (
    DASH_LOOKALIKES,
    _box_size,
    _crop,
    _detect_boxes,
    _engine,
    _in_points,
    _lone_mark,
    _recognise,
    _ScanChar,
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


SETTINGS = ScanSettings()


@dataclass(frozen=True)
class ScannedGrid(Grid):
    """A grid read from an image: each cell's recognition confidence, as (row, col, confidence)."""

    confidence: tuple[tuple[int, int, float], ...] = ()

    def confidence_at(self, row: int, col: int) -> float | None:
        for r, c, value in self.confidence:
            if r == row and c == col:
                return value
        return None


# ---------------------------------------------------------------------------------------------
# Entry points


def detect(head: bytes, name: str) -> bool:
    return head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM"))


def read(data: bytes, name: str) -> list[Grid]:
    """Grids of an image file (every frame of a multi-page TIFF is a page)."""
    return _read_pages(_image_pages(data, name), name)


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
    tables = 0
    for number, (image, dpi) in enumerate(pages, start=1):
        items_of_page = _page_items(_upright(image), number, dpi)
        tables += sum(isinstance(i, Table) for i in items_of_page)
        items.extend(items_of_page)
    if not tables:
        raise ReadError(NO_TABLE_AT_ALL, name)
    grids = _grids(join_pages(items), name)
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


def _upright(gray: np.ndarray) -> np.ndarray:
    """The page turned by quarter turns until its text reads, then deskewed."""
    gray = _quarter_turns(gray)
    return _rotate(gray, _skew(gray))


def _quarter_turns(gray: np.ndarray) -> np.ndarray:
    """The page as it reads best: as it stands unless the engine reads a quarter or half turn better.

    Sideways pages have tall text boxes; an upside-down page reads with a low score. The turns are
    tried only when the page as it stands does not read well, so an upright page costs one look.
    """
    import numpy as np

    small = _small(gray, 1200)
    boxes = _detect_boxes(small)
    if not boxes:
        return gray
    tall = sum(1 for w, h in (_box_size(b) for b in boxes) if h > 1.5 * w)
    if tall <= len(boxes) / 2 and _reading_score(small, boxes) >= UPRIGHT_SCORE:
        return gray
    candidates = [gray, np.rot90(gray, 1), np.rot90(gray, 2), np.rot90(gray, 3)]
    scores = [_reading_score(_small(c, 1200)) for c in candidates]
    return candidates[scores.index(max(scores))]


UPRIGHT_SCORE = 0.8  # mean confidence of a page's largest text boxes read upright


def _reading_score(small: np.ndarray, boxes: list[Any] | None = None) -> float:
    """Mean confidence of the page's largest text boxes, read as they stand."""
    if boxes is None:
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


def _small(gray: np.ndarray, side: int) -> np.ndarray:
    import cv2

    scale = side / max(gray.shape)
    if scale >= 1:
        return gray
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _page_items(gray: np.ndarray, number: int, dpi: float) -> list[Item]:
    """The page's tables and the text outside them, top to bottom, as the PDF reader has them."""
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
    outside = place_chars(tables, [_in_points(pixel_char, scale) for pixel_char in _recognise(gray)])
    for table in tables:
        for cell in table.cells:
            if not cell.chars or (len(cell.chars) == 1 and cell.chars[0].text in DASH_LOOKALIKES):
                cell.chars = _lone_mark(gray, cell, scale) or cell.chars  # type: ignore[assignment]
    return page_items(tables, outside, gray.shape[0] * scale)


# ---------------------------------------------------------------------------------------------
# Step 4: grids with their confidence


def _cell_confidence(cell: TableCell) -> float | None:
    scores = [ch.conf for ln in cell.lines for ch in ln.chars if isinstance(ch, _ScanChar)]
    return min(scores) if scores else None


def _grids(items: Sequence[Item], name: str) -> list[Grid]:
    grids = pdf_grids(list(items), name)
    out: list[Grid] = []
    for item, grid in zip(items, grids, strict=True):
        scores: list[tuple[int, int, float]] = []
        if isinstance(item, Table):
            for cell in item.cells:
                value = _cell_confidence(cell)
                if value is not None:
                    scores.append((cell.row, cell.col, round(value, 3)))
        else:
            for r, line in enumerate(item):
                value = min((ch.conf for ch in line.chars if isinstance(ch, _ScanChar)), default=None)
                if value is not None:
                    scores.append((r, 0, round(value, 3)))
        out.append(ScannedGrid(rows=grid.rows, source=grid.source, sheet=f"扫描件{grid.sheet}", confidence=tuple(scores)))
    return out


# ---------------------------------------------------------------------------------------------
# Uncertain cells in the forms


def with_uncertain(grids: Sequence[Grid], forms: Sequence[Form], roles: Sequence[RowRole]) -> list[Form]:
    """The forms with the scan's low-confidence cells that fall on their fields marked.

    roles is the recogniser's trace of the same grids: it says which form, block and field each
    cell of a row became.
    """
    marks: dict[int, list[Uncertain]] = {}
    for role in roles:
        grid = grids[role.grid] if role.grid < len(grids) else None
        if not isinstance(grid, ScannedGrid) or not role.form:
            continue
        for col, field_name in _fields(role, grid):
            value = grid.confidence_at(role.row - 1, col)
            if value is None or value >= SETTINGS.min_confidence:
                continue
            text = next((c.text for c in grid.rows[role.row - 1] if c.col == col), "")
            marks.setdefault(role.form, []).append(
                Uncertain(role.role, role.row, field_name, " ".join(text.split()), f"{value:.2f}")
            )
    return [replace(f, uncertain=tuple(marks.get(n, ()))) if n in marks else f for n, f in enumerate(forms, 1)]


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
