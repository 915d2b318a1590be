"""The words of the readers of the year's forms (formats.year: 申报表, 监控表) and of the department-wide form
(formats.dept), from jixiao/data/year/words.toml, where each wording has its source; compiled once at import."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from typing import Any

from jixiao.core import target as tgt
from jixiao.formats.layout_words import label_key


def load_words() -> dict[str, Any]:
    """The readers' words for the year's forms and the department-wide form (jixiao/data/year/words.toml, with
    their sources)."""
    text = resources.files("jixiao.data").joinpath("year", "words.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


_WORDS = load_words()


def _pairs(kind: str, name: str) -> tuple[tuple[str, str], ...]:
    return tuple((word, field_) for word, field_ in _WORDS[kind]["words"][name])


def _labels(kind: str) -> dict[str, str]:
    """Header label (as label_key reads it) → field."""
    return {label_key(label): name for label, name in _WORDS[kind]["header"].items()}


TARGET_TITLE_WORDS: tuple[str, ...] = tuple(_WORDS["target"]["titles"])
MONITOR_TITLE_WORDS: tuple[str, ...] = tuple(_WORDS["monitor"]["titles"])
_MONTHS = tuple(re.compile(m) for m in _WORDS["monitor"]["words"]["months"])

TARGET_HEADER = _labels("target")
MONITOR_HEADER = _labels("monitor")
# (keyword, field): the first keyword a caption contains decides; order matters.
TARGET_COLUMNS = _pairs("target", "indicator_columns")
MONITOR_FUND_COLUMNS = _pairs("monitor", "fund_columns")
MONITOR_COLUMNS = _pairs("monitor", "indicator_columns")
REVIEW_COLUMNS = _pairs("target", "review_columns")
MEDIUM_WORDS: tuple[str, ...] = tuple(_WORDS["target"]["words"]["medium"])
ANNUAL_WORDS: tuple[str, ...] = tuple(_WORDS["target"]["words"]["annual"])
FUND_BLOCKS = frozenset(label_key(w) for w in _WORDS["target"]["words"]["fund_blocks"])
GOAL_BLOCKS = frozenset(label_key(w) for w in _WORDS["target"]["words"]["goal_blocks"])
MONITOR_GOAL_BLOCKS = frozenset(label_key(w) for w in _WORDS["monitor"]["words"]["goal_blocks"])
MONITOR_GOAL_ANNUAL = frozenset(label_key(w) for w in _WORDS["monitor"]["words"]["goal_annual"])
MONITOR_GOAL_PROGRESS: tuple[str, ...] = tuple(_WORDS["monitor"]["words"]["goal_progress"])
NARRATIVES = {**{label_key(caption): name for name, caption in tgt.NARRATIVE_CAPTIONS.items()},
              **{label_key(caption): name for caption, name in _WORDS["target"]["narratives"].items()}}
TRUE_WORDS = frozenset(_WORDS["target"]["words"]["true_words"])
DEPT_TITLE_WORDS: tuple[str, ...] = tuple(_WORDS["dept"]["titles"])


def month_of(text: str) -> int | None:
    """The X of a period 1–X月 a caption or a header prints (1-7月, 1—7月, 截至7月底), when it is a month."""
    for pattern in _MONTHS:
        m = pattern.search(text)
        if m and 1 <= int(m.group(1)) <= 12:
            return int(m.group(1))
    return None
