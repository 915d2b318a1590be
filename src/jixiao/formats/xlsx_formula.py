"""Arithmetic formulas that a program wrote into a workbook without calculating them.

Excel and WPS save every formula with its result; programs that write spreadsheets (openpyxl, many
systems' exports, a bureau's generated template) often save the formula alone, and Excel would calculate
it on opening. Such a form's 执行率 "=E5/D5", 得分 "=F5*G5" or 总分 "=SUM(H5:H11)" is what the form means,
so it is calculated here the way Excel would, from the sheet's own cells:

- numbers, cell references of the same sheet (A1, $A$1) and ranges (A1:B3), + - * / ^, a trailing %,
  parentheses, and SUM, AVERAGE, MIN, MAX, ROUND, ABS, PRODUCT;
- an empty cell counts 0, as in Excel; a cell holding a number as text counts as that number;
- a formula referring to another uncalculated formula is calculated after it (a cycle is not).

Anything else (another sheet, another function, text, a division by zero) is left as typed, and so is a
formula without any cell reference: "=100%" typed as a target means ＝100%, not 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation
from typing import Any

Position = tuple[int, int]

_TOKEN = re.compile(r"\s*(?:(?P<range>\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?\d+)|(?P<ref>\$?[A-Z]{1,3}\$?\d+)"
                    r"|(?P<number>\d+(?:\.\d*)?(?:E[+-]?\d+)?|\.\d+)|(?P<func>[A-Z]+)\s*\(|(?P<op>[-+*/^%(),]))",
                    re.IGNORECASE)
_REFERENCE = re.compile(r"\$?[A-Z]{1,3}\$?\d+", re.IGNORECASE)
MAX_LENGTH = 500  # characters of one formula; longer ones are left as typed
MAX_RANGE = 10_000  # cells of one range
MAX_LOOKUPS = 200_000  # cells read by all of a sheet's formulas together; the rest are left as typed


class _Unsupported(Exception):
    """A formula this module does not calculate: it stays as typed."""


def _position(ref: str) -> Position:
    ref = ref.replace("$", "").upper()
    letters = ref.rstrip("0123456789")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters):]) - 1, col - 1


def _tokens(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        found = _TOKEN.match(text, at)
        if found is None:
            raise _Unsupported(text)
        kind = found.lastgroup or ""
        out.append((kind, found.group(kind)))
        at = found.end()
    return out


def _round(values: list[Decimal]) -> Decimal:
    if len(values) != 2:
        raise _Unsupported("ROUND")
    return values[0].quantize(Decimal(1).scaleb(-int(values[1])), rounding=ROUND_HALF_UP)


def _product(values: list[Decimal]) -> Decimal:
    out = Decimal(1)
    for v in values:
        out *= v
    return out


_FUNCTIONS: dict[str, Callable[[list[Decimal]], Decimal]] = {
    "SUM": lambda v: sum(v, Decimal(0)),
    "AVERAGE": lambda v: sum(v, Decimal(0)) / len(v),
    "MIN": lambda v: min(v, default=Decimal(0)),
    "MAX": lambda v: max(v, default=Decimal(0)),
    "ABS": lambda v: abs(v[0]) if len(v) == 1 else _raise("ABS"),
    "ROUND": _round,
    "PRODUCT": _product,
}


def _raise(name: str) -> Decimal:
    raise _Unsupported(name)


class _Parser:
    """Recursive descent over one formula's tokens, Excel's precedence: unary minus, %, ^, * /, + -."""

    def __init__(self, tokens: list[tuple[str, str]], cell: Callable[[Position], Decimal]) -> None:
        self.tokens, self.at, self.cell = tokens, 0, cell

    def peek(self) -> str:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else ""

    def take(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise _Unsupported("end")
        self.at += 1
        return self.tokens[self.at - 1]

    def whole(self) -> Decimal:
        value = self.sum()
        if self.at != len(self.tokens):
            raise _Unsupported("trailing")
        return value

    def sum(self) -> Decimal:
        value = self.product()
        while self.peek() in ("+", "-"):
            value = value + self.product() if self.take()[1] == "+" else value - self.product()
        return value

    def product(self) -> Decimal:
        value = self.power()
        while self.peek() in ("*", "/"):
            value = value * self.power() if self.take()[1] == "*" else value / self.power()
        return value

    def power(self) -> Decimal:
        value = self.unary()
        while self.peek() == "^":
            self.take()
            value = value ** self.unary()
        return value

    def unary(self) -> Decimal:
        if self.peek() in ("-", "+"):
            return -self.unary() if self.take()[1] == "-" else self.unary()
        value = self.atom()
        while self.peek() == "%":
            self.take()
            value /= 100
        return value

    def atom(self) -> Decimal:
        kind, text = self.take()
        if kind == "number":
            return Decimal(text)
        if kind == "ref":
            return self.cell(_position(text))
        if kind == "func":
            function = _FUNCTIONS.get(text.upper())
            if function is None:
                raise _Unsupported(text)
            return function(self.arguments())
        if text == "(":
            value = self.sum()
            if self.take()[1] != ")":
                raise _Unsupported(")")
            return value
        raise _Unsupported(text)

    def arguments(self) -> list[Decimal]:
        values: list[Decimal] = []
        while self.peek() != ")":
            kind, text = self.tokens[self.at] if self.at < len(self.tokens) else ("", "")
            if kind == "range":
                self.take()
                values.extend(self.range(text))
            else:
                values.append(self.sum())
            if self.peek() == ",":
                self.take()
            elif self.peek() != ")":
                raise _Unsupported("arguments")
        self.take()
        return values

    def range(self, text: str) -> list[Decimal]:
        (r1, c1), (r2, c2) = (_position(part) for part in text.split(":"))
        r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
        if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_RANGE:
            raise _Unsupported("range")
        return [self.cell((r, c)) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def calculate(formulas: Mapping[Position, str], cells: Mapping[Position, tuple[Any, str]]) -> dict[Position, Decimal]:
    """The value of each formula (text with its "=") that can be calculated from the cells (value, number
    format) and from each other; the others are left out."""
    done: dict[Position, Decimal | None] = {}
    busy: set[Position] = set()
    lookups = [0]

    def cell(at: Position) -> Decimal:
        lookups[0] += 1
        if lookups[0] > MAX_LOOKUPS:
            raise _Unsupported("too much to calculate")
        if at in formulas:
            value = formula(at)
            if value is None:
                raise _Unsupported("depends on a formula left as typed")
            return value
        raw = cells.get(at, (None, ""))[0]
        if raw is None or raw == "":
            return Decimal(0)
        if isinstance(raw, bool):
            raise _Unsupported("boolean")
        if isinstance(raw, int | float | Decimal):
            return Decimal(str(raw))
        try:
            return Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            raise _Unsupported("text") from None

    def formula(at: Position) -> Decimal | None:
        if at in done:
            return done[at]
        if at in busy:
            raise _Unsupported("cycle")
        text = formulas[at].lstrip("=")
        if len(text) > MAX_LENGTH or not _REFERENCE.search(text) or "!" in text:
            done[at] = None
            return None
        busy.add(at)
        try:
            value: Decimal | None = _Parser(_tokens(text), cell).whole()
        except (_Unsupported, ArithmeticError, DivisionByZero, InvalidOperation, ValueError, IndexError,
                RecursionError):  # a chain of formulas deeper than Python's stack: the deep end stays as typed
            value = None
        finally:
            busy.discard(at)
        done[at] = value
        return value

    return {at: value for at in formulas if (value := formula(at)) is not None}
