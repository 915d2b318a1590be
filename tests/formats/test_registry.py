"""The registry: detection by content, lazy loading, sources (folders, archives)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from reader_helpers import FIXTURES, SAMPLES

from jixiao.formats import ReadError, Skipped
from jixiao.formats.registry import (
    FORMATS,
    Limits,
    count_inputs,
    detect_format,
    extensions,
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
    assert detect_format(b"GIF89a\x01\x00....", "drawing.gif") is None
    with pytest.raises(ReadError, match="无法识别的文件格式") as err:
        read_grids(b"GIF89a\x01\x00" + bytes(range(256)) * 4, "drawing.gif")
    assert err.value.file == "drawing.gif"


def test_page_images_go_to_the_scan_reader() -> None:
    assert detect_format(b"\x89PNG\r\n\x1a\n....", "scan.png") == "scan"
    assert detect_format(b"\xff\xd8\xff\xe0....", "photo.jpg") == "scan"


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
    (tmp_path / "notes.dwg").write_bytes(b"png")
    items = list(iter_inputs([tmp_path]))
    names = [item[0] for item in items if not isinstance(item, ReadError)]
    assert names == [str(tmp_path / "a" / "b" / "x.docx"), str(tmp_path / "a" / "y.HTML")]
    # Nothing left out in silence: every file not read is a Skipped item that says why.
    skipped = {item.file: item.message for item in items if isinstance(item, Skipped)}
    assert sorted(skipped) == sorted(str(tmp_path / n) for n in ("a/~$x.docx", ".hidden.docx", "notes.dwg"))
    assert "临时锁定文件" in skipped[str(tmp_path / "a" / "~$x.docx")]
    assert "隐藏文件" in skipped[str(tmp_path / ".hidden.docx")]
    assert "不支持的文件类型（“.dwg”）" in skipped[str(tmp_path / "notes.dwg")]
    assert len(items) == 5


def test_a_hidden_folder_is_named_once_and_not_descended(tmp_path: Path) -> None:
    (tmp_path / ".git" / "objects").mkdir(parents=True)
    (tmp_path / ".git" / "objects" / "x.docx").write_bytes(b"x")
    (items,) = [list(iter_inputs([tmp_path]))]
    assert len(items) == 1 and isinstance(items[0], Skipped)
    assert items[0].file == str(tmp_path / ".git") and "隐藏文件夹" in items[0].message


def test_unsafe_and_hidden_archive_members_are_reported_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "forms.zip"
    html = (SAMPLES / "mof2020-b.html").read_bytes()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ok.html", html)
        zf.writestr("../escape.html", html)
        zf.writestr("a/../../up.html", html)
        zf.writestr(".hidden.html", html)
        zf.writestr("__MACOSX/._ok.html", b"\x00\x05\x16\x07")
    items = list(iter_inputs([path]))
    read = [i[0] for i in items if not isinstance(i, ReadError)]
    skipped = {i.file.split("!/", 1)[1]: i.message for i in items if isinstance(i, Skipped)}
    assert read == [f"{path}!/ok.html"]
    assert sorted(skipped) == sorted(["../escape.html", "a/../../up.html", ".hidden.html", "__MACOSX/._ok.html"])
    assert "“..”" in skipped["../escape.html"] and "“..”" in skipped["a/../../up.html"]
    assert "隐藏文件" in skipped[".hidden.html"] and "__MACOSX" in skipped["__MACOSX/._ok.html"]


def test_count_inputs_counts_the_files_iter_inputs_gives_to_read(tmp_path: Path) -> None:
    html = (SAMPLES / "mof2020-b.html").read_bytes()
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.html").write_bytes(html)
    (tmp_path / "a" / "~$x.docx").write_bytes(b"lock")
    (tmp_path / ".hidden.html").write_bytes(html)
    (tmp_path / "notes.dwg").write_bytes(b"dwg")
    with zipfile.ZipFile(tmp_path / "a" / "forms.zip", "w") as zf:
        zf.writestr("ok.html", html)
        zf.writestr("sub/also.html", html)
        zf.writestr("../escape.html", html)
        zf.writestr("sub\\.hidden.html", html)  # a Windows path: hidden once its backslash is a folder
        zf.writestr("__MACOSX/._ok.html", b"\x00\x05\x16\x07")
    read = [i for i in iter_inputs([tmp_path]) if not isinstance(i, ReadError)]
    assert len(read) == 3  # x.html and the archive's ok.html, sub/also.html
    assert count_inputs([tmp_path]) == len(read)
    assert count_inputs([tmp_path / "a" / "forms.zip", tmp_path / "notes.dwg"]) == 3  # a path given is read


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
        f"{base}!/2022/说明.png",  # a page image: the scan reader's, not skipped
    ]


def test_archive_depth_limit() -> None:
    data = (FIXTURES / "zip_nested.zip").read_bytes()
    items = list(iter_data(data, "x.zip", limits=Limits(max_depth=1)))
    errors = [i for i in items if isinstance(i, ReadError) and not isinstance(i, Skipped)]
    assert len(errors) == 1 and "嵌套" in errors[0].message and errors[0].file.endswith("inner.zip")


def test_read_all_reads_every_member() -> None:
    results = list(read_all([FIXTURES / "zip_nested.zip", FIXTURES / "docx_no_tables.docx"]))
    grids = [r for r in results if not isinstance(r, ReadError)]
    errors = [r for r in results if isinstance(r, ReadError) and not isinstance(r, Skipped)]
    assert len(grids) == 3 and all(g for _, g in grids)
    # The archive's 说明.png is no picture of a form: the scan reader names it, as the docx without tables.
    assert [e.file for e in errors] == [f"{FIXTURES / 'zip_nested.zip'}!/2022/说明.png", str(FIXTURES / "docx_no_tables.docx")]


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


def test_the_registry_asks_each_reader_in_order_and_the_first_claim_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    for fmt in ("docx", "xls", "pdf", "office", "html", "text"):
        reader = get_format(fmt)
        monkeypatch.setattr(reader, "detect", lambda data, name, fmt=fmt: asked.append(fmt) or fmt == "html")
    assert detect_format(b"anything at all", "x.bin") == "html"
    assert asked == ["docx", "xls", "pdf", "office", "html"]  # text, after html, is not asked


@pytest.mark.parametrize(
    ("fmt", "sample"),
    [("docx", "samples/seed.docx"), ("xls", "xls_merged_percent.xls"), ("pdf", "samples/seed.pdf"),
     ("office", "office_calc.ods"), ("html", "samples/seed.html"), ("text", "samples/seed.txt")],
)  # fmt: skip
def test_each_reader_detects_its_own_files_and_no_other_readers(fmt: str, sample: str) -> None:
    data = (FIXTURES / sample).read_bytes()
    assert get_format(fmt).detect(data, "renamed.bin")
    earlier = list(FORMATS)[: list(FORMATS).index(fmt)]
    assert not [other for other in earlier if get_format(other).detect(data, "renamed.bin")]


def test_extensions_come_from_the_readers_and_each_belongs_to_one() -> None:
    table = extensions()
    claimed = [ext for fmt in FORMATS for ext in get_format(fmt).EXTENSIONS]
    assert len(claimed) == len(set(claimed)), "an extension listed by two readers"
    assert table[".docx"] == "docx" and table[".et"] == "xls" and table[".ods"] == "office"
    assert table[".tsv"] == "text" and table[".mht"] == "html"


def test_my_readers_do_not_call_back_into_the_registry() -> None:
    """docx, html, text, xls and office detect and read without the registry being imported."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from jixiao.formats import docx, html, text, xls\n"
        f"s = Path({str(FIXTURES)!r})\n"
        "for mod, f in ((docx, 'samples/seed.docx'), (html, 'samples/seed.html'), (text, 'samples/seed.txt'),\n"
        "               (xls, 'xls_merged_percent.xls')):\n"
        "    data = (s / f).read_bytes()\n"
        "    assert mod.detect(data, f) and mod.read(data, f)\n"
        "from jixiao.formats import office\n"
        "assert office.detect((s / 'office_calc.ods').read_bytes(), 'x.ods')\n"
        "print('jixiao.formats.registry' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_inspect_looks_past_the_members_an_archive_skips(tmp_path: Path) -> None:
    from jixiao.formats.inspect import load

    path = tmp_path / "mac.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("__MACOSX/._form.html", b"\x00\x05\x16\x07")
        zf.writestr("form.html", (SAMPLES / "mof2020-b.html").read_bytes())
    name, grids = load(str(path))
    assert name.endswith("!/form.html") and grids
