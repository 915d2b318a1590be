"""The Word writer, judged on the document it writes (python-docx and the document XML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from report_helpers import first_form_scorecard

from jixiao.core.model import Form
from jixiao.reports import docx as docx_writer
from jixiao.reports import write_forms
from jixiao.reports.layout import HIGHLIGHT, build_layout, build_layouts


def table_cells(table: Any) -> list[tuple[str, int, int, int, int]]:
    """(text, row, col, rowspan, colspan) of every cell, from w:gridSpan and w:vMerge as Word reads them."""
    cells: list[list[Any]] = []
    open_merges: dict[int, list[Any]] = {}
    for r, tr in enumerate(table._tbl.findall(qn("w:tr"))):
        col = 0
        for tc in tr.findall(qn("w:tc")):
            pr = tc.find(qn("w:tcPr"))
            span_el = pr.find(qn("w:gridSpan")) if pr is not None else None
            span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
            vm = pr.find(qn("w:vMerge")) if pr is not None else None
            text = "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.findall(qn("w:p")))
            if vm is not None and vm.get(qn("w:val")) != "restart":
                open_merges[col][3] += 1
            else:
                cell = [text, r, col, 1, span]
                cells.append(cell)
                open_merges[col] = cell
            col += span
    return [tuple(c) for c in cells]  # type: ignore[misc]


@pytest.fixture(scope="module")
def seed_doc(tmp_path_factory: pytest.TempPathFactory, seed_forms: list[Form]) -> Any:
    path = tmp_path_factory.mktemp("docx") / "seed.docx"
    write_forms(seed_forms, path)
    return docx.Document(str(path))


def test_one_table_per_form_under_its_title(seed_doc: Any) -> None:
    assert len(seed_doc.tables) == 11
    texts = [p.text for p in seed_doc.paragraphs if p.text]
    assert texts.count("绩效目标自评表") == 11 and texts.count("（2019年度）") == 11


@pytest.mark.parametrize("which", ["seed", "mof"])
def test_tables_are_the_layout_cell_for_cell(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    forms: list[Form] = request.getfixturevalue(f"{which}_forms")
    path = tmp_path / "out.docx"
    write_forms(forms, path)
    document = docx.Document(str(path))
    for form, table in zip(forms, document.tables, strict=True):
        expected = [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in build_layout(form).cells]
        assert table_cells(table) == expected


def test_merges_of_the_first_seed_form(seed_doc: Any) -> None:
    cells = {c[0]: c[1:] for c in table_cells(seed_doc.tables[0])}
    assert cells["资金情况（万元）"] == (2, 0, 4, 2)
    assert cells["绩效指标"] == (8, 0, 5, 1)
    assert cells["产出指标(75分)"] == (9, 1, 3, 1)
    assert cells["总分"] == (13, 0, 1, 4)


def test_pages_are_a4_and_each_form_starts_a_page(tmp_path: Path, seed_forms: list[Form], mof_forms: list[Form]) -> None:
    path = tmp_path / "mixed.docx"
    write_forms([seed_forms[0], mof_forms[0], seed_forms[1]], path)
    sections = docx.Document(str(path)).sections
    assert len(sections) == 3
    sizes = [(round(s.page_width.mm), round(s.page_height.mm)) for s in sections]
    assert sizes == [(297, 210), (210, 297), (297, 210)]  # seed landscape, MoF portrait
    assert all(s.start_type == 2 for s in sections[1:])  # WD_SECTION.NEW_PAGE
    assert all(s.left_margin >= Mm(10) for s in sections)


def test_rescore_shades_the_changed_cells(tmp_path: Path, seed_forms: list[Form]) -> None:
    path = tmp_path / "rescored.docx"
    docx_writer.write_layouts(build_layouts(seed_forms[:1], [first_form_scorecard(seed_forms[0])], rescore=True), path)
    document = docx.Document(str(path))
    shaded = []
    for tc in document.tables[0]._tbl.iter(qn("w:tc")):
        shd = tc.find(qn("w:tcPr")).find(qn("w:shd"))
        if shd is not None:
            shaded.append(("".join(t.text for t in tc.iter(qn("w:t"))), shd.get(qn("w:fill"))))
    assert shaded == [("24", HIGHLIGHT), ("99", HIGHLIGHT)]
    assert document.paragraphs[-1].text.startswith("注：")


def test_a_failed_write_leaves_no_file(tmp_path: Path, seed_forms: list[Form], monkeypatch: pytest.MonkeyPatch) -> None:
    from docx.document import Document

    def broken_save(self: Any, path: Any) -> None:
        Path(path).write_bytes(b"PK half")
        raise OSError("disk full")

    monkeypatch.setattr(Document, "save", broken_save)
    target = tmp_path / "out.docx"
    with pytest.raises(OSError, match="disk full"):
        write_forms(seed_forms, target)
    assert list(tmp_path.iterdir()) == []
