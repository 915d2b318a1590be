"""The one Limits object, and every reader held to it: spans, rows, columns, nesting, characters.

Each test here names a file that hung a server thread, dropped a form in silence or misnamed its
problem before the limits existed (issue 16, points 1 and 7).
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from reader_helpers import SAMPLES, tables

from jixiao import services
from jixiao.formats import ReadError, limits, registry
from jixiao.formats.limits import Limits, current_limits
from jixiao.formats.registry import read_grids

QUICK = 10.0  # seconds: far above what any of these reads takes now (a hang used to be minutes or forever)


def within(seconds: float, call: Callable[[], Any]) -> Any:
    """The result (or the exception) of call, failing the test if it does not end in time."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the test below
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"the read did not end within {seconds} s"
    if "error" in box:
        raise box["error"]
    return box["value"]


def docx_with(change: Callable[[str], str], sample: str = "mof2020-b.docx") -> bytes:
    """A real sample .docx whose document.xml is changed by change."""
    src = zipfile.ZipFile(SAMPLES / sample)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = change(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def test_one_limits_object_importable_from_the_registry_too() -> None:
    assert registry.Limits is Limits and registry.current_limits is current_limits
    assert current_limits() == limits.DEFAULT_LIMITS
    fields = set(Limits.__dataclass_fields__)
    for cap in ("max_span", "max_rows", "max_columns", "max_cells", "max_pages", "max_nesting", "max_chars",
                "max_unpacked_size", "max_members"):  # fmt: skip
        assert cap in fields


@pytest.mark.parametrize("value", ["99999999999999999999", "1000000000"])
def test_a_huge_docx_grid_span_is_clamped_quickly(value: str) -> None:
    data = docx_with(lambda xml: xml.replace('<w:gridSpan w:val="2"/>', f'<w:gridSpan w:val="{value}"/>', 1))
    grids = within(QUICK, lambda: read_grids(data, "span.docx"))
    first = next(c for c in tables(grids)[0].rows[0])
    assert first.text == "项目名称" and first.colspan == current_limits().max_span


def test_a_huge_grid_before_is_clamped_too() -> None:
    data = docx_with(lambda xml: xml.replace("<w:tr>", '<w:tr><w:trPr><w:gridBefore w:val="99999999999"/></w:trPr>', 1))
    grids = within(QUICK, lambda: read_grids(data, "before.docx"))
    assert tables(grids)[0].rows[0][0].col == current_limits().max_span - 1


def test_a_docx_row_of_many_huge_spans_is_refused_with_the_table_named() -> None:
    data = docx_with(lambda xml: re.sub(r'<w:gridSpan w:val="\d+"/>', '<w:gridSpan w:val="99999999999999999999"/>', xml))
    with pytest.raises(ReadError, match="Word 文档的表格1的范围过大") as err:
        within(QUICK, lambda: read_grids(data, "spans.docx", limits=Limits(max_columns=3000)))
    assert err.value.file == "spans.docx"


def test_a_docx_with_more_rows_than_the_limit_is_refused() -> None:
    data = (SAMPLES / "mof2020-b.docx").read_bytes()
    with pytest.raises(ReadError, match="范围过大"):
        read_grids(data, "rows.docx", limits=Limits(max_rows=5))


def _deep_page(depth: int) -> bytes:
    table = (SAMPLES / "mof2020-b.html").read_text(encoding="utf-8")
    body = table[table.index("<table") : table.rindex("</table>") + len("</table>")]
    return f"<html><body>{'<div>' * depth}{body}{'</div>' * depth}</body></html>".encode()


def test_html_nested_deeper_than_libxml2s_default_is_read() -> None:
    grids = within(QUICK, lambda: read_grids(_deep_page(300), "deep.html"))
    assert tables(grids) and tables(grids)[0].rows[0][0].text == "项目名称"


@pytest.mark.parametrize("depth", [800, 3000])
def test_html_nested_beyond_the_limit_is_named_as_such_not_as_having_no_table(depth: int) -> None:
    with pytest.raises(ReadError, match="嵌套超过 500 层") as err:
        within(QUICK, lambda: read_grids(_deep_page(depth), "deep.html"))
    assert "没有表格" not in err.value.message


def test_a_truncated_web_page_is_named_and_keeps_the_forms_before_the_cut() -> None:
    data = (SAMPLES / "seed.html").read_bytes()
    cut = data[: data.rindex(b"<table") + 2000]  # inside the last form's table
    whole = services.read_upload(data, "seed.html")
    batch = services.read_upload(cut, "seed.html")
    assert not whole.problems and len(whole.forms) == 11
    (problem,) = batch.problems
    assert "不完整" in problem.message and problem.file == "seed.html"
    assert 10 <= len(batch.forms) <= 11  # the forms before the cut are kept, the file is named


def test_a_web_page_cut_inside_a_character_is_named() -> None:
    data = (SAMPLES / "mof2020-b.html").read_bytes()
    end = data.rindex("完成".encode()) + 1  # in the middle of a three-byte character
    with pytest.raises(ReadError, match="不完整") as err:
        read_grids(data[:end], "cut.html")
    assert err.value.grids


def test_a_truncated_text_file_is_named_and_keeps_what_was_read() -> None:
    data = (SAMPLES / "seed.txt").read_bytes()
    cut = data[: int(len(data) * 0.95)]
    cut = cut[: cut.rindex(b"\t") + 2]  # mid-line, on a character boundary
    with pytest.raises(ReadError, match="文本文件不完整") as err:
        read_grids(cut, "seed.txt")
    assert err.value.grids
    batch = services.read_upload(cut, "seed.txt")
    assert len(batch.problems) == 1 and len(batch.forms) >= 10


def test_a_text_file_cut_inside_a_character_is_named() -> None:
    data = (SAMPLES / "seed.txt").read_bytes()
    end = data.rindex("总分".encode()) + 1
    with pytest.raises(ReadError, match="文字被截断"):
        read_grids(data[:end], "seed.txt")


def test_whole_text_and_web_samples_are_not_called_truncated() -> None:
    for name in ("seed.txt", "mof2020-a.txt", "mof2020-b.txt", "seed.html", "mof2020-a.html", "mof2020-b.html"):
        assert read_grids((SAMPLES / name).read_bytes(), name)


def test_text_limits_rows_and_characters() -> None:
    data = (SAMPLES / "seed.txt").read_bytes()
    with pytest.raises(ReadError, match="范围过大"):
        read_grids(data, "seed.txt", limits=Limits(max_rows=10))
    with pytest.raises(ReadError, match="文字太多"):
        read_grids(data, "seed.txt", limits=Limits(max_chars=1000))


def _spreadsheet_xml(row: str) -> bytes:
    return (
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="表1"><Table>'
        f"{row}</Table></Worksheet></Workbook>"
    ).encode()


@pytest.mark.parametrize(
    "row",
    [
        '<Row ss:Index="999999999"><Cell><Data ss:Type="String">项目名称</Data></Cell></Row>',
        '<Row><Cell ss:Index="999999999"><Data ss:Type="String">项目名称</Data></Cell></Row>',
    ],
)
def test_xml_spreadsheet_indexes_are_held_to_the_limits(row: str) -> None:
    with pytest.raises(ReadError, match="范围过大"):
        within(QUICK, lambda: read_grids(_spreadsheet_xml(row), "form.xls"))


def test_xml_spreadsheet_merges_are_clamped() -> None:
    row = '<Row><Cell ss:MergeAcross="99999999999" ss:MergeDown="99999999999"><Data ss:Type="String">项目名称</Data></Cell></Row>'
    (grid,) = within(QUICK, lambda: read_grids(_spreadsheet_xml(row), "form.xls", limits=Limits(max_span=40)))
    cell = grid.rows[0][0]
    assert (cell.rowspan, cell.colspan) == (40, 40)


def test_html_spans_follow_the_limits_object() -> None:
    page = b"<table><tr><td colspan='50'>a</td><td rowspan='99999999999999'>b</td></tr></table>"
    (grid,) = read_grids(page, "p.html", limits=Limits(max_span=20))
    assert [(c.colspan, c.rowspan) for c in grid.rows[0]] == [(20, 1), (1, 20)]


def test_a_cell_whose_attribute_swallowed_its_text_is_named() -> None:
    data = (SAMPLES / "seed.html").read_bytes().replace(b'<td colspan="2">', b'<td colspan="2#>', 1)
    with pytest.raises(ReadError, match="表格标记已损坏") as err:
        read_grids(data, "seed.html")
    batch = services.read_upload(data, "seed.html")
    assert len(batch.problems) == 1 and len(batch.forms) == 10 and err.value.grids


@pytest.mark.parametrize("number", ["1e9", "999999999"])
def test_an_xlsx_row_numbered_a_billion_is_refused_quickly(number: str) -> None:
    """Found by the fuzz test: <row r="1e9"> made openpyxl yield a billion empty rows (a hang)."""
    src = zipfile.ZipFile(SAMPLES / "mof2020-b.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<row r="2"', b'<row r="' + number.encode() + b'"', data, count=1)
            dst.writestr(info, data)
    try:
        within(QUICK, lambda: read_grids(out.getvalue(), "rows.xlsx"))  # read (sparse rows) or refused
    except ReadError as err:
        assert err.file == "rows.xlsx" and re.search("[\u4e00-\u9fff]", err.message)
