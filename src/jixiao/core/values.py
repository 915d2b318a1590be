"""Targets (年度指标值) and actuals (实际完成值): operator, Decimal number, unit, or a phrase (docs/domain.md §3).

CONTRACT (implemented by the values work): parse_value and parse_number never raise.

Reading rules (docs/domain.md §2–§3):

- Full-width digits and signs (０-９ ％ ． ＝ ＞ ＜ ，), U+3000 and line breaks are normalised first.
- Operators: ≥ (≧ ⩾ >= =>), > (＞), = (＝ ═ ﹦ ==), ≤ (≦ ⩽ <= =<), < (＜); words before the number
  (不低于/不少于/达到/大于等于 → ≥, 不高于/不超过/不大于/小于等于/控制在 → ≤, 大于/高于/超过 → >,
  小于/低于/少于 → <, 等于 → =) and after it (以上 → ≥, 以下/以内/之内 → ≤).
- The unit follows the number; "百分比" and "百分之" mean "%". Percent stays in percent units (95 for 95%).
- An indicator name before a sign is dropped ("验收合格率≥95%" → "≥95%"), and so is a trailing "。" or "；".
- A bare number ("1", "90%") has no operator and is read as POSITIVE: a target the unit has to reach.
  Domain §4 scores positive and equal targets with the same formula, and forms that print a bare
  number mean "at least this many" far more often than "exactly"; `Value.op is None` still tells
  a bare number apart from "≥" for checks that need it.
- Text without digits is a qualitative phrase. Text with digits that can't be read is UNREADABLE when
  it starts with an operator (sign or word) or has fewer than two Chinese characters (it looks like a number:
  "12..5", "1O0%", "≥abc5"); otherwise it is a phrase with a date or count in it ("2022年12月底前完成").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache

from jixiao.core.frozen import fast_init
from jixiao.core.lazy import cached_value


class Op(StrEnum):
    GE = "≥"
    GT = ">"
    EQ = "="
    LE = "≤"
    LT = "<"


class Kind(StrEnum):
    POSITIVE = "positive"  # ≥ >, and a bare number as a target (see the module docstring)
    EQUAL = "equal"  # =
    REVERSE = "reverse"  # ≤ <
    QUALITATIVE = "qualitative"  # a phrase, no number
    BLANK = "blank"  # nothing printed
    UNREADABLE = "unreadable"  # text that looks like a value but can't be read (finding P08)


PERCENT = "%"
BLANK_TEXTS = frozenset({"", "-", "--", "/", "—", "——", "无", "\\", "－", "／"})

# Symbols normalised before reading; NFKC already maps ＝ ＞ ＜ ％ ． ﹦ and full-width digits.
_SYMBOLS = str.maketrans({"≧": "≥", "⩾": "≥", "≦": "≤", "⩽": "≤", "═": "=", "−": "-", "﹣": "-"})
_SYMBOL_OPS: tuple[tuple[str, Op], ...] = (
    (">=", Op.GE), ("=>", Op.GE), ("≥=", Op.GE), ("≥", Op.GE),
    ("<=", Op.LE), ("=<", Op.LE), ("≤=", Op.LE), ("≤", Op.LE),
    ("==", Op.EQ), ("=", Op.EQ), (">", Op.GT), ("<", Op.LT),
)  # longest first
_WORD_OPS: tuple[tuple[str, Op], ...] = (
    ("大于等于", Op.GE), ("大于或等于", Op.GE), ("不低于", Op.GE), ("不少于", Op.GE), ("不小于", Op.GE),
    ("达到", Op.GE), ("小于等于", Op.LE), ("小于或等于", Op.LE), ("不高于", Op.LE), ("不超过", Op.LE),
    ("不大于", Op.LE), ("不多于", Op.LE), ("控制在", Op.LE), ("大于", Op.GT), ("高于", Op.GT),
    ("超过", Op.GT), ("多于", Op.GT), ("小于", Op.LT), ("低于", Op.LT), ("少于", Op.LT), ("等于", Op.EQ),
)
_LENIENT_WORDS = frozenset({"达到", "控制在"})  # defer to a symbol that follows ("达到≥95%")
_SUFFIX_OPS: tuple[tuple[str, Op], ...] = (
    ("及以上", Op.GE), ("以上", Op.GE), ("及以下", Op.LE), ("以下", Op.LE), ("以内", Op.LE), ("之内", Op.LE),
)
_UNIT_ALIASES = {"百分比": PERCENT, "百分点": PERCENT, "百分之": PERCENT}
_OP_START = "≥≤=<>≠"
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BAD_UNIT_CHARS = set(".,;:+-=<>≥≤≠")
_UNIT_MAX_LENGTH = 4  # 个工作日, 万平方米; longer text after a number is a sentence, not a unit
_NOT_UNIT_WORDS = ("前", "后", "底", "完成")  # "12月底前完成" is a deadline phrase
_LABEL = re.compile(r"[\u4e00-\u9fff]{1,12}\s*(?=[≥≤=<>])")
_TRAILING_PUNCTUATION = "。;,、 "
_EXAMPLE = "请写成运算符、数字和单位，如“≥95%”“≤90万元”“=100%”，或写成文字描述"


@fast_init
@dataclass(frozen=True)
class Value:
    text: str  # as printed, trimmed
    op: Op | None = None  # None for a bare number, a phrase, blank or unreadable text
    number: Decimal | None = None  # 95 for "≥95%": percent is kept in percent units
    unit: str = ""  # "%" for percent, "个", "万元", "人次"…; "" when none
    phrase: str = ""  # the qualitative phrase when there is no number
    error: str = ""  # why the text can't be read (Chinese), empty when it can

    @cached_value
    def kind(self) -> Kind:
        if self.error:
            return Kind.UNREADABLE
        if self.number is None:
            return Kind.QUALITATIVE if self.phrase else Kind.BLANK
        if self.op is Op.EQ:
            return Kind.EQUAL
        if self.op in (Op.LE, Op.LT):
            return Kind.REVERSE
        return Kind.POSITIVE

    @property
    def is_readable(self) -> bool:
        """A number or a phrase was read (not blank, not unreadable)."""
        return self.kind not in (Kind.BLANK, Kind.UNREADABLE)

    def format(self) -> str:
        """Canonical text: "≥95%", "=100%", "≤90万元", "1000", or the phrase."""
        if self.number is None:
            return self.phrase if not self.error else self.text
        return f"{self.op or ''}{format_number(self.number)}{self.unit}"


def format_number(number: Decimal) -> str:
    """Plain positional notation, never an exponent: 1E+6 → "1000000", 95.50 → "95.50"."""
    return format(number, "f")


def normalise(text: str) -> str:
    """Full-width forms, U+3000 and operator variants to their plain form, trimmed."""
    return unicodedata.normalize("NFKC", text).translate(_SYMBOLS).strip()


@lru_cache(maxsize=4096)
def parse_value(text: str) -> Value:
    """Read a target or an actual; never raises (unreadable text gives kind UNREADABLE).

    Cached: a batch repeats the same cell texts many times, and a Value is immutable.
    """
    try:
        return _parse_value(text)
    except Exception:  # a reader must not stop a batch; anything unforeseen is a P08 finding
        trimmed = text.strip() if isinstance(text, str) else ""
        return Value(text=trimmed, error=f"无法读取“{trimmed}”：{_EXAMPLE}。")


def _parse_value(text: str) -> Value:
    trimmed = text.strip()
    plain = normalise(text)
    if plain in BLANK_TEXTS:
        return Value(text=trimmed)
    value = _without_label(plain)
    if not any(c.isdigit() for c in plain):
        if value[0] in _OP_START:
            return Value(text=trimmed, error=f"无法读取“{trimmed}”：运算符后没有数字。{_EXAMPLE}。")
        return Value(text=trimmed, phrase=trimmed)
    read = _read_quantity(value.rstrip(_TRAILING_PUNCTUATION))
    if isinstance(read, Value):
        return Value(text=trimmed, op=read.op, number=read.number, unit=read.unit)
    if _starts_with_op(value) or len(_CJK.findall(plain)) < 2:  # looks like a number: P08
        return Value(text=trimmed, error=f"无法读取“{trimmed}”：{read}。{_EXAMPLE}。")
    return Value(text=trimmed, phrase=trimmed)  # a sentence with a date or count in it


def _without_label(s: str) -> str:
    """The value after an indicator name written before its sign: "验收合格率≥95%" → "≥95%"."""
    match = _LABEL.match(s)
    if match is None or any(match.group().rstrip().endswith(w) for w, _ in _WORD_OPS):
        return s  # "不低于<5" is an operator, not a name
    return s[match.end():]


def _starts_with_op(s: str) -> bool:
    return s[0] in _OP_START or any(s.startswith(w) for w, _ in _WORD_OPS)


def _take_op(s: str) -> tuple[Op | None, str, str]:
    """The operator at the start of s (word and/or symbol), the rest, and an error ("" when fine)."""
    word_op: Op | None = None
    word = ""
    for w, op in _WORD_OPS:
        if s.startswith(w):
            word, word_op, s = w, op, s[len(w):].lstrip()
            break
    symbol_op: Op | None = None
    for sym, op in _SYMBOL_OPS:
        if s.startswith(sym):
            symbol_op, s = op, s[len(sym):].lstrip()
            break
    if word_op and symbol_op and word_op is not symbol_op and word not in _LENIENT_WORDS:
        return None, s, f"“{word}”与“{symbol_op}”相互矛盾"
    return symbol_op or word_op, s, ""


def _take_suffix(unit: str) -> tuple[Op | None, str]:
    for w, op in _SUFFIX_OPS:
        if unit.endswith(w):
            return op, unit[: -len(w)].rstrip()
    return None, unit


def _read_quantity(s: str) -> Value | str:
    """Operator, number and unit of normalised text, or the reason (Chinese) they can't be read."""
    op, s, error = _take_op(s)
    if error:
        return error
    prefix_unit = ""
    if s.startswith("百分之"):
        prefix_unit, s = PERCENT, s[3:].lstrip()
    match = _NUMBER.match(s)
    if match is None:
        return "运算符后没有可读的数字" if op else "开头不是数字"
    number = Decimal(match.group().replace(",", ""))
    suffix_op, unit = _take_suffix(s[match.end():].strip())
    unit_error = _unit_error(unit)
    if unit_error:
        return unit_error
    if op and suffix_op and op is not suffix_op:
        return f"“{op}”与末尾的“{suffix_op}”相互矛盾"
    unit = _UNIT_ALIASES.get(unit, unit)
    if prefix_unit:
        if unit:
            return "“百分之”后又写了单位"
        unit = prefix_unit
    return Value(text="", op=op or suffix_op, number=number, unit=unit)


def _unit_error(unit: str) -> str:
    """Why the text after the number is not a unit ("" when it is one)."""
    if any(c.isdigit() for c in unit):
        letters = [c for c in unit if c in "OoIlS"]
        if letters:
            return f"数字中混有字母“{letters[0]}”"
        return "数字写法有误（如多余的小数点、空格或第二个数字）"
    if unit and (unit[0] in _BAD_UNIT_CHARS or unit[-1] in _BAD_UNIT_CHARS):
        return "数字写法有误（多余的符号或小数点）"
    if _take_suffix(unit)[0] is not None:
        return "末尾重复写了“以上/以下/以内”"
    if unit.startswith(PERCENT) and unit != PERCENT:
        return "“%”后还有其他文字"
    if len(unit.replace(" ", "")) > _UNIT_MAX_LENGTH or any(w in unit for w in _NOT_UNIT_WORDS):
        return "数字后的文字不是单位"
    return ""


# 指标性质 column of three-column templates: its word stands for the operator.
_NATURE_OPS = {"正向": "≥", "正向指标": "≥", "反向": "≤", "反向指标": "≤", "定量": "", "定性": "", "定性指标": ""}


def joined_target(nature: str, number: str, unit: str) -> str:
    """A split target as one cell prints it: 正向 | 95 | % → "≥95%", 反向 | 30 | 分钟 → "≤30分钟"; a 定性 row's
    phrase as it is (the unit column says nothing more)."""
    if not any(c.isdigit() for c in normalise(number)):
        return number
    sign = _NATURE_OPS.get(normalise(nature), nature)
    return "".join(part.strip() for part in (sign, number, unit))


def parse_parts(nature: str, number: str, unit: str) -> Value:
    """A target split over three columns (指标性质 "≥" | 指标值 "95" | 度量单位 "%", domain §3).

    指标性质 may be a sign or 正向/反向 (≥/≤); a 定性 row's 指标值 is its phrase. Never raises.
    """
    value = parse_value(joined_target(nature, number, unit))
    return replace(value, text=" ".join(p.strip() for p in (nature, number, unit) if p.strip()))


@lru_cache(maxsize=4096)
def parse_number(text: str) -> Decimal | None:
    """Read a plain number cell (万元, 分值, 得分, 执行率 without its %); None for blank, "-" or unreadable.

    "1,000" → 1000, "75.6%" → 75.6 (percent units), "　10" → 10, "620.82万元" → 620.82, "20分" → 20;
    "620元" → None (number_error says why: the form counts in 万元). Never raises.
    """
    try:
        plain = _without_cell_unit(normalise(text))
        if not _NUMBER.fullmatch(plain):
            return None
        return Decimal(plain.replace(",", ""))
    except (InvalidOperation, TypeError, AttributeError, ValueError):
        return None


# Units a number cell may print after its number, and mean what its column says: 万元 in a 万元 form,
# 分 for points, % for a rate or a weight printed as a percentage (issue 9: "620.82万元", "10万", "20%").
# "元" is not among them: an amount in 元 in a form in 万元 is a finding (number_error), never converted.
CELL_UNITS = ("万元", "万", "分", PERCENT)


def _without_cell_unit(plain: str) -> str:
    if not plain or plain[-1] not in "万元分%":
        return plain
    for unit in CELL_UNITS:
        if plain.endswith(unit):
            return plain[: -len(unit)].rstrip()
    return plain


def cell_unit(text: str) -> str:
    """The unit a number cell prints after its number ("万元", "万", "分", "%"), "" when none."""
    try:
        plain = normalise(text)
    except (TypeError, AttributeError):
        return ""
    return next((unit for unit in CELL_UNITS if plain.endswith(unit)), "")


@lru_cache(maxsize=4096)
def number_error(text: str) -> str:
    """Why a number cell can't be read (Chinese); "" when it is blank, a placeholder ("-", "/") or a number."""
    try:
        plain = normalise(text)
    except (TypeError, AttributeError):
        return "单元格内容不是文本，无法读取为数字。"
    if plain in BLANK_TEXTS or parse_number(text) is not None:
        return ""
    if plain.endswith("元") and _NUMBER.fullmatch(plain[:-1].rstrip()):
        return (f"“{text.strip()}”以“元”为单位，而表中金额以“万元”为单位：请换算为万元后填写"
                f"（如 6208200元 写作 620.82），系统不会自行换算。")
    letters = [c for c in plain if c.isalpha() and c.isascii()]
    if letters and any(c.isdigit() for c in plain):
        return f"“{text.strip()}”不是数字：其中混有字母“{letters[0]}”，请改为阿拉伯数字，如“100”。"
    if letters or _CJK.search(plain):
        return f"“{text.strip()}”不是数字：请只填写数字，如“100”或“7.56”，单位写在表头中。"
    return f"“{text.strip()}”不是数字：写法有误（如多余的小数点或符号），请写成如“1000”“7.56”的形式。"


def to_fraction(value: Value) -> Decimal | None:
    """The number as a plain quantity: percent divided by 100 (95% → 0.95), other units unchanged."""
    if value.number is None:
        return None
    return value.number / 100 if value.unit == PERCENT else value.number


def normalise_unit(unit: str) -> str:
    """The canonical unit: "百分比" and "％" are "%", blanks removed."""
    plain = normalise(unit).replace(" ", "")
    return _UNIT_ALIASES.get(plain, plain)


def same_unit(a: Value | str, b: Value | str) -> bool:
    """Whether two units are the same; a str is a unit ("%", "百分比"), a Value gives its unit.

    "%" and "百分比" agree; "" and "%" do not (whether that matters, comparable_units says).
    """
    unit_a = a.unit if isinstance(a, Value) else normalise_unit(a)
    unit_b = b.unit if isinstance(b, Value) else normalise_unit(b)
    return unit_a == unit_b


def comparable_units(target: Value, actual: Value) -> bool:
    """Whether a target and an actual compare as numbers (checks P03, R08; docs/domain.md §3).

    They do in the same unit, and when one side is a bare number: "≥20%" beside "15" is the usual
    shorthand for 15%, which scoring reads so too. Only two units that differ ("个", "人次") don't.
    """
    return not target.unit or not actual.unit or same_unit(target, actual)


# Words that make a qualitative target vague: they say "better" without saying how much (check P10).
VAGUE_WORDS = (
    "明显", "显著", "有所", "进一步", "逐步", "不断", "较好", "较高", "较大", "良好", "大幅", "稳步",
    "持续", "积极", "一定", "提升", "提高", "改善", "增强", "加强", "促进", "推动", "有效", "大力",
)


def is_measurable_phrase(text: str) -> bool:
    """Whether a qualitative target states a standard one can check (check P10).

    False for phrases that only promise improvement (效果明显, 显著提高, 有所提升); true for
    phrases naming a number, a deadline or a yes/no standard (按时完成, 符合相关规定).
    """
    plain = normalise(text)
    if any(c.isdigit() for c in plain):
        return True
    return not any(word in plain for word in VAGUE_WORDS)
