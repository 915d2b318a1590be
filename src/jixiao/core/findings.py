"""What the checker reports: a finding with a stable code, a severity and a place on the form (docs/domain.md §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from jixiao.core.frozen import fast_init


class Severity(StrEnum):
    ERROR = "error"  # provably inconsistent (arithmetic)
    WARNING = "warning"  # departs from the profile's rules
    INFO = "info"  # a suspicious pattern for a reviewer

    @property
    def rank(self) -> int:
        return _RANKS[self.value]

    @property
    def label(self) -> str:
        return {"info": "提示", "warning": "警告", "error": "错误"}[self.value]


_RANKS = {"info": 0, "warning": 1, "error": 2}


@fast_init
@dataclass(frozen=True)
class Location:
    block: str = ""  # header, funds, goals, indicators, total
    row: int | None = None  # row in the source grid (1-based), when known
    column: str = ""  # the printed caption: 得分, 执行率…
    indicator: str = ""  # the level-3 name (or level-2 where there is none)
    field: str = ""  # the record key: score, rate, target…
    index: int | None = None  # position of the indicator / fund row in the form (0-based)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


@fast_init
@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    form_index: int  # 1-based, in batch order
    project: str
    location: Location = field(default_factory=Location)
    found: str = ""
    expected: str = ""
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "form": self.form_index,
            "project": self.project,
            "location": self.location.as_dict(),
            "found": self.found,
            "expected": self.expected,
            "message": self.message,
        }
