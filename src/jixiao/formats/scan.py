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
import itertools
import math
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from jixiao.core.model import Form, Uncertain
from jixiao.formats import ReadError
from jixiao.formats import pdf as pdf_reader
from jixiao.formats.grid import Grid
from jixiao.formats.layout import RowRole

if TYPE_CHECKING:
    import numpy as np

EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")

OCR_MISSING = (
    "读取扫描件和照片需要文字识别组件，当前未安装：请执行 pip install 'jixiao[ocr]'"
    "（安装 rapidocr_onnxruntime，其中已含中文识别模型，离线可用），或提供原始 Word/Excel 文件"
)
NOT_A_FORM = "第{page}页没有找到表格线，不像自评表的扫描件（照片或纯文字页？）；请提供表格清晰、完整的扫描件"
NO_TABLE_AT_ALL = "文件中没有找到表格（不是表格的扫描件或照片），无法读取自评表；请提供表格清晰、完整的扫描件"
NO_TEXT_FOUND = "扫描件中有表格线，但没有识别出任何文字（页面空白或过于模糊）；请提供更清晰的扫描件（建议 300 dpi）"
BAD_IMAGE = "图片无法打开（文件已损坏或不是图片），请重新扫描或导出"


class _ScanChar(NamedTuple):
    """A recognised character as the PDF reader's _Char, with the engine's confidence in it."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    conf: float


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
        raise ReadError(f"{pdf_reader.NO_TEXT}。{OCR_MISSING}", name)
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
    items: list[pdf_reader._Table | list[pdf_reader._Line]] = []
    tables = 0
    for number, (image, dpi) in enumerate(pages, start=1):
        page_items = _page_items(_upright(image), number, dpi)
        tables += sum(isinstance(i, pdf_reader._Table) for i in page_items)
        items.extend(page_items)
    if not tables:
        raise ReadError(NO_TABLE_AT_ALL, name)
    grids = _grids(pdf_reader._join_pages(items), name)
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


# ---------------------------------------------------------------------------------------------
# Step 2: ruling lines and cells


@dataclass
class _Rules:
    xs: list[int]  # x of each vertical line, left to right
    ys: list[int]  # y of each horizontal line, top to bottom
    horizontal: np.ndarray  # the mask of horizontal line pixels
    walls: list[list[int]]  # per row band, the x of the vertical lines that cross it


@dataclass
class _Masks:
    ink: np.ndarray  # every dark pixel
    horizontal: np.ndarray  # long horizontal runs of ink: the rules
    frame: np.ndarray  # the rules with short vertical runs, to find each table as one piece
    upright: np.ndarray  # the ink, widened by a pixel either side: a slightly slanted rule stays one column


def _masks(gray: np.ndarray, dpi: float) -> _Masks:
    """Ink, horizontal rules, and the frame of each table (rules joined by their upright strokes).

    Vertical rules are not found here by length: a table continued on a new page may be one row
    high, shorter than a stroke of a large character. They are the columns of ink that cross a
    whole row band (_rules).
    """
    import cv2

    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    run = max(int(dpi * 0.25), 12)  # a quarter inch of unbroken ink is a rule, not a stroke
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))
    # Bridge the gaps that JPEG noise and thin scans leave in a line.
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 3)))
    upright = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(int(dpi * 0.08), 6)))
    )
    frame = cv2.bitwise_or(horizontal, cv2.dilate(upright, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 5))))
    widened = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    return _Masks(ink, horizontal, frame, widened)


def _table_regions(masks: _Masks, dpi: float) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x0, y0, x1, y1) of the frames large enough to be tables, top to bottom."""
    import cv2

    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(masks.frame, connectivity=8)
    regions = []
    for i in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[i])
        # One row of a table continued on a new page is a table too.
        if w > dpi * 1.5 and h > dpi * 0.12:
            regions.append((x, y, x + w, y + h))
    return sorted(regions, key=lambda r: r[1])


def _positions(profile: np.ndarray, minimum: float, gap: int) -> list[int]:
    """Centres of the runs of profile values at or above minimum (runs closer than gap are one)."""
    import numpy as np

    hits = np.flatnonzero(profile >= minimum)
    out: list[list[int]] = []
    for v in hits.tolist():
        if out and v - out[-1][-1] <= gap:
            out[-1].append(v)
        else:
            out.append([v])
    return [round(sum(run) / len(run)) for run in out]


def _rules(masks: _Masks, region: tuple[int, int, int, int], dpi: float) -> _Rules:
    """The table's horizontal rules, and in each row band the vertical rules that cross it."""
    x0, y0, x1, y1 = region
    gap = max(int(dpi / 50), 3)
    h = masks.horizontal[y0 : y1 + 1, x0 : x1 + 1] > 0
    ys = [y + y0 for y in _positions(h.sum(axis=1), dpi * 0.25, gap)]
    walls: list[list[int]] = []
    for top, bottom in itertools.pairwise(ys):
        # A rule runs from rule to rule; a stroke of text stops short of the cell's padding.
        band = masks.upright[top : bottom + 1, x0 : x1 + 1] > 0
        walls.append([x + x0 for x in _positions(band.mean(axis=0), 0.92, gap)] if band.size else [])
    xs = _cluster(sorted(x for band_walls in walls for x in band_walls), gap * 2)
    return _Rules(xs, ys, masks.horizontal, walls)


def _cluster(values: list[int], gap: int) -> list[int]:
    groups: list[list[int]] = []
    for v in values:
        if groups and v - groups[-1][-1] <= gap:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [round(sum(g) / len(g)) for g in groups]


def _has_line(mask: np.ndarray, a: int, b: int, at: int, width: int) -> bool:
    """Whether a horizontal rule runs along most of the segment a..b at height at."""
    margin = max((b - a) // 8, 2)
    band = mask[max(at - width, 0) : at + width + 1, a + margin : b - margin]
    covered = band.max(axis=0) if band.size else band
    return bool(covered.size) and float((covered > 0).mean()) >= 0.6


def _cells(rules: _Rules, dpi: float) -> list[tuple[int, int, int, int]]:
    """Merged cells as pixel boxes: elementary cells joined where no line parts them."""
    xs, ys = rules.xs, rules.ys
    rows, cols = len(ys) - 1, len(xs) - 1
    if rows < 1 or cols < 1:
        return []
    width = max(int(dpi / 75), 2)
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(rows):
        for c in range(cols):
            wall = any(abs(x - xs[c + 1]) <= width * 2 for x in rules.walls[r]) if c + 1 < cols else True
            if not wall:
                parent[find(r * cols + c + 1)] = find(r * cols + c)
            if r + 1 < rows and not _has_line(rules.horizontal, xs[c], xs[c + 1], ys[r + 1], width):
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            groups.setdefault(find(r * cols + c), []).append((r, c))
    taken: set[tuple[int, int]] = set()
    boxes = []
    for members in sorted(groups.values()):
        r0, c0 = min(m[0] for m in members), min(m[1] for m in members)
        r1, c1 = max(m[0] for m in members) + 1, max(m[1] for m in members) + 1
        area = {(r, c) for r in range(r0, r1) for c in range(c0, c1)}
        if area & taken:  # a ragged group (a broken line): keep its cells as they are
            area = set(members) - taken
            for r, c in sorted(area):
                boxes.append((xs[c], ys[r], xs[c + 1], ys[r + 1]))
        else:
            boxes.append((xs[c0], ys[r0], xs[c1], ys[r1]))
        taken |= area
    return boxes


# ---------------------------------------------------------------------------------------------
# Step 3: text, as the PDF reader's characters


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(text_score=0.0, use_cls=False)


def _detect_boxes(gray: np.ndarray) -> list[Any]:
    engine = _engine()
    boxes, _elapsed = engine.text_det(_bgr(gray))
    return [] if boxes is None else list(boxes)


def _bgr(gray: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def _box_size(box: Any) -> tuple[float, float]:
    (x0, y0), (x1, _), (_, y2) = box[0], box[1], box[2]
    return float(math.dist((x0, y0), (x1, box[1][1]))), float(abs(y2 - y0))


def _crop(gray: np.ndarray, box: Any) -> np.ndarray:
    xs = [int(p[0]) for p in box]
    ys = [int(p[1]) for p in box]
    return _bgr(gray[max(min(ys), 0) : max(ys) + 1, max(min(xs), 0) : max(xs) + 1])


def _recognise(gray: np.ndarray) -> list[dict[str, Any]]:
    """The page's characters with their boxes in pixels and the engine's confidence in each.

    The engine gives each text line with the box of each character (of each Latin word, whose
    letters share its box evenly); punctuation that has a half-width and a full-width form is
    then told apart by the space it takes on the page (_punctuation_width).
    """
    result, _elapsed = _engine()(_bgr(gray), use_cls=False, return_word_box=True, text_score=0.0)
    chars: list[dict[str, Any]] = []
    for line in result or []:
        (points, _text, _score, boxes, words, scores) = line[:6]
        top = min(p[1] for p in points)
        bottom = max(p[1] for p in points)
        line_chars: list[dict[str, Any]] = []
        for box, word, score in zip(boxes, words, scores, strict=False):
            word = word.translate(LOOKALIKES)
            x0, x1 = min(p[0] for p in box), max(p[0] for p in box)
            step = (x1 - x0) / max(len(word), 1)
            for k, ch in enumerate(word):
                if not ch.isspace():
                    line_chars.append({"text": ch, "x0": x0 + k * step, "x1": x0 + (k + 1) * step,
                                       "top": float(top), "bottom": float(bottom), "conf": float(score)})
        _punctuation_width(gray, line_chars)
        chars.extend(line_chars)
    return chars


# Half-width and full-width forms of the punctuation forms print both ways ("指标1:" and "指标1：").
HALF_TO_FULL = {":": "：", ";": "；", ",": "，", "(": "（", ")": "）"}
FULL_TO_HALF = {v: k for k, v in HALF_TO_FULL.items()}


def _punctuation_width(gray: np.ndarray, line: list[dict[str, Any]]) -> None:
    """Choose the half- or full-width form of each colon and comma by the blank around its ink.

    The engine reads both forms alike; on paper a full-width mark sits in a square of one em with
    blank around it, a half-width one in half of that. The gaps between the mark's ink and its
    neighbours' ink, as a share of the line's em, tell them apart.
    """
    import numpy as np

    marks = [i for i, ch in enumerate(line) if ch["text"] in HALF_TO_FULL or ch["text"] in FULL_TO_HALF]
    if not marks:
        return
    widths = [ch["x1"] - ch["x0"] for ch in line if unicodedata.east_asian_width(ch["text"]) == "W"
              and ch["text"] not in FULL_TO_HALF]
    em = float(np.median(widths)) if widths else (line[0]["bottom"] - line[0]["top"]) * 0.8
    top, bottom = int(line[0]["top"]), int(line[0]["bottom"]) + 1
    columns = np.flatnonzero((gray[top:bottom, :] < 128).any(axis=0))
    for i in marks:
        ch = line[i]
        inside = columns[(columns >= ch["x0"] - em * 0.1) & (columns <= ch["x1"] + em * 0.1)]
        if not inside.size:
            continue
        left = columns[(columns < inside[0]) & (columns >= inside[0] - em * 1.2)]
        right = columns[(columns > inside[-1]) & (columns <= inside[-1] + em * 1.2)]
        gap_left = (inside[0] - left[-1]) / em if left.size and i > 0 else None
        gap_right = (right[0] - inside[-1]) / em if right.size and i + 1 < len(line) else None
        full = _looks_full(FULL_TO_HALF.get(ch["text"], ch["text"]), gap_left, gap_right)
        if full is not None:
            half = FULL_TO_HALF.get(ch["text"], ch["text"])
            ch["text"] = HALF_TO_FULL[half] if full else half


def _looks_full(half: str, gap_left: float | None, gap_right: float | None) -> bool | None:
    """Whether a mark is full-width by its gaps (in ems); None when its neighbours don't tell."""
    if half in ":;":
        if gap_left is not None and gap_right is not None:
            return gap_left + gap_right > 0.6
        return gap_left > 0.3 if gap_left is not None else None
    if half == ",":
        return gap_right > 0.45 if gap_right is not None else None
    if half == "(":
        return gap_left > 0.3 if gap_left is not None else None
    return gap_right > 0.3 if gap_right is not None else None


def _lone_mark(gray: np.ndarray, cell: pdf_reader._PCell, scale: float) -> list[_ScanChar]:
    """The text of a cell the detector passed over: a lone "-", "/" or digit too small to be a line.

    Forms print "-" or "/" in the cells that carry no points; a flat stroke is a dash by its
    shape, anything else is read by the recogniser alone on the ink's box.
    """
    import cv2

    x0, top, x1, bottom = (int(v / scale) for v in (cell.x0, cell.top, cell.x1, cell.bottom))
    pad = max(min(bottom - top, x1 - x0) // 8, 3)
    inner = gray[top + pad : bottom - pad, x0 + pad : x1 - pad]
    if inner.size == 0 or int(inner.min()) > 128:  # nothing but paper
        return []
    ink = cv2.threshold(inner, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    count, _labels, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    ih, iw = ink.shape
    strokes = [
        st for st in (tuple(int(v) for v in stats[i]) for i in range(1, count))
        # what touches the edge of the cell's inside is a remnant of its rules, not a mark
        if st[4] >= 4 and st[0] > 0 and st[1] > 0 and st[0] + st[2] < iw and st[1] + st[3] < ih
    ]
    if not strokes:
        return []
    sx0 = min(st[0] for st in strokes)
    sy0 = min(st[1] for st in strokes)
    sx1 = max(st[0] + st[2] for st in strokes)
    sy1 = max(st[1] + st[3] for st in strokes)
    w, h = sx1 - sx0, sy1 - sy0
    if len(strokes) == 1 and w >= 2 * h and w <= (bottom - top) * 1.5:
        text, confidence = "-", DASH_CONFIDENCE
    elif len(strokes) == 1 and _is_slash(ink[sy0:sy1, sx0:sx1] > 0):
        text, confidence = "/", DASH_CONFIDENCE
    else:
        margin = max(h // 3, 3)
        crop = inner[max(sy0 - margin, 0) : sy1 + margin, max(sx0 - margin, 0) : sx1 + margin]
        (text, confidence), = _engine().text_rec([_bgr(crop)], False)[0]
        text = text.strip().translate(LOOKALIKES)
        if not text or confidence < MARK_CONFIDENCE:
            return []
    cx0, cy0, cx1, cy1 = ((x0 + pad + v) * scale for v in (sx0, sy0, sx1, sy1))
    size = max(cy1 - cy0, 6.0)
    step = (cx1 - cx0) / len(text)
    return [_ScanChar(ch, cx0 + k * step, cx0 + (k + 1) * step, cy0, cy0 + size, size, float(confidence))
            for k, ch in enumerate(text)]


def _is_slash(stroke: np.ndarray) -> bool:
    """A thin stroke leaning right, its top half to the right of its bottom half: "/"."""
    import numpy as np

    h, w = stroke.shape
    if h < 6 or not (0.25 * h <= w <= h) or stroke.mean() > 0.45:
        return False
    cols = np.arange(w)
    upper, lower = stroke[: h // 2], stroke[h - h // 2 :]
    if not upper.any() or not lower.any():
        return False
    return float((upper * cols).sum() / upper.sum()) > float((lower * cols).sum() / lower.sum()) + w * 0.2


DASH_LOOKALIKES = "=一—－_~-"  # what the engine makes of a lone dash; the shape decides
DASH_CONFIDENCE = 0.9
MARK_CONFIDENCE = 0.3  # below this a lone mark's reading is noise: a speck, a rule's remnant  # a dash found by its shape, not by the engine: sure, but not certain


def _in_points(ch: dict[str, Any], scale: float) -> _ScanChar:
    """A character with its box in points, as the PDF reader has its characters."""
    top, bottom = ch["top"] * scale, ch["bottom"] * scale
    return _ScanChar(ch["text"], ch["x0"] * scale, ch["x1"] * scale, top, bottom, bottom - top, ch["conf"])


# Characters the engine returns for their look-alikes in these forms' print (CJK compatibility
# and fullwidth forms the writers never use): 丶 for the enumeration comma 、 above all.
LOOKALIKES = str.maketrans({"丶": "、", "▪": "·"})


def _page_items(gray: np.ndarray, number: int, dpi: float) -> list[pdf_reader._Table | list[pdf_reader._Line]]:
    """The page's tables and the text outside them, top to bottom, as the PDF reader has them."""
    scale = 72 / dpi
    masks = _masks(gray, dpi)
    tables = []
    for region in _table_regions(masks, dpi):
        boxes = [tuple(v * scale for v in b) for b in _cells(_rules(masks, region, dpi), dpi)]
        table = pdf_reader._table(boxes, number, gray.shape[0] * scale)  # type: ignore[arg-type]
        if table is not None:
            tables.append(table)
    if not tables:
        return []
    outside: list[_ScanChar] = []
    for pixel_char in _recognise(gray):
        ch = _in_points(pixel_char, scale)
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        for table in tables:
            if table.x_edges[0] <= cx <= table.x_edges[-1] and table.top <= cy <= table.bottom:
                pdf_reader._assign(table, ch, cx, cy)
                break
        else:
            outside.append(ch)
    for table in tables:
        for cell in table.cells:
            if not cell.chars or (len(cell.chars) == 1 and cell.chars[0].text in DASH_LOOKALIKES):
                cell.chars = _lone_mark(gray, cell, scale) or cell.chars
    items: list[pdf_reader._Table | list[pdf_reader._Line]] = []
    height = gray.shape[0] * scale
    lines = [ln for ln in pdf_reader._lines(outside) if not pdf_reader._page_furniture(ln, height)]
    for table in tables:
        table.above = [ln for ln in lines if (ln.chars[0].top + ln.chars[0].bottom) / 2 < table.top]
        lines = lines[len(table.above) :]
        if table.above:
            items.append(table.above)
        pdf_reader._finish(table)
        items.append(table)
    if lines:
        items.append(lines)
    return items


# ---------------------------------------------------------------------------------------------
# Step 4: grids with their confidence


def _cell_confidence(cell: pdf_reader._PCell) -> float | None:
    scores = [ch.conf for ln in cell.lines for ch in ln.chars if isinstance(ch, _ScanChar)]
    return min(scores) if scores else None


def _grids(items: Sequence[pdf_reader._Table | list[pdf_reader._Line]], name: str) -> list[Grid]:
    grids = pdf_reader._grids(list(items), name)
    out: list[Grid] = []
    for item, grid in zip(items, grids, strict=True):
        scores: list[tuple[int, int, float]] = []
        if isinstance(item, pdf_reader._Table):
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
