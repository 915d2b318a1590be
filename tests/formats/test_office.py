"""Legacy formats through LibreOffice: the command line it is given, and the message without it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from reader_helpers import FIXTURES, SAMPLES, spans, tables

from jixiao.formats import ReadError
from jixiao.formats.registry import detect_format, read_grids

FAKE_SOFFICE = """#!/bin/sh
# Stands in for LibreOffice: "converts" by copying the sample the test put beside it.
while [ $# -gt 0 ]; do
  case "$1" in
    --convert-to) target="$2"; shift 2;;
    --outdir) outdir="$2"; shift 2;;
    *) last="$1"; shift;;
  esac
done
base=$(basename "$last"); stem="${base%.*}"
cp "$(dirname "$0")/converted.$target" "$outdir/$stem.$target"
"""


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    program = tmp_path / "soffice"
    program.write_text(FAKE_SOFFICE)
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "converted.docx").write_bytes((SAMPLES / "mof2020-b.docx").read_bytes())
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    return program


def test_rtf_named_doc_is_converted(fake_soffice: Path) -> None:
    data = b"{\\rtf1\\ansi a form}"
    assert detect_format(data, "form.doc") == "office"
    grids = read_grids(data, "form.doc")
    assert spans(tables(grids)[0], "水旱灾害防御经费") == (0, 2, 1, 4)


def test_failed_conversion_says_what_to_do(fake_soffice: Path) -> None:
    (fake_soffice.parent / "converted.docx").unlink()
    with pytest.raises(ReadError, match=r"另存为 \.docx"):
        read_grids(b"{\\rtf1\\ansi a form}", "form.wps")


def test_without_libreoffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReadError) as err:
        read_grids(b"{\\rtf1\\ansi a form}", "form.doc")
    assert "LibreOffice" in err.value.message and "另存为" in err.value.message
    assert err.value.file == "form.doc"


def test_xls_fixture_is_not_sent_to_libreoffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert read_grids((FIXTURES / "xls_merged_percent.xls").read_bytes(), "a.et")


def test_workbook_xlrd_cannot_read_goes_to_libreoffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = bytearray((FIXTURES / "xls_merged_percent.xls").read_bytes())
    bof = data.find(b"\x09\x08\x10\x00")  # the BIFF8 start record, as WPS variants break it
    data[bof : bof + 2] = b"\x00\x00"
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReadError, match="另存为"):
        read_grids(bytes(data), "book.et")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{path}")
    program = tmp_path / "soffice"
    program.write_text(FAKE_SOFFICE)
    program.chmod(0o755)
    (tmp_path / "converted.xlsx").write_bytes((SAMPLES / "mof2020-b.xlsx").read_bytes())
    (sheet,) = read_grids(bytes(data), "book.et")
    assert spans(sheet, "水旱灾害防御经费") == (2, 2, 1, 4)
