"""PDF text: the characters of a page, grouped into lines, and a cell's lines joined into its text.

A line break is kept ("\\n") only where it is real: when the next line's first word would have
fitted after the line, the writer broke the line on purpose; otherwise the text wrapped in a narrow
cell, and the lines are joined without a space ("=100" + "%" → "=100%"), or with one where a Latin
word wrapped at a space. The scan reader makes characters of the same shape from its OCR.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

WRAP_TOLERANCE = 0.8  # points: measuring noise when testing whether a word would have fitted


class Char(NamedTuple):
    """One printed character: its text and box in points from the page's top left, its font size."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class Line:
    chars: list[Char]

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return self.chars[-1].x1

    @property
    def text(self) -> str:
        out: list[str] = []
        prev: Char | None = None
        for ch in self.chars:
            if prev is not None and ch.x0 - prev.x1 > 0.3 * ch.size and out[-1] != " ":
                out.append(" ")
            out.append(ch.text)
            prev = ch
        return "".join(out).strip()


def dedupe(chars: list[Char]) -> list[Char]:
    """Drop a character printed again within a point of itself: the "fake bold" of Chinese PDFs.

    pdfplumber's dedupe_chars does the same at 40 % of the page's reading time; a grid of
    whole points and its neighbours finds the copies in one pass.
    """
    seen: set[tuple[str, int, int]] = set()
    out = []
    for ch in chars:
        text, x, y = ch.text, round(ch.x0), round(ch.top)
        if any((text, x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            continue
        seen.add((text, x, y))
        out.append(ch)
    return out


def lines_of(chars: list[Char]) -> list[Line]:
    """Characters grouped into lines by their vertical middle, each line left to right."""
    ordered = sorted(chars, key=lambda c: ((c.top + c.bottom) / 2, c.x0))
    lines: list[list[Char]] = []
    mid = -1e9
    for ch in ordered:
        m = (ch.top + ch.bottom) / 2
        if lines and abs(m - mid) <= max(ch.size, 1.0) * 0.4:
            lines[-1].append(ch)
        else:
            lines.append([ch])
            mid = m
    out = []
    for line in lines:
        line.sort(key=lambda c: c.x0)
        if "".join(c.text for c in line).strip():
            out.append(Line(line))
    return out


def _is_wide(text: str) -> bool:
    """Whether a character prints full width; a glyph may stand for several characters ("ﬁ" → "fi")."""
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


# Line-breaking rules of CJK typesetting (kinsoku): these never start a line ...
NO_START = frozenset("，。、；：？！）》」』】〕〉”’…—·%‰℃．,.;:?!)]}>")
# ... and these never end one; writers move them to the next line with what follows.
NO_END = frozenset("（《「『【〔〈“‘([{<")
# Quotation marks bind to both sides (UAX #14 class QU), as LibreOffice and Word break lines.
QUOTES = frozenset("“”‘’\"'")


def _first_token_width(line: Line) -> float:
    """Width of the shortest start of the line that the writer could have moved up.

    One CJK character, or a whole Latin word or number, together with the punctuation that may
    not be parted from it ("济。", "（A）", "分)").
    """
    chars = [c for c in line.chars if c.text.strip()]
    if not chars:
        return 0.0
    end = 0
    while end + 1 < len(chars):
        cur, nxt = chars[end], chars[end + 1]
        gap = nxt.x0 - cur.x1 > 0.3 * nxt.size
        t, u = cur.text, nxt.text
        same_word = not gap and not _is_wide(t) and not _is_wide(u)
        # A number after a closing mark stays with it ("。2、"): observed in LibreOffice's exports.
        after_close = t in NO_START and u.isascii() and u.isalnum()
        if u in NO_START or t in NO_END or t in QUOTES or u in QUOTES or same_word or after_close:
            end += 1
            continue
        break
    return float(chars[end].x1 - chars[0].x0)


def _first_char_width(line: Line) -> float:
    chars = [c for c in line.chars if c.text.strip()]
    return float(chars[0].x1 - chars[0].x0) if chars else 0.0


def join_lines(lines: list[Line], avail: float) -> str:
    """The cell's text: wrapped lines joined, real breaks kept as "\\n"."""
    if not lines:
        return ""
    out = lines[0].text
    for prev, line in itertools.pairwise(lines):
        text = line.text
        latin = is_latin(out[-1:]) and is_latin(text[:1])
        # Between two Latin words the writer would also have needed the space between them.
        space = 0.25 * line.chars[0].size if latin else 0.0
        wrapped = (prev.x1 - prev.x0) + space + _first_token_width(line) > avail - WRAP_TOLERANCE
        if not wrapped:
            out += "\n" + text
        elif latin and (prev.x1 - prev.x0) + _first_char_width(line) <= avail - WRAP_TOLERANCE:
            # Not even one more letter would have been cut off here: the break was at a space.
            out += " " + text
        else:
            out += text
    return out


def is_latin(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalpha()


def wraps(prev: Line, line: Line, avail: float) -> bool:
    """Whether line continues prev in the same paragraph: the start of line did not fit after it."""
    return (prev.x1 - prev.x0) + _first_token_width(line) > avail - WRAP_TOLERANCE

