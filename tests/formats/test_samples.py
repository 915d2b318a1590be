"""Every sample, in every format, reads to the forms of its JSON (domain.md §8), exactly."""

from __future__ import annotations

import json

import pytest
from reader_helpers import SAMPLES

from jixiao.core.model import to_record
from jixiao.formats.layout import recognise
from jixiao.formats.registry import read_grids

CASES = sorted(
    p.name
    for p in SAMPLES.iterdir()
    if p.suffix in (".docx", ".xlsx", ".pdf", ".html", ".txt") and (SAMPLES / f"{p.stem}.json").exists()
)


def test_every_sample_is_here() -> None:
    assert len(CASES) == 16
    assert "seed-stacked.xlsx" in CASES


@pytest.mark.parametrize("name", CASES)
def test_sample_reads_to_its_json(name: str) -> None:
    path = SAMPLES / name
    expected = json.loads((SAMPLES / f"{path.stem}.json").read_text(encoding="utf-8"))
    forms = recognise(read_grids(path.read_bytes(), name))
    assert [to_record(f) for f in forms] == expected
