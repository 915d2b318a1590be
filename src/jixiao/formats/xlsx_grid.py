"""A spreadsheet's grid: cells as their number formats display them, merged ranges as spans, over the
area that holds text (the .xlsx and .xls readers both end here)."""

from __future__ import annotations

from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.grid import Cell, Grid
from jixiao.formats.xlsx_display import display

MAX_CELLS = 2_000_000  # a form is a few hundred cells; a sheet this large is an attack or a mistake


def build_grid(
    rows: Any,
    merges: list[tuple[int, int, int, int]],
    name: str,
    sheet: str,
    extra: dict[tuple[int, int], str] | None = None,
) -> Grid:
    """A grid from rows of (value, number format) (or such pairs by position) and merged ranges, over the area that holds text.

    Blank rows and columns beyond the last text are left out, except where a merged cell that
    holds text reaches into them.
    """
    texts: dict[tuple[int, int], str] = {}
    if isinstance(rows, dict):  # (value, number format) by (row, column), as the .xlsx reader gives them
        placed = rows.items()
    else:
        placed = (((r, c), cell) for r, row in enumerate(rows) for c, cell in enumerate(row))
    for key, (value, fmt) in placed:
        if value is not None and value != "":
            texts[key] = display(value, fmt)
    for key, text in (extra or {}).items():
        texts.setdefault(key, text)
    height = max((r + 1 for r, _ in texts), default=0)
    width = max((c + 1 for _, c in texts), default=0)
    kept = [m for m in merges if (m[0], m[1]) in texts or (m[0] < height and m[1] < width)]
    height = max([height, *(r2 + 1 for _, _, r2, _ in kept)])
    width = max([width, *(c2 + 1 for _, _, _, c2 in kept)])
    if height * width > MAX_CELLS:
        raise ReadError(
            f"工作表“{sheet}”的使用范围过大（{height} 行 × {width} 列），不像一张自评表。"
            "请删除多余的行列或把自评表复制到新工作簿后再提交。",
            name,
        )
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in kept:
        origin[(r1, c1)] = (r2 - r1 + 1, c2 - c1 + 1)
        covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        covered.discard((r1, c1))
    out: list[tuple[Cell, ...]] = []
    for r in range(height):
        cells = []
        for c in range(width):
            if (r, c) in covered:
                continue
            rs, cs = origin.get((r, c), (1, 1))
            cells.append(Cell(texts.get((r, c), ""), r, c, rs, cs))
        out.append(tuple(cells))
    return Grid(rows=tuple(out), source=name, sheet=sheet)
