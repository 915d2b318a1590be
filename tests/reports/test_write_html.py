"""The HTML writer, judged on the page it writes (lxml)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from report_helpers import first_form_scorecard

from jixiao.core.model import Form
from jixiao.reports import html as html_writer
from jixiao.reports import write_forms
from jixiao.reports.layout import build_layout, build_layouts


def page(path: Path) -> Any:
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def table_cells(table: Any) -> list[tuple[str, int, int, int, int]]:
    """(text, row, col, rowspan, colspan) of every td, placing cells around those spanning from above."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, tr in enumerate(table.findall("tr")):
        col = 0
        for td in tr.findall("td"):
            while (r, col) in taken:
                col += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            out.append((td.text_content(), r, col, rs, cs))
            taken.update((r + i, col + j) for i in range(rs) for j in range(cs))
            col += cs
    return out


@pytest.mark.parametrize("which", ["seed", "mof"])
def test_tables_are_the_layout_cell_for_cell(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    forms: list[Form] = request.getfixturevalue(f"{which}_forms")
    path = tmp_path / "out.html"
    write_forms(forms, path)
    root = page(path)
    sections = root.findall(".//section")
    assert len(sections) == len(forms)
    for form, section in zip(forms, sections, strict=True):
        layout = build_layout(form)
        assert [p.text_content() for p in section.findall("p")] == list(layout.headings)
        expected = [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in layout.cells]
        assert table_cells(section.find("table")) == expected


def test_the_page_is_standalone(tmp_path: Path, seed_forms: list[Form]) -> None:
    path = tmp_path / "out.html"
    write_forms(seed_forms, path)
    text = path.read_text(encoding="utf-8")
    root = page(path)
    assert root.find(".//meta[@charset]").get("charset") == "utf-8"
    assert not root.xpath("//link | //script | //img | //iframe | //@src")
    assert "url(" not in text and "http" not in text
    assert "@page" in root.find(".//style").text  # A4 pages when printed
    assert root.xpath("//section[contains(@class, 'wide')]")  # the seed template prints landscape


def test_text_is_escaped(tmp_path: Path, seed_forms: list[Form]) -> None:
    path = tmp_path / "odd.html"
    write_forms([replace(seed_forms[0], project="<script>alert(1)</script>&")], path)
    root = page(path)
    assert not root.xpath("//script")
    assert "<script>alert(1)</script>&" in [td.text_content() for td in root.iter("td")]


def test_rescore_marks_the_changed_cells(tmp_path: Path, seed_forms: list[Form]) -> None:
    path = tmp_path / "rescored.html"
    html_writer.write_layouts(build_layouts(seed_forms[:1], [first_form_scorecard(seed_forms[0])], rescore=True), path)
    root = page(path)
    marked = [(td.text_content(), td.get("title")) for td in root.xpath("//td[contains(@class, 'rescored')]")]
    assert marked == [("24", "原表印制值：23"), ("99", "原表印制值：98")]
    assert "td.rescored" in root.find(".//style").text
    assert root.xpath("//p[@class='note']")[0].text_content().startswith("注：")


def test_a_failed_write_leaves_no_file(tmp_path: Path, seed_forms: list[Form], monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.reports import html

    written = []

    def section_then_full_disk(layout: object) -> str:  # the page is written a form at a time
        if written:
            raise OSError("disk full")
        written.append(layout)
        return "<section></section>"

    monkeypatch.setattr(html, "_section", section_then_full_disk)
    with pytest.raises(OSError, match="disk full"):
        write_forms(seed_forms, tmp_path / "out.html")
    assert list(tmp_path.iterdir()) == []
