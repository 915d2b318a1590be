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

from collections.abc import Sequence
from dataclasses import dataclass

from jixiao.core.model import Form
from jixiao.formats.grid import Grid
from jixiao.formats.layout_form import FormBuilder
from jixiao.formats.layout_rows import Row, rows_of
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
            if "名称" in row.joined and any(header.get(label_key(t)) == "project" for t in texts) \
                    and (builder is None or builder.header):
                if builder is not None:
                    forms.append(builder.build())
                builder = FormBuilder(title, year, len(forms) + 1, grid.source, grid.sheet, words)
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
