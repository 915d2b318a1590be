"""Excel (.xlsx) reader: one grid per sheet, every value as the sheet displays it.

A spreadsheet stores 75.6% as the number 0.756 with the format "0.0%", and 10.00 as 10 with
"0.00"; the form prints the displayed text, so that is what the grid holds (docs/domain.md §8).
Values come from openpyxl's read-only mode (several times faster than the normal mode, which
builds every cell object); merged ranges, which read-only mode does not expose, are taken from
the <mergeCells> element of each sheet part.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from jixiao.formats import ReadError
from jixiao.formats.grid import Cell, Grid

EXTENSIONS = (".xlsx", ".xlsm")

_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=[\"']([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)[\"']")
_FORMULA_RE = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\br=[\"']([A-Za-z]+\d+)[\"'][^>]*>\s*<(?:\w+:)?f\b[^>/]*>([^<]+)</(?:\w+:)?f>\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_REF_RE = re.compile(r"([A-Za-z]+)(\d+)")


def detect(head: bytes, name: str) -> bool:
    from jixiao.formats.registry import detect_format

    return detect_format(head, name) == "xlsx"


def read(data: bytes, name: str) -> list[Grid]:
    """One grid per visible or hidden worksheet, in workbook order (chart sheets skipped)."""
    import openpyxl

    from jixiao.formats.registry import check_ooxml

    zf = check_ooxml(data, name, "Excel 文件")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(
            f"Excel 文件已损坏或格式不规范（{type(exc).__name__}: {exc}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再试。",
            name,
        ) from None
    grids = []
    try:
        for ws in wb.worksheets:
            xml = _sheet_xml(zf, getattr(ws, "_worksheet_path", ""))
            merges = _merged_ranges(xml)
            uncalculated = _uncalculated_formulas(xml)
            ws.reset_dimensions()  # the stored dimension is often wrong; read what is there
            rows = (
                [(_text(c.value), getattr(c, "number_format", "General")) for c in row]
                for row in ws.iter_rows()
            )
            grids.append(build_grid(rows, merges, name, ws.title, uncalculated))
    finally:
        wb.close()
        zf.close()
    return grids


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


def _sheet_xml(zf: Any, path: str) -> bytes:
    if not path:
        return b""
    try:
        return bytes(zf.read(path.lstrip("/")))
    except KeyError:
        return b""


def _uncalculated_formulas(xml: bytes) -> dict[tuple[int, int], str]:
    """Formulas that were never calculated (no cached value), shown as typed: "=100%".

    Programs that write spreadsheets (and users typing "=100%" as a target) leave formula cells
    without a value; Excel would calculate them on opening, but the text typed is what the form
    means, and a reader has no calculator.
    """
    if b"<f" not in xml:
        return {}
    from html import unescape

    out = {}
    for ref, formula in _FORMULA_RE.findall(xml):
        r, c = _ref(ref.decode("ascii"))
        out[(r, c)] = "=" + unescape(formula.decode("utf-8", "replace"))
    return out


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """(first row, first col, last row, last col), 0-based, of every merged range of a sheet."""
    if b"mergeCell" not in xml:
        return []
    end = max(xml.rfind(b"sheetData>"), xml.rfind(b"sheetData/>"), 0)
    ranges = []
    for ref in _MERGE_RE.findall(xml, end):
        a, _, b = ref.decode("ascii").partition(":")
        r1, c1 = _ref(a)
        r2, c2 = _ref(b or a)
        ranges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return ranges


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
    """A grid from rows of (value, number format) and merged ranges, over the area that holds text.

    Blank rows and columns beyond the last text are left out, except where a merged cell that
    holds text reaches into them.
    """
    texts: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        for c, (value, fmt) in enumerate(row):
            if value is not None and value != "":
                texts[(r, c)] = display(value, fmt)
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
