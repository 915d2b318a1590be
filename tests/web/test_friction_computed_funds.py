"""Issue 10, friction 2: a form that leaves the fund block's 执行率 and 得分 blank shows the computed
values on the saved form, on the review page and in every export, as the editor does."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from web_helpers import record_for

from jixiao.web.forms.store import save_form
from jixiao.web.models import Phase

RATE, SCORE = "75.6%", "7.56"  # seed form 1: 7.56 of 10 spent, fund weight 10


@pytest.fixture
def blank_funds(web_cast, seed_records):
    record = record_for(seed_records, 1, web_cast.unit_a)
    record["funds"] = [dict(f, rate="", score="") for f in record["funds"]]
    return save_form(web_cast.clerk_a, record, unit=web_cast.unit_a, phase=Phase.SELF)


def _cell(page: str, key: str) -> str:
    m = re.search(rf'<td class="([^"]*)"[^>]*data-field="{re.escape(key)}"[^>]*>(.*?)</td>', page)
    assert m, key
    return m.group(1) + " | " + m.group(2)


@pytest.mark.parametrize("url", ["/forms/{pk}/", "/review/forms/{pk}/"])
def test_the_pages_show_the_computed_rate_and_score(web_cast, blank_funds, url):
    page = web_cast.client("reviewer").get(url.format(pk=blank_funds.pk)).content.decode()
    rate, score = _cell(page, "funds[0].rate"), _cell(page, "funds[0].score")
    assert "filled" in rate and f">{RATE}<" in rate
    assert "filled" in score and f">{SCORE}<" in score


def test_the_exports_print_the_computed_rate_and_score(web_cast, blank_funds):
    client = web_cast.client("clerk_a")
    book = load_workbook(io.BytesIO(client.get(f"/forms/{blank_funds.pk}/export.xlsx").content))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert 0.756 in values and 7.56 in values
    import pdfplumber

    with pdfplumber.open(io.BytesIO(client.get(f"/forms/{blank_funds.pk}/export.pdf").content)) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert RATE in text and SCORE in text
