"""The one place for every cap an untrusted file can push a reader to.

A reader never trusts a number in a file: a span, a row index, a page count or the depth of its
nesting is checked against these limits, so that a 37 KB file can neither hang a server thread
nor fill its memory. The limits in force are set per read (`using`), so the web app, the CLI and
the tests can tighten them, and a reader asks for them with `current_limits()`.

The figures are far above any real form (a self-assessment form has a few hundred cells over at
most a few pages) and far below what would hurt a server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from jixiao.formats import ReadError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Safety limits for untrusted files (uploads, archives from e-mail)."""

    # Sizes of files and containers
    max_file_size: int = 50 * MB  # one input file, or one member of an archive
    max_unpacked_size: int = 500 * MB  # all members of one zip (archive, docx or xlsx), or a PDF's streams
    max_ratio: int = 200  # uncompressed / compressed size of a member larger than 1 MB
    max_members: int = 10_000  # entries in one zip
    max_depth: int = 3  # zip inside zip inside zip
    # What the content may ask a reader to build
    max_span: int = 1_000  # rows or columns one merged cell covers (larger values are clamped)
    max_rows: int = 100_000  # rows of one table or sheet
    max_columns: int = 16_384  # columns of one table or sheet (Excel's own limit)
    max_cells: int = 1_000_000  # cells one table covers, spans included
    max_pages: int = 2_000  # pages of one PDF
    max_nesting: int = 500  # elements nested in one another (HTML, XML), tables in tables
    max_chars: int = 20_000_000  # characters of text in one file
    # Time: a read of one file that takes longer is stopped with a ReadError (readers check the clock
    # once per page, table row or member: `check_time`), and the fuzz tests and bench hold readers to it
    max_seconds: float = 60.0


DEFAULT_LIMITS = Limits()
_limits: ContextVar[Limits] = ContextVar("jixiao_read_limits", default=DEFAULT_LIMITS)
_deadline: ContextVar[float | None] = ContextVar("jixiao_read_deadline", default=None)


def current_limits() -> Limits:
    """The limits in force for the read under way (set by the registry's read_grids / iter_inputs)."""
    return _limits.get()


@contextmanager
def using(limits: Limits | None) -> Iterator[Limits]:
    """Run a read under these limits (None: keep those in force)."""
    token = _limits.set(limits or _limits.get())
    try:
        yield _limits.get()
    finally:
        _limits.reset(token)


@contextmanager
def timed(bounded: bool = True) -> Iterator[None]:
    """The read of one file under way: from now, `check_time` stops it after max_seconds (not bounded: a
    scan's OCR, whose time is its pages' and each page's is bounded by its size)."""
    token = _deadline.set(time.monotonic() + current_limits().max_seconds if bounded else None)
    try:
        yield
    finally:
        _deadline.reset(token)


def check_time(name: str) -> None:
    """Stop a read past its time (a file built to keep a reader busy, or one far larger than a form)."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise ReadError(
            f"读取超过 {current_limits().max_seconds:g} 秒仍未完成，已停止：文件过大或结构异常，不像一张自评表。"
            "请只保留自评表所在的页或工作表后另存，再重新提交。",
            name,
        )


def clamp_span(value: int) -> int:
    """A span (colspan, gridSpan, MergeAcross + 1) within 1..max_span: a larger one is a damaged or
    hostile file, and a table cannot be wider than that anyway; clamping keeps the rest readable."""
    return min(max(value, 1), current_limits().max_span)


def check_extent(rows: int, columns: int, name: str, where: str) -> None:
    """Refuse a table whose rows, columns or area exceed the limits, naming the table."""
    lim = current_limits()
    if rows > lim.max_rows or columns > lim.max_columns or rows * columns > lim.max_cells:
        raise too_large(rows, columns, name, where)


def too_large(rows: int, columns: int, name: str, where: str) -> ReadError:
    lim = current_limits()
    return ReadError(
        f"{where}的范围过大（至少 {rows} 行、{columns} 列；上限 {lim.max_rows} 行、{lim.max_columns} 列、"
        f"共 {lim.max_cells} 个单元格），不像一张自评表，已拒绝读取。请删除多余的行列或把自评表复制到新文件后再提交。",
        name,
    )


def check_merges(merges: list[tuple[int, int, int, int]], name: str, where: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges (first row, first col, last row, last col) with each span clamped, refused when
    together they cover more cells than the limit (each covered cell is visited once per range)."""
    lim = current_limits()
    out = [
        (r1, c1, min(r2, r1 + lim.max_span - 1), min(c2, c1 + lim.max_span - 1))
        for r1, c1, r2, c2 in merges
        if r2 >= r1 and c2 >= c1
    ]
    area = sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in out)
    if area > lim.max_cells:
        raise ReadError(
            f"{where}的合并单元格共覆盖 {area} 个单元格，超过 {lim.max_cells} 的上限，不像一张自评表，已拒绝读取。"
            "请取消多余的合并或把自评表复制到新文件后再提交。",
            name,
        )
    return out


def check_chars(count: int, name: str) -> None:
    lim = current_limits()
    if count > lim.max_chars:
        raise ReadError(
            f"文件中的文字太多（{count} 个字符，上限 {lim.max_chars}），不像一张自评表，已拒绝读取。请拆分文件后再提交。",
            name,
        )


def too_deep(depth: int, name: str, what: str) -> ReadError:
    lim = current_limits()
    return ReadError(
        f"{what}的元素嵌套超过 {lim.max_nesting} 层（至少 {depth} 层），不像一张正常的自评表，已拒绝读取。"
        "请用 Office、WPS 或浏览器打开后另存一份再提交。",
        name,
    )
