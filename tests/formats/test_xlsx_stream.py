"""The streaming .xlsx reader against openpyxl: any workbook reads to the same grids both ways.

openpyxl's read-only, data-only mode (the reader before the streaming one) is the oracle: values,
number formats, dates, booleans, merges, formulas never calculated and sheets in order.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.formats.xlsx import read
from jixiao.formats.xlsx_grid import build_grid
from jixiao.formats.xlsx_sheet import unescape

FORMATS = ["General", "0.00", "0.0%", "0%", "#,##0.00", "yyyy-mm-dd", 'yyyy"年"m"月"d"日"', "@", "0.00;(0.00)"]
values = st.one_of(
    st.none(),
    st.integers(-10**9, 10**9),
    st.floats(-1e9, 1e9, allow_nan=False).map(lambda f: round(f, 4)),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8),
    st.booleans(),
    st.datetimes(dt.datetime(1950, 1, 1), dt.datetime(2090, 1, 1)).map(lambda d: d.replace(microsecond=0)),
)
cells = st.tuples(st.integers(1, 12), st.integers(1, 8), values, st.sampled_from(FORMATS))
merges = st.tuples(st.integers(1, 12), st.integers(1, 8), st.integers(0, 2), st.integers(0, 2))


def oracle(data: bytes, name: str) -> list:
    """The grids as openpyxl's read-only mode gives the values (how the reader read them before)."""
    import zipfile

    from jixiao.formats.xlsx_package import Book  # merges and uncalculated formulas: same XML, same rule
    from jixiao.formats.xlsx_sheet import read_sheet

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    grids = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for ws in wb.worksheets:
            path = ws._worksheet_path.lstrip("/")
            ws.reset_dimensions()
            rows = ([(unescape(c.value), getattr(c, "number_format", "General")) for c in row] for row in ws.iter_rows())
            with zf.open(path) as fh:
                _, merged, uncalculated = read_sheet(fh, Book(zf, name))
            grids.append(build_grid(rows, merged, name, ws.title, uncalculated))
    wb.close()
    return grids


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")  # openpyxl, on huge serials
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cells, max_size=25), min_size=1, max_size=3), st.lists(merges, max_size=3),
       st.booleans())
def test_same_grids_as_openpyxl(sheets: list, merged: list, formula: bool) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for n, placed in enumerate(sheets):
        ws = wb.create_sheet(f"表{n}")
        for row, col, value, fmt in placed:
            if isinstance(value, str) and value.startswith("="):
                value = "'" + value
            cell = ws.cell(row, col, value)
            cell.number_format = fmt
        if n == 0:
            taken: set[tuple[int, int]] = set()
            for row, col, down, across in merged:
                box = {(r, c) for r in range(row, row + down + 1) for c in range(col, col + across + 1)}
                if (down or across) and not box & taken:
                    taken |= box
                    ws.merge_cells(start_row=row, start_column=col, end_row=row + down, end_column=col + across)
            if formula:
                ws.cell(14, 2, "=100%")  # written without a cached value, as programs do
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    assert read(data, "x.xlsx") == oracle(data, "x.xlsx")
