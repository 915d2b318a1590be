"""The recogniser's words: what a cell's text says (a header label, a column caption, a fund kind, a
title, a year, a points label, a number), its own and those of every profile's template
(core.profiles.Template: header wordings, fund rows and columns, indicator columns), compiled once
into a Vocabulary: a province's template is added by writing its profile file, and the recogniser
reads it (docs/domain.md §2, §8).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from jixiao.core.profiles import Profile

_BLANKS = " \t\u3000\xa0\u2002\u2003\u200b\ufeff"
_YEAR = re.compile(r"[（(]?\s*((?:19|20)\d{2})\s*年度?\s*[)）]?")
PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_POINTS = re.compile(r"^(.*?)\s*[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]\s*$")
# Level-1 points printed without brackets: "产出指标 50分", "产出指标50分".
_BARE_POINTS = re.compile(r"^(.*?\D)\s*(\d+(?:\.\d+)?)\s*分\s*$")
# A level-1 name's numbering: "一、产出指标", "（一）产出指标", "1.产出指标".
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．])\s*")
# Titles whose interchange record carries the year, as the MoF 2020 template prints it on one line.
TITLES_WITH_YEAR = ("项目支出绩效自评表",)


def _load_words() -> dict[str, Any]:
    """The recogniser's own words (jixiao/data/layout_words.toml), read once at import."""
    return tomllib.loads(resources.files("jixiao.data").joinpath("layout_words.toml").read_text(encoding="utf-8"))


_WORDS = _load_words()


def _pairs(name: str) -> tuple[tuple[str, str], ...]:
    return tuple((word, field_) for word, field_ in _WORDS["words"][name])


HEADER_LABELS: dict[str, str] = dict(_WORDS["header"])
LABEL_SUFFIXES: tuple[str, ...] = tuple(_WORDS["words"]["label_suffixes"])
# (keyword, field): the first keyword a header cell contains decides its field; order matters.
FUND_COLUMNS = _pairs("fund_columns")
INDICATOR_COLUMNS = _pairs("indicator_columns")
GOAL_COLUMNS = _pairs("goal_columns")
FUND_KINDS = _pairs("fund_kinds")
TOTAL_LABELS: tuple[str, ...] = tuple(_WORDS["words"]["total_labels"])
# Rows of an empty template that a filled form keeps: "指标2：", "……", "…".
_PLACEHOLDER_NAME = re.compile(r"(?:指标\d*|[…\.。]+|\d+[、.])")
GOAL_POINTS = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")
_BRACKETS = str.maketrans("（）【】", "()[]")
_FULL_WIDTH = str.maketrans("()[]", "（）【】")
# Lines of a published form that are neither cells nor unplaceable text: notes, signatures, units.
NOTE_STARTS: tuple[str, ...] = tuple(_WORDS["words"]["note_starts"])


@lru_cache(maxsize=4096)
def is_placeholder(text: str) -> bool:
    """A cell of an empty template row: "指标2：", "……", "1、"."""
    return bool(_PLACEHOLDER_NAME.fullmatch(key(text)))


@lru_cache(maxsize=4096)
def is_note(text: str) -> bool:
    return text.strip(_BLANKS).startswith(NOTE_STARTS)


@lru_cache(maxsize=4096)
def clean(text: str) -> str:
    """A cell's value as the record keeps it: line breaks removed, blanks trimmed (docs/domain.md §8)."""
    if "\n" not in text and "\r" not in text:
        return text.strip(_BLANKS)
    lines = text.replace("\r", "\n").split("\n")
    return "".join(line.strip(_BLANKS) for line in lines)


_KEY_TABLE = str.maketrans("", "", _BLANKS + ":：\n\r")


@lru_cache(maxsize=8192)
def key(text: str) -> str:
    """Text for matching words: no blanks, no colons, no line breaks."""
    return text.translate(_KEY_TABLE)


@lru_cache(maxsize=4096)
def label_key(text: str) -> str:
    """A header label for matching: key() with ASCII brackets, "转移支付（项目）名称" as "转移支付(项目)名称", without
    a suffix that says nothing of its field ("主管部门（单位）", "实施单位（盖章）": LABEL_SUFFIXES)."""
    k = key(text).translate(_BRACKETS)
    if k.endswith(")"):
        for suffix in LABEL_SUFFIXES:
            if k.endswith(suffix) and len(k) > len(suffix):
                return k[: -len(suffix)]
    return k


@dataclass(frozen=True)
class Vocabulary:
    """The words the recogniser matches: its own, with every profile's template words before them."""

    header: dict[str, str]  # label_key → field (project, leader, department, unit, total)
    fund_columns: tuple[tuple[str, str], ...]
    indicator_columns: tuple[tuple[str, str], ...]
    fund_kinds: tuple[tuple[str, str], ...]
    goal_blocks: tuple[str, ...]
    header_words: re.Pattern[str]  # a row holding a header label holds one of these few words (a quick test)

    @classmethod
    def of(cls, profiles: Iterable[Profile]) -> Vocabulary:
        header = {label_key(k): v for k, v in HEADER_LABELS.items()}
        funds: list[tuple[str, str]] = []
        indicators: list[tuple[str, str]] = []
        kinds: list[tuple[str, str]] = []
        blocks: list[str] = []
        for profile in profiles:
            t = profile.template
            for label, name in t.header:
                header.setdefault(label_key(label), name)
            funds += [(key(w), f) for w, f in t.fund_columns if (key(w), f) not in funds]
            indicators += [(key(w), f) for w, f in t.indicator_columns if (key(w), f) not in indicators]
            kinds += [(key(w), k) for w, k in t.fund_rows if (key(w), k) not in kinds]
            blocks += [key(b) for b in t.goal_blocks if key(b) not in blocks]

        def longest_first(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
            return tuple(sorted(pairs, key=lambda p: -len(p[0])))

        # Few short words that every label holds one of: a row is tested with a handful of `in`.
        anchors: set[str] = set()
        for label in set(header) | set(HEADER_WORDS):
            anchors.add(next((a for a in _HEADER_ANCHORS if a in label), label.translate(_FULL_WIDTH)))
        return cls(
            header=header,
            fund_columns=longest_first(funds) + FUND_COLUMNS,
            indicator_columns=longest_first(indicators) + INDICATOR_COLUMNS,
            fund_kinds=longest_first(kinds) + FUND_KINDS,
            goal_blocks=tuple(blocks),
            header_words=re.compile("|".join(map(re.escape, sorted(anchors, key=len, reverse=True)))),
        )


_DEFAULT: list[Vocabulary] = []


def default_vocabulary() -> Vocabulary:
    """The words of the built-in profiles (jixiao/data/profiles), compiled once."""
    if not _DEFAULT:
        from jixiao.profile_files import builtin_set

        _DEFAULT.append(Vocabulary.of(builtin_set().profiles))
    return _DEFAULT[0]


HEADER_WORDS = ("项目名称", "负责人", "主管部门", "实施单位", "预算单位")
_HEADER_ANCHORS = ("名称", "负责人", "主管部门", "单位")


def year_in(text: str) -> int | None:
    """The year a text names ("2020年度", "（2020年）"), None if it names none."""
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


def is_title(text: str) -> bool:
    """A form's title line: short, and a self-evaluation or performance table."""
    k = key(text)
    return len(k) <= 40 and ("自评表" in k or ("绩效" in k and "表" in k))


def is_year_line(text: str) -> bool:
    """A line that is nothing but the year the form is for."""
    k = key(text)
    return bool(_YEAR.fullmatch(k)) or (k.endswith("年度") and year_in(k) is not None and len(k) <= 12)


@lru_cache(maxsize=1024)
def split_points(level1: str) -> tuple[str, str]:
    """"产出指标(75分)" → ("产出指标", "75"); "一、产出指标 75分" → ("产出指标", "75"); a name without a points
    label → (name, ""), without its numbering ("一、产出指标" → "产出指标": the profiles name level-1s bare)."""
    name = _NUMBERING.sub("", level1) or level1
    m = _POINTS.match(name) or _BARE_POINTS.match(name)
    return (m.group(1).strip(_BLANKS), m.group(2)) if m else (name, "")


def fund_kind(label: str, kinds: tuple[tuple[str, str], ...] = FUND_KINDS) -> str:
    """The kind of a fund row from its label (total, appropriation…), "" when the label names none."""
    k = key(label)
    return next((kind for word, kind in kinds if word in k), "")


# Headings of the fund block (often merged down its rows); a row label such as 中央补助资金(万元) is none.
_BLOCK_HEADINGS = frozenset(_WORDS["words"]["block_headings"])
_UNIT_NOTE = re.compile(r"\((?:单位)?[:：]?万元\)|万元$")


@lru_cache(maxsize=4096)
def is_block_label(text: str) -> bool:
    k = label_key(text)
    if "年度总体目标" in k or "绩效指标" in k:
        return True
    return _UNIT_NOTE.sub("", k) in _BLOCK_HEADINGS


_NUMBER_LIKE = re.compile(r"-?\d[\d,]*(?:\.\d+)?\s*(?:%|％|万元|万|分|元)?")


@lru_cache(maxsize=4096)
def parse_number_like(text: str) -> bool:
    """Whether a cell prints a number (with or without its unit): a value, not a caption."""
    return bool(_NUMBER_LIKE.fullmatch(text.strip(_BLANKS)))

