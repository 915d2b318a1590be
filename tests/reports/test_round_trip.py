"""The acceptance: what a writer writes, the readers and the recogniser read back to the same records."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from report_helpers import first_form_scorecard, long_form, odd_form, records

from jixiao.core.model import Form, from_record, to_record
from jixiao.formats.layout import recognise
from jixiao.formats.registry import read_grids
from jixiao.reports import write_forms
from jixiao.reports import xlsx as xlsx_writer
from jixiao.reports.layout import build_layouts

FORMATS = (".xlsx", ".docx", ".pdf", ".html")
SAMPLES = ("seed", "mof2020-a", "mof2020-b")


def read_back(path: Path) -> list[dict[str, Any]]:
    return [to_record(f) for f in recognise(read_grids(path.read_bytes(), path.name))]


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("sample", SAMPLES)
def test_samples_read_back_to_their_records(sample: str, ext: str, tmp_path: Path) -> None:
    originals = records(sample)
    path = tmp_path / f"{sample}{ext}"
    write_forms([from_record(r) for r in originals], path)
    assert read_back(path) == originals


@pytest.mark.parametrize("ext", FORMATS)
def test_a_form_over_several_pages_reads_back(ext: str, tmp_path: Path) -> None:
    form = long_form(60)
    path = tmp_path / f"long{ext}"
    write_forms([form], path)
    assert read_back(path) == [to_record(form)]


@pytest.mark.parametrize("ext", FORMATS)
def test_odd_texts_read_back(ext: str, tmp_path: Path) -> None:
    form = odd_form()
    path = tmp_path / f"odd{ext}"
    write_forms([form], path)
    assert read_back(path) == [to_record(form)]


@pytest.mark.parametrize("ext", FORMATS)
def test_rescored_forms_read_back_with_the_computed_scores(ext: str, tmp_path: Path) -> None:
    form = from_record(records("seed")[0])
    path = tmp_path / f"rescored{ext}"
    writer = __import__(f"jixiao.reports.{ext[1:]}", fromlist=["write_layouts"])
    writer.write_layouts(build_layouts([form], [first_form_scorecard(form)], rescore=True), path, title="自评表")
    indicators = list(form.indicators)
    indicators[1] = replace(indicators[1], score="24")
    expected = replace(form, indicators=tuple(indicators), total=replace(form.total, score="99"))
    assert read_back(path) == [to_record(expected)]


def test_a_mixed_batch_reads_back_in_order(tmp_path: Path) -> None:
    originals = records("mof2020-a") + records("seed")[:3]
    path = tmp_path / "mixed.xlsx"
    xlsx_writer.write([from_record(r) for r in originals], path)
    assert read_back(path) == originals


def test_forms_without_year_or_title_read_back(tmp_path: Path) -> None:
    original = records("seed")[1]
    form: Form = replace(from_record(original), title="", year=None)
    path = tmp_path / "bare.docx"
    write_forms([form], path)
    back = read_back(path)
    # The template's title is printed where the form has none; the year stays unknown.
    assert back == [{**original, "title": "绩效目标自评表", "year": None}]
