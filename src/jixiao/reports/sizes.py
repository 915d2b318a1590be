"""Sizes shared by the writers: how wide a text is, how many lines it wraps to, how tall each row of a
layout must be, each column's share of the width."""

from __future__ import annotations

import unicodedata

from jixiao.reports.layout import FormLayout, LayoutCell, Template


def text_units(text: str) -> int:
    """Width of a text in character units: 2 for a CJK / full-width character, 1 otherwise."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def line_count(text: str, units: float) -> int:
    """Lines a text wraps to in a column `units` wide (character wrapping, as CJK text wraps)."""
    usable = max(units - 1, 2)
    lines = 0
    for paragraph in text.split("\n") or [""]:
        width = 0
        count = 1
        for ch in paragraph:
            w = text_units(ch)
            if width + w > usable:
                count += 1
                width = 0
            width += w
        lines += count
    return max(lines, 1)


def row_heights(layout: FormLayout, line_height: float, padding: float) -> list[float]:
    """Height of each table row (in the units of line_height) so that every cell's text fits."""
    widths = layout.template.widths
    heights = [line_height + 2 * padding] * layout.height
    spanning: list[tuple[LayoutCell, float]] = []
    for cell in layout.cells:
        units = sum(widths[cell.col:cell.col + cell.colspan])
        need = line_count(cell.text, units) * line_height + 2 * padding
        if cell.rowspan == 1:
            heights[cell.row] = max(heights[cell.row], need)
        else:
            spanning.append((cell, need))
    for cell, need in sorted(spanning, key=lambda x: x[0].rowspan):
        have = sum(heights[cell.row:cell.row + cell.rowspan])
        if need > have:
            heights[cell.row + cell.rowspan - 1] += need - have
    return heights


def column_fractions(template: Template) -> list[float]:
    """Each column's share of the table width."""
    total = sum(template.widths)
    return [w / total for w in template.widths]
