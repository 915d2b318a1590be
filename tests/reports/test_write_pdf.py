"""The PDF writer, judged on the file it writes: poppler's pdftotext and pdffonts, and pdfplumber."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from report_helpers import first_form_scorecard, long_form

from jixiao.core.model import Form
from jixiao.reports import pdf as pdf_writer
from jixiao.reports import write_forms
from jixiao.reports.layout import HIGHLIGHT, HIGHLIGHT_TEXT, build_layouts

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdftotext, pdffonts) is not installed: apt-get install poppler-utils",
)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdftotext(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory, seed_forms: list[Form]) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "seed.pdf"
    write_forms(seed_forms, path)
    return path


@pytest.fixture(scope="module")
def mof_pdf(tmp_path_factory: pytest.TempPathFactory, mof_forms: list[Form]) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "mof.pdf"
    write_forms(mof_forms, path)
    return path


@needs_poppler
@pytest.mark.parametrize("which", ["seed", "mof"])
def test_pdftotext_gives_back_names_and_values(which: str, request: pytest.FixtureRequest) -> None:
    forms: list[Form] = request.getfixturevalue(f"{which}_forms")
    path: Path = request.getfixturevalue(f"{which}_pdf")
    for n, form in enumerate(forms, 1):
        text = pdftotext(path, n)  # one form per page
        assert form.project in text
        lines = text.splitlines()
        for ind in form.indicators:
            for value in (ind.target, ind.actual, ind.weight, ind.score):
                # A value sits on one line of its row, or starts there when it wraps in its cell.
                assert not value or any(value[:5] in line for line in lines), (form.project, value)
            assert squeeze(ind.name[:8]) in squeeze(text)
        assert form.unit[:6] in text and form.goals.planned[:10] in squeeze(text)


@needs_poppler
def test_the_cjk_font_is_embedded_as_a_subset(seed_pdf: Path) -> None:
    out = subprocess.run(["pdffonts", str(seed_pdf)], check=True, capture_output=True, text=True).stdout
    fonts = out.splitlines()[2:]
    assert len(fonts) == 1
    name, *rest = fonts[0].split()
    assert re.fullmatch(r"[A-Z]{6}\+NotoSansSC", name)  # subset prefix
    assert rest[-5:-2] == ["yes", "yes", "yes"]  # embedded, subset, with a ToUnicode map


def test_pdfplumber_reads_the_text_and_the_font(seed_pdf: Path, seed_forms: list[Form]) -> None:
    with pdfplumber.open(seed_pdf) as pdf:
        assert len(pdf.pages) == 11
        page = pdf.pages[0]
        assert (round(page.width), round(page.height)) == (842, 595)  # A4 landscape
        assert {c["fontname"].split("+")[-1] for c in page.chars} == {"NotoSansSC"}
        assert seed_forms[0].project in page.extract_text()
        # Embedded as a TrueType font file (FontFile2) that every reader can use.
        font = next(iter(page.page_obj.resources["Font"].values())).resolve()
        descriptor = font["DescendantFonts"][0].resolve()["FontDescriptor"].resolve()
        assert "FontFile2" in descriptor
        assert len(page.rects) >= 60  # every cell is a ruled rectangle


def test_mof_forms_print_portrait(mof_pdf: Path) -> None:
    with pdfplumber.open(mof_pdf) as pdf:
        assert [(round(p.width), round(p.height)) for p in pdf.pages] == [(595, 842)] * 3


def test_rescore_colours_the_changed_cells(tmp_path: Path, seed_forms: list[Form]) -> None:
    path = tmp_path / "rescored.pdf"
    pdf_writer.write_layouts(build_layouts(seed_forms[:1], [first_form_scorecard(seed_forms[0])], rescore=True), path)
    fill = tuple(int(HIGHLIGHT[i:i + 2], 16) / 255 for i in (0, 2, 4))
    red = tuple(int(HIGHLIGHT_TEXT[i:i + 2], 16) / 255 for i in (0, 2, 4))
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        filled = [r for r in page.rects
                  if r["fill"] and tuple(r["non_stroking_color"] or ()) == pytest.approx(fill, abs=0.01)]
        assert len(filled) == 2
        coloured = "".join(c["text"] for c in page.chars
                           if tuple(c["non_stroking_color"] or ()) == pytest.approx(red, abs=0.01))
        assert coloured == "2499"
        assert "注：" in page.extract_text()


def test_a_long_form_goes_on_over_pages(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    form = long_form(60)
    write_forms([form], path)
    with pdfplumber.open(path) as pdf:
        pages = len(pdf.pages)
        text = "".join(squeeze(p.extract_text()) for p in pdf.pages)
        sizes = {(round(p.width), round(p.height)) for p in pdf.pages}
    assert pages >= 2 and sizes == {(595, 842)}
    for n in range(1, 61):  # every indicator is printed (its name wraps in its cell)
        assert f"指标{n}:完成第{n}项" in text


def test_a_failed_write_leaves_no_file(tmp_path: Path, seed_forms: list[Form], monkeypatch: pytest.MonkeyPatch) -> None:
    from fpdf import FPDF

    def broken_output(self: Any, name: Any = "", *args: Any, **kwargs: Any) -> None:
        Path(name).write_bytes(b"%PDF-1.4 half")
        raise OSError("disk full")

    monkeypatch.setattr(FPDF, "output", broken_output)
    with pytest.raises(OSError, match="disk full"):
        write_forms(seed_forms[:1], tmp_path / "out.pdf")
    assert list(tmp_path.iterdir()) == []


def test_lines_break_where_no_blank_is_lost() -> None:
    def measure(text: str) -> float:  # one unit per character
        return float(len(text))

    assert pdf_writer.wrap("upgrade rate of all", 8, measure) == ["upgrade ", "rate of ", "all"]
    # A blank next to a sign or a number binds: "≧ 735 人" breaks at none of its blanks, even where
    # it is wider than the cell and must be cut.
    assert pdf_writer.wrap("≧ 735 人次", 7, measure) == ["≧ 735 人", "次"]
    assert pdf_writer.wrap("≧ 735 人次", 6, measure) == ["≧ 73", "5 人次"]
    # CJK breaks anywhere but before closing and after opening punctuation.
    assert pdf_writer.wrap("目标（含）。完成", 4, measure) == ["目标", "（含）。", "完成"]
    assert "".join(pdf_writer.wrap("落实中央关于基层组织和基层政权建设有关要求", 5, measure)) == (
        "落实中央关于基层组织和基层政权建设有关要求"
    )


def test_each_form_has_a_bookmark(seed_pdf: Path, seed_forms: list[Form]) -> None:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    with seed_pdf.open("rb") as f:
        titles = [title for _, title, *_ in PDFDocument(PDFParser(f)).get_outlines()]
    assert titles == [f.project for f in seed_forms]
