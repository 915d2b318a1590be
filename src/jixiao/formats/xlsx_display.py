"""Number formats: the text Excel displays for a value and a format code.

A spreadsheet stores 75.6% as the number 0.756 with the format "0.0%", and 10.00 as 10 with
"0.00"; the form prints the displayed text, so that is what the grid holds (docs/domain.md §8).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any


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
