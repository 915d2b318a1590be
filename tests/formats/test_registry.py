"""The registry: detection by content, lazy loading, sources (folders, archives)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from reader_helpers import FIXTURES, SAMPLES

from jixiao.formats import ReadError
from jixiao.formats.registry import (
    Limits,
    detect_format,
    get_format,
    iter_data,
    iter_inputs,
    read_all,
    read_grids,
)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("samples/seed.docx", "docx"),
        ("samples/seed.xlsx", "xlsx"),
        ("samples/seed.pdf", "pdf"),
        ("samples/seed.html", "html"),
        ("samples/seed.txt", "text"),
        ("xls_merged_percent.xls", "xls"),
        ("xls_spreadsheet_xml_2003.xls", "xls"),
        ("docx_named_as.xls", "docx"),
        ("html_table_named_as.xls", "html"),
        ("html_gbk_no_meta.html", "html"),
        ("html_word_single_file.mht", "html"),
        ("xlsx_encrypted.xlsx", "encrypted"),
        ("zip_nested.zip", "zip"),
    ],
)
def test_detect_by_content(name: str, fmt: str) -> None:
    path = FIXTURES / name
    assert detect_format(path.read_bytes(), path.name) == fmt
    assert detect_format(path.read_bytes(), "renamed.bin") == fmt


def test_detect_from_the_head_only() -> None:
    head = (SAMPLES / "seed.docx").read_bytes()[:4096]
    assert detect_format(head, "seed.docx") == "docx"
    assert detect_format((SAMPLES / "seed.pdf").read_bytes()[:512], "x") == "pdf"


def test_unknown_content() -> None:
    assert detect_format(b"\x89PNG\r\n\x1a\n....", "scan.png") is None
    with pytest.raises(ReadError, match="无法识别的文件格式") as err:
        read_grids(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "scan.png")
    assert err.value.file == "scan.png"


def test_empty_file() -> None:
    with pytest.raises(ReadError, match="空的"):
        read_grids(b"", "empty.docx")


def test_size_limit_is_configurable() -> None:
    data = (SAMPLES / "seed.docx").read_bytes()
    with pytest.raises(ReadError, match="文件太大"):
        read_grids(data, "seed.docx", limits=Limits(max_file_size=1000))
    assert read_grids(data, "seed.docx")


def test_a_zip_is_not_one_form_file() -> None:
    with pytest.raises(ReadError, match="压缩包"):
        read_grids((FIXTURES / "zip_nested.zip").read_bytes(), "forms.zip")


def test_every_format_has_a_reader() -> None:
    for fmt in ("docx", "xlsx", "xls", "pdf", "html", "text", "office"):
        reader = get_format(fmt)
        assert callable(reader.read) and callable(reader.detect) and reader.EXTENSIONS


def test_heavy_libraries_load_only_when_used() -> None:
    code = (
        "import sys, jixiao, jixiao.formats.registry as r\n"
        "heavy = {'openpyxl', 'docx', 'pdfplumber', 'pdfminer', 'lxml', 'xlrd'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_folder_walk(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.docx").write_bytes((SAMPLES / "mof2020-b.docx").read_bytes())
    (tmp_path / "a" / "y.HTML").write_bytes((SAMPLES / "mof2020-b.html").read_bytes())
    (tmp_path / "a" / "~$x.docx").write_bytes(b"lock")
    (tmp_path / ".hidden.docx").write_bytes(b"hidden")
    (tmp_path / "notes.png").write_bytes(b"png")
    names = [item[0] for item in iter_inputs([tmp_path]) if not isinstance(item, ReadError)]
    assert names == [str(tmp_path / "a" / "b" / "x.docx"), str(tmp_path / "a" / "y.HTML")]


def test_explicit_path_always_taken_and_missing_path_reported(tmp_path: Path) -> None:
    odd = tmp_path / "form.dat"
    odd.write_bytes((SAMPLES / "mof2020-b.html").read_bytes())
    items = list(iter_inputs([odd, tmp_path / "missing.docx"]))
    assert items[0] == (str(odd), odd.read_bytes())
    assert isinstance(items[1], ReadError) and "不存在" in items[1].message


def test_nested_archive_names_and_gbk_member_names() -> None:
    items = list(iter_inputs([FIXTURES / "zip_nested.zip"]))
    base = str(FIXTURES / "zip_nested.zip")
    assert [i[0] for i in items if not isinstance(i, ReadError)] == [
        f"{base}!/2022/inner.zip!/inner/mof2020-b.html",
        f"{base}!/2022/mof2020-a.docx",
        f"{base}!/2022/自评表.html",  # stored in GBK without the UTF-8 flag
    ]


def test_archive_depth_limit() -> None:
    data = (FIXTURES / "zip_nested.zip").read_bytes()
    items = list(iter_data(data, "x.zip", limits=Limits(max_depth=1)))
    errors = [i for i in items if isinstance(i, ReadError)]
    assert len(errors) == 1 and "嵌套" in errors[0].message and errors[0].file.endswith("inner.zip")


def test_read_all_reads_every_member() -> None:
    results = list(read_all([FIXTURES / "zip_nested.zip", FIXTURES / "docx_no_tables.docx"]))
    grids = [r for r in results if not isinstance(r, ReadError)]
    errors = [r for r in results if isinstance(r, ReadError)]
    assert len(grids) == 3 and all(g for _, g in grids)
    assert [e.file for e in errors] == [str(FIXTURES / "docx_no_tables.docx")]


def test_member_too_big_for_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.html", "<table><tr><td>x</td></tr></table>" + " " * 5000)
    items = list(iter_inputs([path], limits=Limits(max_file_size=4000)))
    assert len(items) == 1 and isinstance(items[0], ReadError) and "太大" in items[0].message


def test_folder_link_loop_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.html").write_bytes((SAMPLES / "mof2020-b.html").read_bytes())
    (tmp_path / "d" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [i[0] for i in iter_inputs([tmp_path]) if not isinstance(i, ReadError)] == [
        str(tmp_path / "d" / "x.html")
    ]


def test_head_of_a_zip_without_telling_parts_goes_by_extension() -> None:
    head = (SAMPLES / "seed.xlsx").read_bytes()[:300]  # only docProps/ within the head
    assert detect_format(head, "form.xlsx") == "xlsx"
    assert detect_format(head, "forms.zip") == "zip"
