"""Excel (.xlsx) reader: one grid per sheet, every value as the sheet displays it.

A spreadsheet stores 75.6% as the number 0.756 with the format "0.0%", and 10.00 as 10 with
"0.00"; the form prints the displayed text, so that is what the grid holds (domain.md §8).
The sheet XML is read with lxml's iterparse, one element at a time and cleared behind (constant
memory per sheet, about five times faster than openpyxl's read-only mode), taking from each cell
what openpyxl's data-only reading takes: shared and inline strings, numbers, booleans, errors,
cached formula results, and dates where the cell's number format is a date format (openpyxl's
own is_date_format and from_excel decide, so both readers agree). Merged ranges come from the
<mergeCells> element, formulas never calculated from <f> without a <v>.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.grid import Cell, Grid

EXTENSIONS = (".xlsx", ".xlsm")

_REF_RE = re.compile(r"([A-Za-z]+)(\d+)")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def detect(head: bytes, name: str) -> bool:
    from jixiao.formats.registry import detect_format

    return detect_format(head, name) == "xlsx"


def _damaged(name: str, exc: Exception | str) -> ReadError:
    what = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return ReadError(
        f"Excel 文件已损坏或格式不规范（{what}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再试。", name
    )


def read(data: bytes, name: str) -> list[Grid]:
    """One grid per visible or hidden worksheet, in workbook order (chart sheets skipped)."""
    from lxml import etree

    from jixiao.formats.registry import check_ooxml

    zf = check_ooxml(data, name, "Excel 文件")
    try:
        book = _Book(zf, name)
        grids = []
        for title, path in book.sheets:
            if path not in book.parts:
                # openpyxl skipped such a sheet without a word and its form was lost (issue 16 point 7)
                raise ReadError(
                    f"Excel 文件已损坏：工作表“{title}”的数据（{path}）不在文件中，这张表无法读取。"
                    "请用 Excel 或 WPS 打开后另存为 .xlsx 再试。",
                    name,
                )
            with zf.open(path) as fh:
                rows, merges, uncalculated = _read_sheet(fh, book)
            grids.append(build_grid(rows, merges, name, title, uncalculated))
        return grids
    except ReadError:
        raise
    except (etree.XMLSyntaxError, KeyError, ValueError, IndexError, OSError, EOFError) as exc:
        raise _damaged(name, exc) from None
    finally:
        zf.close()


class _Book:
    """What every sheet needs from the workbook: shared strings, formats, the date epoch, sheets."""

    def __init__(self, zf: Any, name: str) -> None:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.parts = set(zf.namelist())
        root_rels = _rels(zf, "_rels/.rels")
        workbook = next((t for t, kind in root_rels.values() if kind.endswith("/officeDocument")), "")
        workbook = _resolve("", workbook) or "xl/workbook.xml"
        if workbook not in self.parts:
            raise _damaged(name, "缺少工作簿 workbook.xml")
        base = posixpath.dirname(workbook)
        rels = _rels(zf, posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels"))
        wb = _parse(zf.read(workbook))
        pr = _find(wb, "workbookPr")
        self.epoch = (
            CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") else CALENDAR_WINDOWS_1900
        )
        self.sheets: list[tuple[str, str]] = []
        for sheet in _iter(wb, "sheet"):
            target, kind = rels.get(sheet.get(REL + "id") or sheet.get("{http://purl.oclc.org/ooxml/officeDocument/relationships}id") or "", ("", ""))
            if kind and not kind.endswith("/worksheet"):
                continue  # a chart sheet or a dialog sheet holds no cells
            self.sheets.append((sheet.get("name", ""), _resolve(base, target)))
        strings_part = next((t for t, kind in rels.values() if kind.endswith("/sharedStrings")), "")
        self.strings = _shared_strings(zf, _resolve(base, strings_part)) if strings_part else []
        formats: dict[int, str] = dict(BUILTIN_FORMATS)
        self.xf_formats: list[str] = []
        styles_part = next((t for t, kind in rels.values() if kind.endswith("/styles")), "")
        styles_path = _resolve(base, styles_part) if styles_part else ""
        if styles_path in self.parts:
            styles = _parse(zf.read(styles_path))
            for nf in _iter(styles, "numFmt"):
                formats[int(nf.get("numFmtId", "0"))] = nf.get("formatCode", "General")
            xfs = _find(styles, "cellXfs")
            if xfs is not None:
                self.xf_formats = [
                    formats.get(int(xf.get("numFmtId", "0")), "General") for xf in _children(xfs, "xf")
                ]
        self.dates = {i for i, f in enumerate(self.xf_formats) if is_date_format(f)}
        self.durations = {i for i in self.dates if is_timedelta_format(self.xf_formats[i])}

    def number_format(self, style: int) -> str:
        return self.xf_formats[style] if 0 <= style < len(self.xf_formats) else "General"


def _parse(xml: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(xml, parser)


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _iter(root: Any, name: str) -> Iterator[Any]:
    return (el for el in root.iter() if _local(el.tag) == name)


def _find(root: Any, name: str) -> Any:
    return next(_iter(root, name), None)


def _children(root: Any, name: str) -> list[Any]:
    return [el for el in root if _local(el.tag) == name]


def _rels(zf: Any, path: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (target, type) of one .rels part; none when the part is missing."""
    try:
        root = _parse(zf.read(path))
    except KeyError:
        return {}
    return {r.get("Id", ""): (r.get("Target", ""), r.get("Type", "")) for r in _iter(root, "Relationship")}


def _resolve(base: str, target: str) -> str:
    if not target:
        return ""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))


def _text_of(el: Any) -> str:
    """The text of a string item (<si> or <is>): its <t> and its runs' <t>, without phonetic runs."""
    out = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            out.append(child.text or "")
        elif tag == "r":
            out.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(out)


def _shared_strings(zf: Any, path: str) -> list[str]:
    from lxml import etree

    if path not in set(zf.namelist()):
        return []
    strings = []
    with zf.open(path) as fh:
        for _, el in etree.iterparse(fh, events=("end",), resolve_entities=False, no_network=True):
            if _local(el.tag) == "si":
                strings.append(_text_of(el).replace("x005F_", ""))
                el.clear()
    return strings


def _read_sheet(
    fh: Any, book: _Book
) -> tuple[dict[tuple[int, int], tuple[Any, str]], list[tuple[int, int, int, int]], dict[tuple[int, int], str]]:
    """The cells (value, number format) by position, the merged ranges and the uncalculated formulas."""
    from lxml import etree
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    cells: dict[tuple[int, int], tuple[Any, str]] = {}
    merges: list[tuple[int, int, int, int]] = []
    uncalculated: dict[tuple[int, int], str] = {}
    row_no, col_no = -1, -1
    for event, el in etree.iterparse(fh, events=("start", "end"), resolve_entities=False, no_network=True):
        tag = _local(el.tag)
        if event == "start":
            if tag == "row":
                r = el.get("r")
                row_no = int(r) - 1 if r else row_no + 1
                col_no = -1
            continue
        if tag == "c":
            ref = el.get("r")
            if ref:
                row_no, col_no = _ref(ref)
            else:
                col_no += 1
            kind = el.get("t", "n")
            style = int(el.get("s") or 0)
            value_el = formula = inline = None
            for child in el:
                part = _local(child.tag)
                if part == "v":
                    value_el = child
                elif part == "f":
                    formula = child
                elif part == "is":
                    inline = child
            raw = value_el.text if value_el is not None else None
            value: Any = None
            if kind == "inlineStr":
                value = _text_of(inline) if inline is not None else None
            elif raw:
                if kind == "n":
                    value = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
                    if style in book.dates:
                        try:
                            value = from_excel(value, book.epoch, timedelta=style in book.durations)
                        except (OverflowError, ValueError):
                            value = "#VALUE!"
                elif kind == "s":
                    value = book.strings[int(raw)]
                elif kind == "b":
                    value = bool(int(raw))
                elif kind == "d":
                    value = from_ISO8601(raw)
                else:  # "str" (a formula's text result), "e" (an error such as #DIV/0!)
                    value = raw
            elif formula is not None and formula.text:
                # A formula never calculated (no cached value): shown as typed, "=100%". Programs that
                # write spreadsheets (and users typing "=100%" as a target) leave such cells; Excel
                # would calculate them on opening, but the text typed is what the form means.
                uncalculated[(row_no, col_no)] = "=" + formula.text
            if value is not None:
                cells[(row_no, col_no)] = (_text(value), book.number_format(style))
            el.clear()
        elif tag == "row":
            el.clear()
        elif tag == "mergeCell":
            a, _, b = (el.get("ref") or "").partition(":")
            if _REF_RE.fullmatch(a) and (not b or _REF_RE.fullmatch(b)):
                r1, c1 = _ref(a)
                r2, c2 = _ref(b or a)
                merges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        elif tag == "sheetData":
            el.clear()
    return cells, merges, uncalculated


_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _text(value: Any) -> Any:
    """Strings with OOXML's escapes undone ("_x000D_" is a carriage return) and line ends as "\\n"."""
    if not isinstance(value, str):
        return value
    if "_x" in value:
        value = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _ref(ref: str) -> tuple[int, int]:
    m = _REF_RE.fullmatch(ref)
    if not m:
        return 0, 0
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


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


# ---------------------------------------------------------------------------------------------
# Number formats: the text Excel displays for a value and a format code


def display(value: Any, fmt: str | None) -> str:
    """The text a cell shows: 0.756 with "0.0%" → "75.6%", 10 with "0.00" → "10.00"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    fmt = fmt or "General"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return _format_date(value, fmt)
    if isinstance(value, dt.timedelta):
        return str(value)
    if not isinstance(value, int | float | Decimal):
        return str(value)
    try:
        return _format_number(value, fmt)
    except (InvalidOperation, ValueError, OverflowError):
        return general(value)


def general(value: float | int | Decimal) -> str:
    """Excel's "General": integers without ".0", at most 15 significant digits, no float noise."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return "#NUM!"
    d = _decimal(value)
    if d == d.to_integral_value() and abs(d) < Decimal("1e15"):
        return str(int(d))
    if d != 0 and (abs(d) >= Decimal("1e11") or abs(d) < Decimal("1e-9")):
        mant = f"{d:.5E}"  # Excel shows 1.23457E+11
        head, _, exp = mant.partition("E")
        head = head.rstrip("0").rstrip(".")
        sign = exp[0]
        return f"{head}E{sign}{exp[1:].lstrip('0').rjust(2, '0')}"
    text = format(d.normalize(), "f")
    return text


def _decimal(value: float | int | Decimal) -> Decimal:
    """The value rounded to the 15 significant digits Excel keeps (0.8063 not 0.80629999…)."""
    if isinstance(value, int):
        return Decimal(value)
    d = Decimal(repr(value)) if isinstance(value, float) else value
    if d == 0:
        return Decimal(0)
    exp = d.adjusted() - 14
    return d.quantize(Decimal(1).scaleb(exp), rounding=ROUND_HALF_UP)


_BRACKET_RE = re.compile(r"\[[^\]]*\]")
_DATE_TOKENS = re.compile(r"[ymdhsYMDHS]")


def _sections(fmt: str) -> list[str]:
    out, cur, quoted, i = [], [], False, 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "\\" and not quoted and i + 1 < len(fmt):
            cur.append(fmt[i : i + 2])
            i += 2
            continue
        elif ch == ";" and not quoted:
            out.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def _format_number(value: float | int | Decimal, fmt: str) -> str:
    sections = _sections(fmt)
    d = _decimal(value)
    section = sections[0]
    negative_section = False
    if d < 0 and len(sections) >= 2 and sections[1].strip():
        section, negative_section = sections[1], True
    elif d == 0 and len(sections) >= 3:
        section = sections[2]
    section = _BRACKET_RE.sub("", section)
    if section.strip().lower() in ("general", "") or section.strip() == "@":
        return general(value) if not negative_section else general(abs(d))
    if _DATE_TOKENS.search(_unquoted(section)) and "0" not in _unquoted(section).replace("00", ""):
        return general(value)  # a date format on a plain number (openpyxl did not convert it)
    if negative_section:
        d = abs(d)
    return _render(d, section)


def _unquoted(section: str) -> str:
    return re.sub(r'"[^"]*"|\\.', "", section)


def _render(d: Decimal, section: str) -> str:
    # Split the section into literal text and the one numeric pattern.
    literal_before: list[str] = []
    literal_after: list[str] = []
    pattern: list[str] = []
    target = literal_before
    i = 0
    percent = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            j = section.find('"', i + 1)
            j = len(section) if j < 0 else j
            target.append(section[i + 1 : j])
            i = j + 1
            continue
        if ch == "\\" and i + 1 < len(section):
            target.append(section[i + 1])
            i += 2
            continue
        if ch == "_":  # padding the width of the next character
            target.append(" ")
            i += 2
            continue
        if ch == "*":  # fill character
            i += 2
            continue
        if ch in "0#?.," and not (ch == "," and not pattern):
            if pattern and literal_after:
                # a second numeric run (fractions, exponent tails) is beyond this renderer
                raise ValueError(section)
            pattern.append(ch)
            target = literal_after
            i += 1
            continue
        if ch in "eE" and pattern and i + 1 < len(section) and section[i + 1] in "+-":
            return _scientific(d, "".join(pattern), section[i + 2 :], literal_before)
        if ch == "%":
            percent += 1
        if ch == "/" and pattern:
            raise ValueError(section)
        target.append(ch)
        i += 1
    d = d * (Decimal(100) ** percent)
    if not pattern:
        return ("".join(literal_before) + "".join(literal_after)).strip()
    pat = "".join(pattern)
    while pat.endswith(","):  # trailing commas scale by a thousand each
        d = d / 1000
        pat = pat[:-1]
    int_pat, _, frac_pat = pat.partition(".")
    grouping = "," in int_pat
    int_pat = int_pat.replace(",", "")
    frac_pat = frac_pat.replace(",", "")
    places = len(frac_pat)
    min_places = len(frac_pat.rstrip("#?"))
    q = (
        d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if places
        else d.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    sign = "-" if q < 0 else ""
    q = abs(q)
    text = format(q, f"{',' if grouping else ''}.{places}f")
    whole, _, frac = text.partition(".")
    if places > min_places:
        frac = frac.rstrip("0")
        if len(frac) < min_places:
            frac = frac.ljust(min_places, "0")
    min_int = int_pat.count("0")
    if whole.replace(",", "") == "0" and min_int == 0:
        whole = ""
    elif len(whole.replace(",", "")) < min_int:
        whole = whole.zfill(min_int)
    number = whole + ("." + frac if frac else ("." if "." in pat and places == 0 else ""))
    if number.endswith(".") and places == 0 and "." in pat:
        number = number  # Excel keeps a trailing point for "0."
    return ("".join(literal_before) + sign + number + "".join(literal_after)).strip()


def _scientific(d: Decimal, mantissa_pat: str, tail: str, before: list[str]) -> str:
    places = len(mantissa_pat.partition(".")[2])
    digits = len(re.match(r"[0#]*", tail).group(0)) if tail else 2  # type: ignore[union-attr]
    text = f"{d:.{places}E}"
    head, _, exp = text.partition("E")
    return "".join(before) + f"{head}E{exp[0]}{exp[1:].lstrip('0').rjust(max(digits, 1), '0')}"


_DATE_PART_RE = re.compile(
    r'"[^"]*"|\\.|yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|AM/PM|am/pm|A/P|上午/下午|\.0+',
    re.IGNORECASE,
)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _format_date(value: dt.datetime | dt.date | dt.time, fmt: str) -> str:
    section = _BRACKET_RE.sub("", _sections(fmt)[0]).strip()
    if fmt in ("mm-dd-yy", "General", "") or not _DATE_TOKENS.search(_unquoted(section)):
        # The built-in short date follows the system locale; show the unambiguous ISO date.
        if isinstance(value, dt.datetime):
            if value.time() == dt.time(0):
                return value.date().isoformat()
            return value.isoformat(sep=" ", timespec="seconds")
        return value.isoformat()
    if isinstance(value, dt.time):
        value = dt.datetime.combine(dt.date(1899, 12, 31), value)
    elif not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(0))
    tokens = _DATE_PART_RE.findall(section)
    twelve = any(t.lower() in ("am/pm", "a/p", "上午/下午") for t in tokens)
    out: list[str] = []
    pos = 0
    prev_hour = False
    parts = list(_DATE_PART_RE.finditer(section))
    for k, m in enumerate(parts):
        out.append(section[pos : m.start()])
        pos = m.end()
        tok = m.group(0)
        low = tok.lower()
        nxt = next((p.group(0).lower() for p in parts[k + 1 :] if p.group(0)[0] not in '"\\'), "")
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1])
        elif low == "yyyy":
            out.append(f"{value.year:04d}")
        elif low == "yy":
            out.append(f"{value.year % 100:02d}")
        elif low in ("m", "mm") and (prev_hour or nxt.startswith("s")):
            out.append(f"{value.minute:02d}" if low == "mm" else str(value.minute))
        elif low == "m":
            out.append(str(value.month))
        elif low == "mm":
            out.append(f"{value.month:02d}")
        elif low == "mmm":
            out.append(_MONTHS[value.month - 1][:3])
        elif low in ("mmmm", "mmmmm"):
            out.append(_MONTHS[value.month - 1] if low == "mmmm" else _MONTHS[value.month - 1][0])
        elif low == "d":
            out.append(str(value.day))
        elif low == "dd":
            out.append(f"{value.day:02d}")
        elif low == "ddd":
            out.append(_DAYS[value.weekday()][:3])
        elif low == "dddd":
            out.append(_DAYS[value.weekday()])
        elif low in ("h", "hh"):
            hour = value.hour % 12 or 12 if twelve else value.hour
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
        elif low in ("s", "ss"):
            out.append(f"{value.second:02d}" if low == "ss" else str(value.second))
        elif low in ("am/pm", "a/p"):
            am = value.hour < 12
            out.append(("AM" if am else "PM") if low == "am/pm" else ("A" if am else "P"))
        elif tok == "上午/下午":
            out.append("上午" if value.hour < 12 else "下午")
        elif tok.startswith("."):
            out.append("." + f"{value.microsecond:06d}"[: len(tok) - 1])
        prev_hour = low in ("h", "hh")
    out.append(section[pos:])
    return "".join(out).strip()
