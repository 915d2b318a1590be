"""The layout recogniser: any grid, from any reader, to forms (docs/domain.md §2, §8).

Recognition goes by the words of the header cells and the shape of the table, never by fixed row
or column numbers. The grids of a document are read as one stream of rows, so a form may span
several tables or pages and several forms may stand on one sheet: a title row ends a form, the
project-name label starts one, and each row is given its role here. Within a form, each block's
header row (资金, 目标, 指标) gives the columns of the rows below it (layout_rows); the form's values
are assembled row by row (layout_form). Whatever can't be placed is kept in Form.unplaced.

The words are the recogniser's own and those of every profile's template, compiled once into a
Vocabulary (layout_words): a province's template is added by writing its profile file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from jixiao.core.model import Form
from jixiao.formats.grid import Grid
from jixiao.formats.layout_form import FormBuilder, inline_pairs, label_value_fund
from jixiao.formats.layout_rows import Row, block_header, rows_of
from jixiao.formats.layout_words import (
    Vocabulary,
    default_vocabulary,
    is_title,
    is_year_line,
    key,
    label_key,
    year_in,
)


@dataclass(frozen=True)
class RowRole:
    """What the recogniser made of one row: for `jixiao inspect`."""

    grid: int  # position of the grid in the document
    row: int  # 1-based row in the grid
    form: int  # 1-based form the row belongs to, 0 outside any form
    role: str  # title, year, header, funds-header, funds, goals-header, goals, indicators-header,
    # indicators, total, unplaced, outside
    fields: tuple[tuple[int, str], ...] = ()  # (column, field) of the row's cells


def recognise(grids: Sequence[Grid], trace: list[RowRole] | None = None,
              vocabulary: Vocabulary | None = None) -> list[Form]:
    """Every form in a document's grids, in document order; trace, if given, gets each row's role.

    vocabulary: the words to match, by default those of the built-in profiles (Vocabulary.of adds a user's).
    """
    words = vocabulary or default_vocabulary()
    header = words.header
    forms: list[Form] = []
    builder: FormBuilder | None = None
    title, year = "", None

    def mark(row: Row, role: str, fields: Sequence[tuple[int, str]] = ()) -> None:
        if trace is not None:
            number = len(forms) + 1 if builder is not None else 0
            trace.append(RowRole(row.grid, row.number, number, role, tuple(fields)))

    for index, grid in enumerate(grids):
        for row in rows_of(grid, index):
            texts = row.texts
            if not texts:
                continue
            if len(texts) == 1 and is_year_line(texts[0]):
                year = year_in(texts[0])
                mark(row, "year")
                continue
            if len(texts) == 1 and is_title(texts[0]):
                if builder is not None:
                    forms.append(builder.build())
                    builder = None
                title, year = key(texts[0]).split("（")[0].split("(")[0], year_in(texts[0]) or year
                mark(row, "title")
                continue
            if "名称" in row.joined and _names_project(texts, header) and (builder is None or builder.header):
                if builder is not None:
                    forms.append(builder.build())
                builder = FormBuilder(title, year, len(forms) + 1, grid.source, grid.sheet, words)
                title, year = "", None
            elif builder is None and title and (named := project_of_title(title)) \
                    and (block_header(row, words) or label_value_fund(row, words)):
                # No 项目名称 cell: the title names the project ("某某项目支出绩效自评表"), the table starts here
                builder = FormBuilder(title, year, len(forms) + 1, grid.source, grid.sheet, words)
                builder.header["project"] = named
                title, year = "", None
            if builder is None:
                mark(row, "outside")
                continue
            role = builder.feed(row)
            if trace is not None:
                mark(row, role, builder.fields_of(row) if role in ("funds", "goals", "indicators") else ())
    if builder is not None:
        forms.append(builder.build())
    return forms


def _names_project(texts: Sequence[str], header: dict[str, str]) -> bool:
    """A row with the 项目名称 label in a cell of its own, or "项目名称：…" in one cell of a row of one or two."""
    if any(header.get(label_key(t)) == "project" for t in texts):
        return True
    return len(texts) <= 2 and any(name == "project" for t in texts for name, _, _ in inline_pairs(t, header))


_TITLE_YEAR = re.compile(r"^.*?(?:19|20)\d{2}\s*年度?")
_TITLE_FORM = re.compile(r"(?:支出)?绩效(?:目标)?(?:自评|评价)(?:情况|结果)?表$|(?:支出)?(?:自评|评价)表$")
# What is left of a title that names a kind of form, not a project.
_NO_NAME = frozenset({"", "项目", "专项", "专项资金", "项目资金", "财政", "预算", "预算项目", "财政支出", "财政项目",
                      "转移支付", "中央对地方转移支付", "区域", "中央对地方转移支付区域", "转移支付区域", "县级", "市级",
                      "本级"})
_REGION = re.compile(r".{1,12}?(?:省|市|县|区|州|旗)(?:本级|级)?")


def project_of_title(title: str) -> str:
    """The project a title names: "2022年度农村公路养护项目支出绩效自评表" → "农村公路养护项目"; "" for a title
    that names only the kind of form (项目支出绩效自评表) or a department's (部门整体支出绩效自评表)."""
    if "部门整体" in title or "整体支出" in title or "汇总" in title:
        return ""
    name = _TITLE_FORM.sub("", _TITLE_YEAR.sub("", key(title)))
    bare = name.removesuffix("项目")
    return "" if name in _NO_NAME or bare in _NO_NAME or _REGION.fullmatch(bare) else name
