"""Typed access to the keys of one TOML file of rules (a scoring profile, the year's rules): one place for
what a key must hold and for the message that names the file and the key when it does not.

Each kind of file says how its problems are raised (`fail`: ProfileError, RulesError …) and, if it
has any, which keys may be left out (`defaults`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

MISSING: Any = object()  # what `default` gives for a key the file must have


class KeyReader:
    def __init__(self, data: Mapping[str, Any], file: str) -> None:
        self.data = data
        self.file = file

    def fail(self, key: str, problem: str) -> Exception:
        raise NotImplementedError

    def default(self, key: str) -> Any:
        """The value of a key the file may leave out (None included); MISSING when it must be there."""
        return MISSING

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.data:
            return self.data[key]
        fallback = self.default(key)
        if fallback is not MISSING:
            return fallback
        if default is not None:
            return default
        raise self.fail(key, "缺失")

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"应为非空文本（加英文引号），实际为 {value!r}")
        return value.strip()

    def flag(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise self.fail(key, f"应为 true 或 false，实际为 {value!r}")
        return value

    def decimal(self, key: str, value: Any = None) -> Decimal:
        """A number of the file (never a float: TOML is read with parse_float=Decimal), finite and not negative."""
        value = self.get(key) if value is None else value
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.fail(key, f"应为数字（不加引号），实际为 {value!r}")
        number = Decimal(value)
        if not number.is_finite():
            raise self.fail(key, f"应为有限的数字，实际为 {value}")
        if number < 0:
            raise self.fail(key, f"不能为负数，实际为 {value}")
        return number

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, f"应为文本列表，实际为 {value!r}")
        return tuple(v.strip() for v in value)
