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


def _split_first_table(docx: bytes, at_row: int) -> bytes:
    """The document with its first table cut in two before a row, as when a form runs over a
    page and someone splits the table there (Word: Ctrl+Shift+Enter)."""
    import copy
    import io
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(docx)) as zin:
        parts = {info.filename: zin.read(info.filename) for info in zin.infolist()}
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(w + "body")
    first = body.find(w + "tbl")
    second = etree.Element(w + "tbl")
    second.extend(copy.deepcopy(child) for child in first if child.tag != w + "tr")
    second.extend(first.findall(w + "tr")[at_row:])
    at = list(body).index(first)
    body.insert(at + 1, etree.Element(w + "p"))
    body.insert(at + 2, second)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for part, data in parts.items():
            zout.writestr(part, data)
    return out.getvalue()


@pytest.mark.parametrize("at_row", [3, 8, 10, 12])
def test_form_split_over_two_tables(at_row: int) -> None:
    data = _split_first_table((SAMPLES / "seed.docx").read_bytes(), at_row)
    grids = read_grids(data, "split.docx")
    assert [g.sheet for g in grids[:4]] == ["正文", "表格1", "表格2", "正文"]
    expected = json.loads((SAMPLES / "seed.json").read_text(encoding="utf-8"))
    assert [to_record(f) for f in recognise(grids)] == expected
