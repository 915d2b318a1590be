"""A scanned page's table geometry: its ruling lines found by morphology, and its cells with their merges.

Horizontal rules are long thin runs of ink; vertical rules are the columns of ink that cross a whole
row band (a table continued on a new page may be one row high, shorter than a large character's
stroke). A boundary between two neighbouring cells with no rule along it merges them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


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
