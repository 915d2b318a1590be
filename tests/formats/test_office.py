"""Legacy formats through LibreOffice: the command line it is given, and the message without it."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
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


def _install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, libraries: tuple[str, ...]) -> Path:
    """A LibreOffice laid out as Debian installs it (program/soffice beside the components' libraries),
    with only the given components; conversion copies converted.<target> if the test put one there."""
    folder = tmp_path / "libreoffice" / "program"
    folder.mkdir(parents=True)
    program = folder / "soffice"
    program.write_text(FAKE_SOFFICE.replace('cp "$(dirname "$0")', 'cp 2>/dev/null "$(dirname "$0")'))
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    for lib in libraries:
        (folder / lib).write_bytes(b"")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder


@pytest.mark.parametrize("name", ["office_calc.ods", "form.et"])
def test_a_spreadsheet_with_writer_but_not_calc_names_the_missing_component(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install(tmp_path, monkeypatch, ("libswlo.so",))  # Writer only: Calc would make the .xlsx
    data = (FIXTURES / "office_calc.ods").read_bytes()
    with pytest.raises(ReadError) as err:
        read_grids(data, name)
    message = err.value.message
    assert "缺少 Calc" in message and "libreoffice-calc-nogui" in message
    assert "损坏" not in message.replace("没有问题", "")  # the file is not called damaged
    assert err.value.file == name


def test_a_word_file_with_writer_only_is_still_converted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _install(tmp_path, monkeypatch, ("libswlo.so",))
    (folder / "converted.docx").write_bytes((SAMPLES / "mof2020-b.docx").read_bytes())
    grids = read_grids(b"{\\rtf1\\ansi a form}", "form.doc")
    assert spans(tables(grids)[0], "水旱灾害防御经费") == (0, 2, 1, 4)


def test_a_word_file_with_calc_only_names_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install(tmp_path, monkeypatch, ("libsclo.so",))
    with pytest.raises(ReadError, match=r"缺少 Writer.*libreoffice-writer-nogui"):
        read_grids(b"{\\rtf1\\ansi a form}", "form.doc")


def test_with_both_components_a_spreadsheet_is_converted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _install(tmp_path, monkeypatch, ("libswlo.so", "libsclo.so"))
    (folder / "converted.xlsx").write_bytes((SAMPLES / "mof2020-b.xlsx").read_bytes())
    grids = read_grids((FIXTURES / "office_calc.ods").read_bytes(), "office_calc.ods")
    assert any(c.text == "水旱灾害防御经费" for g in grids for row in g.rows for c in row)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_real_libreoffice_tests_skip_a_missing_component_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """test_office_real.py on a machine with Writer but not Calc: the .ods test skips, naming the package."""
    real = os.path.realpath(shutil.which("soffice") or "")
    folder = _install(tmp_path, monkeypatch, ("libswlo.so",))
    (folder / "soffice").write_text(f'#!/bin/sh\nexec "{real}" "$@"\n')
    env = {k: v for k, v in os.environ.items() if k != "JIXIAO_REQUIRE_OFFICE"}
    here = Path(__file__).parent
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(here / "test_office_real.py"),
         "-k", "office_calc"],
        capture_output=True, text=True, env=env, cwd=here.parent.parent, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SKIPPED [1]" in out.stdout and "缺少 Calc" in out.stdout and "libreoffice-calc-nogui" in out.stdout
    assert "failed" not in out.stdout.lower()
