"""Legacy formats through the real LibreOffice: a Word 97 .doc and an OpenDocument sheet read to their JSON.

The files are the mof2020-b sample saved by LibreOffice itself. Without LibreOffice these tests are
skipped, unless JIXIAO_REQUIRE_OFFICE=1 (as in CI, which installs it), where its absence is a failure.
A LibreOffice without the component a file needs (Writer for .doc, Calc for .ods: Debian installs
them as separate packages) skips that file's test with the reader's own message, which names the
package to install.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jixiao.core.model import to_record
from jixiao.formats.layout import recognise
from jixiao.formats.office import missing_component, soffice
from jixiao.formats.registry import detect_format, read_grids

FIXTURES = Path(__file__).parent.parent / "fixtures"

if soffice() is None:
    if os.environ.get("JIXIAO_REQUIRE_OFFICE") == "1":
        raise RuntimeError("需要 LibreOffice：apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui")
    pytest.skip("LibreOffice (soffice) is not installed", allow_module_level=True)


@pytest.mark.parametrize(("name", "target"), [("office_word97_from_html.doc", "docx"), ("office_calc.ods", "xlsx")])
def test_legacy_file_converted_by_libreoffice_reads_to_its_json(name: str, target: str) -> None:
    program = soffice()
    missing = missing_component(program, target) if program else ""
    if missing and os.environ.get("JIXIAO_REQUIRE_OFFICE") != "1":
        pytest.skip(missing)
    data = (FIXTURES / name).read_bytes()
    records = [to_record(f) for f in recognise(read_grids(data, name))]
    assert records == json.loads((FIXTURES / "samples" / "mof2020-b.json").read_text(encoding="utf-8"))


def test_a_word97_file_is_detected_by_content_even_when_misnamed() -> None:
    data = (FIXTURES / "office_word97_from_html.doc").read_bytes()
    assert detect_format(data, "form.bin") == "office"
