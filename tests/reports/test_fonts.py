"""The PDF writers' font: each glyph converted to TrueType once, kept in a file that only grows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from fontTools.ttLib import TTFont

from jixiao.core.model import Form
from jixiao.reports import fonts, write_forms


@pytest.fixture
def conversions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A fresh kept font (in its own cache folder) and the glyphs converted from now on."""
    monkeypatch.setenv("JIXIAO_FONT_CACHE", str(tmp_path / "fonts"))
    monkeypatch.setattr(fonts, "_kept", None)
    converted: list[Any] = []
    quadratic = fonts._quadratic

    def counting(glyph: Any) -> Any:
        converted.append(glyph)
        return quadratic(glyph)

    monkeypatch.setattr(fonts, "_quadratic", counting)
    return converted


def characters(path: Path) -> set[str]:
    return {chr(cp) for cp in TTFont(str(path)).getBestCmap()}


def test_a_document_of_known_characters_converts_no_glyph(conversions: list[Any]) -> None:
    fonts.pdf_font("项目支出绩效自评表")
    conversions.clear()
    path = fonts.pdf_font("自评表项目")
    assert conversions == []
    assert set("项目支出绩效自评表") <= characters(path)


def test_new_characters_are_added_and_the_old_ones_kept(conversions: list[Any]) -> None:
    fonts.pdf_font("项目支出")
    conversions.clear()
    path = fonts.pdf_font("项目鄂尔多斯")
    assert len(conversions) == len("鄂尔多斯")  # only the glyphs the font lacked
    assert set("项目支出鄂尔多斯") <= characters(path)


def test_a_new_process_starts_from_the_kept_file(conversions: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    first = fonts.pdf_font("司法局法律援助")
    monkeypatch.setattr(fonts, "_kept", None)  # what a new process knows
    conversions.clear()
    assert fonts.pdf_font("法律援助") == first
    assert conversions == []


def test_a_character_the_font_lacks_is_not_looked_for_again(conversions: list[Any]) -> None:
    path = fonts.pdf_font("项目\ue000")  # a private-use character: no glyph in Noto Sans SC
    written = path.stat().st_mtime_ns
    conversions.clear()
    assert fonts.pdf_font("\ue000项目") == path
    assert conversions == [] and path.stat().st_mtime_ns == written
    assert "\ue000" not in characters(path)


def test_added_glyphs_are_those_of_a_subset_made_at_once(conversions: list[Any], tmp_path: Path) -> None:
    fonts.pdf_font("项目")
    grown = TTFont(str(fonts.pdf_font("鄂尔多斯市")))
    subset_file = tmp_path / "subset.ttf"
    subset_file.write_bytes(fonts.truetype_subset("鄂尔多斯市"))
    at_once = TTFont(str(subset_file))
    for ch in "鄂尔多斯市":
        a, b = grown.getBestCmap()[ord(ch)], at_once.getBestCmap()[ord(ch)]
        assert grown["hmtx"][a] == at_once["hmtx"][b]
        assert list(grown["glyf"][a].coordinates) == list(at_once["glyf"][b].coordinates)
    assert grown["maxp"].numGlyphs == len(grown.getGlyphOrder())


def test_pdfs_written_one_after_another_keep_their_text(conversions: list[Any], tmp_path: Path,
                                                        seed_forms: list[Form]) -> None:
    for n, form in enumerate(seed_forms[:3]):
        write_forms([form], tmp_path / f"{n}.pdf")
    with pdfplumber.open(tmp_path / "2.pdf") as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages).replace(" ", "").replace("\n", "")
    form = seed_forms[2]
    assert form.project in text and form.department in text and form.unit in text


def test_an_unwritable_cache_folder_falls_back_to_a_folder_of_the_process(conversions: list[Any], tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # a file where the cache folder should be
    monkeypatch.setenv("JIXIAO_FONT_CACHE", str(blocked))
    path = fonts.pdf_font("项目")
    assert path.parent == fonts._private_folder() and set("项目") <= characters(path)
