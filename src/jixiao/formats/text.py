"""The text Word writes for a document of tables ("Save as plain text" of the seed).

Each cell starts on a line beginning with a tab; a line without a leading tab continues the cell
above (a line break inside the cell); a blank line ends the table row. Word writes a vertically
merged cell as an empty cell in the rows it covers and drops horizontally covered cells, so every
cell here has span 1.
"""

from __future__ import annotations

import codecs
import re

from jixiao.formats import ReadError
from jixiao.formats.containers import extension, is_ole2, is_zip
from jixiao.formats.grid import Grid, SpanFreeRows
from jixiao.formats.limits import check_chars, current_limits, too_large

EXTENSIONS = (".txt", ".tsv")
ENCODINGS = ("utf-8", "gb18030")


def decode(data: bytes, name: str = "") -> str:
    """The text of a file in UTF-8 (with or without BOM), UTF-16 (BOM or not) or GB18030/GBK."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[3:], "utf-8", name)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16", name)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _decode(data, utf16, name)
    if b"\x00" in data[:4096]:
        raise ReadError("这是二进制文件，不是文本；请提供 Word、Excel、PDF、HTML 或文本格式的自评表", name)
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError("无法识别文本编码（支持 UTF-8、UTF-16、GB18030/GBK）；请另存为 UTF-8 文本后重试", name)


def _cut_short(data: bytes) -> int:
    """Where a file that is valid text up to a character cut at its very end should stop (0: not so)."""
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
            return 0
        except UnicodeDecodeError as exc:
            if exc.start >= len(data) - 3 and exc.end == len(data):
                try:
                    data[: exc.start].decode(encoding)
                    return exc.start
                except UnicodeDecodeError:
                    continue
    return 0


def _utf16_without_bom(data: bytes) -> str:
    """utf-16-le/-be when every other byte of the head is zero, as in CJK-free UTF-16 text."""
    head = data[:2048]
    if len(head) < 4:
        return ""
    evens, odds = head[0::2], head[1::2]
    if odds.count(0) > len(odds) * 0.3 and evens.count(0) < len(evens) * 0.05:
        return "utf-16-le"
    if evens.count(0) > len(evens) * 0.3 and odds.count(0) < len(odds) * 0.05:
        return "utf-16-be"
    return ""


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(f"文件不是有效的 {encoding.upper()} 文本（第 {exc.start} 字节处出错）", name) from exc


# Control characters other than tab, line feed, form feed and carriage return.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def _is_text(text: str) -> bool:
    head = text[:4096]
    return len(_CONTROLS.findall(head)) <= len(head) * 0.01


def detect(head: bytes, name: str = "") -> bool:
    """Text with tab-led cell lines, in any of the supported encodings; a .txt/.tsv file whatever it
    holds (the reader then says what is wrong with it)."""
    if is_zip(head) or is_ole2(head):
        return False
    if extension(name) in EXTENSIONS:
        return True
    try:
        text = decode(head, name)
    except ReadError:
        # The head may cut a multi-byte character; try again without the last bytes.
        try:
            text = decode(head[:-3], name)
        except ReadError:
            return False
    return _is_text(text) and ("\n\t" in text or text.startswith("\t"))


# A run of blank lines (nothing but spaces, U+3000 or form feeds) ends a row.
_ROW_END = re.compile("\n[ \u3000\f\n]*\n")


def parse_rows(text: str) -> list[list[str]]:
    """Rows of cell texts; line breaks inside a cell are kept as "\\n".

    The text is cut at runs of blank lines into rows, and a row at each line that starts with a
    tab into cells: a line without one continues the cell above (or starts the row).
    """
    chunks = _ROW_END.split("\n" + text.replace("\r\n", "\n").replace("\r", "\n") + "\n\n")
    chunks[0] = chunks[0][1:]  # the line break put before the first line (blank lines there are a run)
    rows: list[list[str]] = []
    for chunk in chunks:
        if chunk:
            rows.append((chunk[1:] if chunk[0] == "\t" else chunk).split("\n\t"))
    return _rejoin_split_rows(rows)


def _rejoin_split_rows(rows: list[list[str]]) -> list[list[str]]:
    """Join a row that an empty paragraph at the end of a cell cut in two.

    Word writes a cell ending in an empty paragraph as a blank line, the same as the end of a row
    (seed form 8: "产出指标(75分)" then the rest of its row). Two short rows whose cells add up to
    the width of the row above are one row.
    """
    out: list[list[str]] = []
    width = 0  # of the last row out
    i, count = 0, len(rows)
    while i < count:
        row = rows[i]
        size = len(row)
        if size < width and i + 1 < count and 0 < len(rows[i + 1]) < width and size + len(rows[i + 1]) == width:
            out.append(row + rows[i + 1])
            i += 2
            continue
        out.append(row)
        width = size
        i += 1
    return out


def read(data: bytes, name: str = "") -> list[Grid]:
    """The one grid of the file; a file cut short (in the middle of a character or of a line) gives a
    ReadError that says so and carries the grid read, so its last form is not lost in silence."""
    cut = _cut_short(data) if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else 0
    text = decode(data[:cut] if cut else data, name)
    check_chars(len(text), name)
    if not _is_text(text):
        raise ReadError("这不是文本文件（含有大量控制字符）；请提供 Word、Excel、PDF、HTML 或文本格式的自评表", name)
    rows = parse_rows(text)
    lim = current_limits()
    width = max(map(len, rows), default=0)
    if len(rows) > lim.max_rows or width > lim.max_columns or sum(map(len, rows)) > lim.max_cells:
        raise too_large(len(rows), width, name, "文本文件的表格")
    grid = Grid(rows=SpanFreeRows(rows), source=name)
    if cut or _ends_mid_line(text):
        raise ReadError(
            "文本文件不完整：" + ("结尾处的文字被截断" if cut else "文件在表格的一行中间结束")
            + "，可能上传或下载时出错，最后一张自评表可能缺少内容。请重新导出或重新上传完整的文件。",
            name,
            grids=[grid],
        )
    return [grid]


def _ends_mid_line(text: str) -> bool:
    """A text of cells cut short: inside a line, or just after the line of a cell.

    Word ends every line with a line break, and a table's last row with a blank line or with the
    paragraph after the table; a text that stops inside a line (or after the tab that starts a
    cell), or with nothing after the line break of a cell's line, stopped in the middle of a row.
    """
    if "\t" not in text:
        return False
    end = text.rstrip(" \u3000\f\x00")  # not tabs: "…\n\t" stops at the start of a cell
    if not end:
        return False
    if end[-1] not in "\r\n":
        return True
    if len(end) < len(text):
        return False  # blanks after the last line break: the paragraph after the table
    body = end.rstrip("\r\n")
    last = body[body.rfind("\n") + 1 :]
    single = end[len(body) :].replace("\r\n", "\n") == "\n"
    # (only in a text of several rows: a one-row snippet has no row end to go by)
    return single and last.startswith("\t") and _ROW_END.search(body) is not None
