"""A scanned page's text: characters with their boxes and confidence, read offline by RapidOCR.

The engine gives each text line with the box of each character; punctuation printed both half- and
full-width is told apart by the blank around its ink, and the lone "-" or "/" that the detector
passes over is read from the cell's ink.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from jixiao.formats.pdf_tables import TableCell

if TYPE_CHECKING:
    import numpy as np


class _ScanChar(NamedTuple):
    """A recognised character as the PDF reader's Char, with the engine's confidence in it."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    conf: float


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(text_score=0.0, use_cls=False)
    _quiet_sessions(engine)
    engine.text_rec.rec_batch_num = REC_BATCH
    return engine


ENGINE_THREADS = 2  # onnxruntime's threads per model: the cores of the machine the speed is measured on
# Text lines recognised together. The recogniser pads each batch to its widest line: RapidOCR's 6 cost
# 3.3-3.5 CPU seconds for a seed page's 121 lines at 300 dpi, 2 cost 2.75 with the same texts, 1 cost 2.7
# with one text read otherwise (measured on page 3 of seed.pdf).
REC_BATCH = 2


def _quiet_sessions(engine: Any) -> None:
    """The detector's and recogniser's sessions made again with threads that sleep when idle.

    onnxruntime's threads spin while they wait for work by default: on a machine whose cores are
    shared that spinning takes about as much CPU as the work (bench/scan.py measured 5.9 against
    3.6 CPU seconds for one page's lines), and slows the other processes. The same models, the same
    graph optimisation; only the waiting changes. Left as it is if the engine's layout is not known.
    """
    import onnxruntime

    for part in (getattr(engine, "text_det", None), getattr(engine, "text_rec", None)):
        holder = getattr(part, "infer", None) or getattr(part, "session", None)
        session = getattr(holder, "session", None)
        path = getattr(session, "_model_path", None)
        if not isinstance(session, onnxruntime.InferenceSession) or not path:
            continue
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 4
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = ENGINE_THREADS
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        holder.session = onnxruntime.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])


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


# The page's longer side, in pixels, as the detector looks at it and as the recogniser crops its lines
# from (about 170 dpi for A4, RapidOCR's own limit). Finding the lines on a smaller page costs the
# detector less but joins the lines of neighbouring rows and loses lone digits: bench/scan.py measured
# 77 % of cells at 1400 pixels on a page turned by -2°, against 98 % at 2000.
DETECT_SIDE = 2000
READ_SIDE = 2000


def _small(gray: np.ndarray, side: int) -> np.ndarray:
    """The page shrunk so that its longer side is at most side pixels (as it is when smaller)."""
    import cv2

    scale = side / max(gray.shape)
    if scale >= 1:
        return gray
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


class _Line(NamedTuple):
    """A text line as the engine read it: its box (pixels of the page), text, score, and its words."""

    box: list[list[float]]
    text: str
    score: float
    word_boxes: list[Any]
    words: list[str]
    word_scores: list[float]


def _read_lines(gray: np.ndarray) -> list[_Line]:
    """The page's text lines: found once on the page shrunk to DETECT_SIDE, read from it at READ_SIDE.

    RapidOCR's own call finds and reads the lines on one image; finding them on a smaller one
    costs the detector half as much and reads the same crops.
    """
    import numpy as np

    engine = _engine()
    read = _small(gray, READ_SIDE)
    find = _small(read, DETECT_SIDE)
    boxes, _elapsed = engine.text_det(_bgr(find))
    if boxes is None or not len(boxes):
        return []
    sx, sy = read.shape[1] / find.shape[1], read.shape[0] / find.shape[0]
    boxes = np.asarray(boxes, dtype=np.float32) * np.array([sx, sy], dtype=np.float32)
    boxes = engine.sorted_boxes(boxes)
    crops = engine.get_crop_img_list(_bgr(read), boxes)
    results, _elapsed = engine.text_rec(crops, True)
    results = engine.cal_rec_boxes(crops, boxes, results)
    back_x, back_y = gray.shape[1] / read.shape[1], gray.shape[0] / read.shape[0]

    def page(points: Any) -> list[list[float]]:
        return [[float(x) * back_x, float(y) * back_y] for x, y in points]

    return [_Line(page(box), text, float(score), [page(b) for b in word_boxes], words, scores)
            for box, (text, score, word_boxes, words, scores) in zip(boxes, results, strict=True)]


def _recognise(gray: np.ndarray, lines: list[_Line] | None = None) -> list[dict[str, Any]]:
    """The page's characters with their boxes in pixels and the engine's confidence in each.

    The engine gives each text line with the box of each character (of each Latin word, whose
    letters share its box evenly); punctuation that has a half-width and a full-width form is
    then told apart by the space it takes on the page (_punctuation_widths).
    """
    page_lines: list[list[dict[str, Any]]] = []
    for line in _read_lines(gray) if lines is None else lines:
        top = min(p[1] for p in line.box)
        bottom = max(p[1] for p in line.box)
        line_chars: list[dict[str, Any]] = []
        spaced = False  # the engine read a space before the next character
        for box, word, score in zip(line.word_boxes, line.words, line.word_scores, strict=False):
            word = word.translate(LOOKALIKES)
            x0, x1 = min(p[0] for p in box), max(p[0] for p in box)
            step = (x1 - x0) / max(len(word), 1)
            for k, ch in enumerate(word):
                if ch.isspace():
                    spaced = True
                    continue
                line_chars.append({"text": ch, "x0": x0 + k * step, "x1": x0 + (k + 1) * step, "top": float(top),
                                   "bottom": float(bottom), "conf": float(score), "spaced": spaced})
                spaced = False
        _close_gaps(line_chars)
        _after_ideographs(line_chars)
        page_lines.append(line_chars)
    _punctuation_widths(gray, page_lines)
    return [ch for line_chars in page_lines for ch in line_chars]


def _after_ideographs(line: list[dict[str, Any]]) -> None:
    """Marks the engine reads for their look-alikes after Chinese text: "°" (a degree sign follows a digit)
    for the full stop "。" printed small at the foot of its square."""
    for prev, ch in itertools.pairwise(line):
        if ch["text"] in AFTER_IDEOGRAPH and _ideograph(prev["text"]):
            ch["text"] = AFTER_IDEOGRAPH[ch["text"]]


AFTER_IDEOGRAPH = {"°": "。"}


def _close_gaps(line: list[dict[str, Any]]) -> None:
    """Close the gaps the engine's estimate of each character's box leaves between two CJK characters it
    read as one run of text ("满意 度指标"), so that no space is read between them.

    The engine places a character by the columns of its reading, not by its ink: the boxes of a run
    printed without spaces may part by half a character, which the PDF reader's spacing rule reads as
    a space. A gap wider than CLOSE_GAP of the line's height is a real one (two cells' texts on one line).
    """
    for prev, nxt in itertools.pairwise(line):
        gap = nxt["x0"] - prev["x1"]
        wide = unicodedata.east_asian_width(prev["text"]) == "W" and unicodedata.east_asian_width(nxt["text"]) == "W"
        if wide and not nxt["spaced"] and 0 < gap < CLOSE_GAP * (nxt["bottom"] - nxt["top"]):
            prev["x1"] += gap / 2
            nxt["x0"] -= gap / 2


CLOSE_GAP = 0.6  # of the line's height: wider gaps between two CJK characters of one reading are kept


# Half-width and full-width forms of the punctuation forms print both ways ("指标1:" and "指标1：").
HALF_TO_FULL = {":": "：", ";": "；", ",": "，", "(": "（", ")": "）"}
FULL_TO_HALF = {v: k for k, v in HALF_TO_FULL.items()}


def _punctuation_widths(gray: np.ndarray, lines: Sequence[list[dict[str, Any]]]) -> None:
    """Choose the half- or full-width form of each colon, semicolon, comma and bracket of a page.

    The engine reads both forms alike. On paper a full-width mark takes a square of one em, a
    half-width one a third of that: the blank between the mark's ink and its neighbours' ink, in
    ems of its line, tells them apart (_measured). A colon or comma whose blank can be measured on
    one side only (at the end of a line, where the paper is blank anyway) takes the form the page
    prints where it could be measured: a document sets its punctuation one way. Only a page with
    no measured mark of any kind falls back on the neighbours (full_by_context).
    """
    decided: dict[str, list[bool]] = {}
    open_marks: list[tuple[list[dict[str, Any]], int]] = []
    one_sided: list[float] = []
    for line in lines:
        for i, full, side in _measured(gray, line):
            half = FULL_TO_HALF.get(line[i]["text"], line[i]["text"])
            if side is not None and half in ":;,":
                one_sided.append(side)
            if full is None and half in ":;,":
                full = _between_latin(line, i)
            if full is None:
                open_marks.append((line, i))
                continue
            _set_width(line[i], full)
            if half in ":;,":
                decided.setdefault(_kind(half), []).append(full)
    everything = [v for votes in decided.values() for v in votes]
    if not everything and len(one_sided) >= ONE_SIDE_MARKS:  # none measured both sides: one side, over the page
        everything = [float(sorted(one_sided)[len(one_sided) // 2]) > ONE_SIDE_BLANK]
    for line, i in open_marks:
        half = FULL_TO_HALF.get(line[i]["text"], line[i]["text"])
        votes = decided.get(_kind(half)) or everything if half in ":;," else []
        full = sum(votes) * 2 > len(votes) if votes and sum(votes) * 2 != len(votes) else full_by_context(line, i)
        _set_width(line[i], full)


# The median blank on the one side measured of a page's colons and commas, in ems, above which they are
# full-width, for a page where none could be measured both sides: the seed's full-width marks have 0.43-0.6
# before them, the MoF samples' half-width ones 0.1-0.34. Weaker than both sides (a Chinese font may set
# its full-width colon at the left of its square, and one mark's measure may take a neighbour's stroke for
# its ink), so only the median of at least ONE_SIDE_MARKS marks counts, and only then.
ONE_SIDE_BLANK = 0.4
ONE_SIDE_MARKS = 3


def _kind(half: str) -> str:
    return "," if half == "," else ":;"


def _between_latin(line: Sequence[Mapping[str, Any]], i: int) -> bool | None:
    """Half-width between two digits or Latin letters ("1,000"); None otherwise."""
    before = line[i - 1]["text"] if i > 0 else ""
    after = line[i + 1]["text"] if i + 1 < len(line) else ""
    return False if before.isascii() and before.isalnum() and after.isascii() and after.isalnum() else None


def _measured(gray: np.ndarray, line: list[dict[str, Any]]) -> list[tuple[int, bool | None, float | None]]:
    """(index, full or not, None when its blank can't be measured on both sides; the blank on the one side
    measured when only one is) of each mark of a line.

    The mark's ink is the run of inked columns of the line's band nearest the engine's place for it
    (the table's rules taken out: they would join every column); its neighbours' ink the runs either
    side. The blank is measured in ems of the line: the engine's pitch of its Chinese characters.
    """
    import cv2
    import numpy as np

    marks = [i for i, ch in enumerate(line) if ch["text"] in HALF_TO_FULL or ch["text"] in FULL_TO_HALF]
    if not marks:
        return []
    widths = [ch["x1"] - ch["x0"] for ch in line if _ideograph(ch["text"])]
    em = float(np.median(widths)) if widths else (line[0]["bottom"] - line[0]["top"]) * 0.8
    top, bottom = max(int(line[0]["top"]), 0), int(line[0]["bottom"]) + 1
    left = max(int(min(ch["x0"] for ch in line) - 1.5 * em), 0)
    right = int(max(ch["x1"] for ch in line) + 1.5 * em)
    band = gray[top:bottom, left:right]
    if band.size == 0 or em < 4:
        return [(i, None, None) for i in marks]
    ink = (band < INK_LEVEL).astype(np.uint8)

    def runs_of(size: tuple[int, int]) -> np.ndarray:  # the ink in unbroken runs this long (beyond the band: paper)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
        return cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)

    rules = runs_of((int(1.5 * em), 1)) | runs_of((1, max(band.shape[0] - 2, 1)))
    columns = np.flatnonzero((ink & (1 - rules)).any(axis=0))
    if not columns.size:
        return [(i, None, None) for i in marks]
    runs = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    out: list[tuple[int, bool | None, float | None]] = []
    for i in marks:
        centre = (line[i]["x0"] + line[i]["x1"]) / 2 - left
        near = [r for r, run in enumerate(runs) if max(run[0] - centre, centre - run[-1], 0) <= em / 2
                and run[-1] - run[0] + 1 <= MARK_INK * em]
        if not near:
            out.append((i, None, None))  # no mark's ink apart from its neighbours'
            continue
        k = min(near, key=lambda r: max(runs[r][0] - centre, centre - runs[r][-1], 0))
        run = runs[k]
        gap_left = (run[0] - runs[k - 1][-1] - 1) / em if k > 0 and i > 0 else None
        gap_right = (runs[k + 1][0] - run[-1] - 1) / em if k + 1 < len(runs) and i + 1 < len(line) else None
        side = gap_left if gap_right is None else gap_right if gap_left is None else None
        out.append((i, _looks_full(FULL_TO_HALF.get(line[i]["text"], line[i]["text"]), gap_left, gap_right), side))
    return out


INK_LEVEL = 128  # a pixel darker than this is ink
MARK_INK = 0.45  # of an em: a colon's, comma's or bracket's ink is narrower


def _set_width(ch: dict[str, Any], full: bool | None) -> None:
    if full is not None:
        half = FULL_TO_HALF.get(ch["text"], ch["text"])
        ch["text"] = HALF_TO_FULL[half] if full else half


def full_by_context(line: Sequence[Mapping[str, Any]], i: int) -> bool | None:
    """Whether the colon, semicolon or comma at i is full-width by its neighbours, for a page where no mark's
    ink told (both forms are printed after Chinese text: "年度资金总额：" in the seed, "年度资金总额:" in the MoF
    samples, so the ink decides first, and the page's measured marks next), as Chinese text mostly sets it:
    between two Chinese characters, or after one at the end of the text; half-width between two digits or Latin
    letters ("1,000"); None when the neighbours are mixed."""
    if FULL_TO_HALF.get(line[i]["text"], line[i]["text"]) not in ":;,":
        return None  # brackets are printed both ways in Chinese text ("(75分)", "（万元）"): the ink decides
    before = line[i - 1]["text"] if i > 0 else ""
    after = line[i + 1]["text"] if i + 1 < len(line) else ""
    if _ideograph(before) and (_ideograph(after) or not after):
        return True
    return _between_latin(line, i)


def _ideograph(text: str) -> bool:
    return len(text) == 1 and unicodedata.category(text) == "Lo" and unicodedata.east_asian_width(text) == "W"


def _looks_full(half: str, gap_left: float | None, gap_right: float | None) -> bool | None:
    """Whether a mark is full-width by its blank either side (in ems); None when that doesn't tell.

    A colon, semicolon or comma is told by the blank on both sides together, wherever the font puts
    its ink in its square (at the left in Chinese fonts, in the middle in Japanese ones): one side
    alone does not tell. A bracket's full-width form keeps its ink at the text's side of its square,
    so the blank on its outer side tells.
    """
    if half in ":;,":
        return gap_left + gap_right > FULL_BLANK if gap_left is not None and gap_right is not None else None
    if half == "(":
        return gap_left > BRACKET_BLANK if gap_left is not None else None
    return gap_right > BRACKET_BLANK if gap_right is not None else None


FULL_BLANK = 0.6  # ems of blank around a colon's or comma's ink: a full-width one has about 0.8, a half-width 0.3
BRACKET_BLANK = 0.3  # ems of blank on a bracket's outer side: a full-width one has about 0.5


def _lone_mark(gray: np.ndarray, cell: TableCell, scale: float, dash_only: bool = False) -> list[_ScanChar]:
    """The text of a cell the detector passed over: a lone "-", "/" or digit too small to be a line.

    Forms print "-" or "/" in the cells that carry no points; a flat stroke is a dash by its
    shape, anything else is read by the recogniser alone on the ink's box. With dash_only (a cell
    the engine read as one character of another kind) only a dash by its shape is returned: no
    digit's or letter's ink is one stroke twice as wide as it is tall (一 is taken for a dash already).
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
    elif dash_only:
        return []
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
DASH_CONFIDENCE = 0.9  # a dash found by its shape, not by the engine: sure, but not certain
MARK_CONFIDENCE = 0.3  # below this a lone mark's reading is noise: a speck, a rule's remnant


def _in_points(ch: dict[str, Any], scale: float) -> _ScanChar:
    """A character with its box in points, as the PDF reader has its characters."""
    top, bottom = ch["top"] * scale, ch["bottom"] * scale
    return _ScanChar(ch["text"], ch["x0"] * scale, ch["x1"] * scale, top, bottom, bottom - top, ch["conf"])


# Characters the engine returns for their look-alikes in these forms' print (CJK compatibility
# and fullwidth forms the writers never use): 丶 for the enumeration comma 、 above all.
LOOKALIKES = str.maketrans({"丶": "、", "▪": "·"})
