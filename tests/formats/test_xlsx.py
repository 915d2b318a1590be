"""Excel readers: values as the sheet displays them, merged ranges, one grid per sheet."""

from __future__ import annotations

import datetime as dt

import pytest
from reader_helpers import FIXTURES, SAMPLES, assert_well_formed, read, spans

from jixiao.formats.xlsx_display import display


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (0.756, "0.0%", "75.6%"),
        (0.7559999999999999, "0.0%", "75.6%"),
        (10, "0.00", "10.00"),
        (25, "General", "25"),
        (25.0, "General", "25"),
        (7.56, "General", "7.56"),
        (0.30000000000000004, "General", "0.3"),
        (89.974, "General", "89.974"),
        (0.8062999999999999, "0.00%", "80.63%"),
        (0.4106, "0.00%", "41.06%"),
        (0.7, "0%", "70%"),
        (1.005, "0.00", "1.01"),  # Excel rounds half up on the decimal value
        (1234567.891, "#,##0.00", "1,234,567.89"),
        (1500000, "#,##0,", "1,500"),
        (-5, "0.00", "-5.00"),
        (-5, "0.00;[Red]-0.00", "-5.00"),
        (-3.5, "0.00;(0.00)", "(3.50)"),
        (0, '0.00;-0.00;"-"', "-"),
        (12.5, '0"万元"', "13万元"),
        (2.5, '_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * "-"??_ ;_ @_ ', "2.50"),
        (123456.0, "0.00E+00", "1.23E+05"),
        (0.125, "0.0#", "0.13"),
        (0.1, "0.0#", "0.1"),
        (3.14159, "[$-804]0.00", "3.14"),
        (5, "@", "5"),
        (True, "General", "TRUE"),
        ("≥95%", "General", "≥95%"),
        (None, "0.00", ""),
        (dt.datetime(2019, 12, 31), "yyyy-mm-dd", "2019-12-31"),
        (dt.datetime(2019, 12, 31), "mm-dd-yy", "2019-12-31"),  # the locale's short date: ISO
        (dt.datetime(2020, 1, 5), 'yyyy"年"m"月"d"日"', "2020年1月5日"),
        (dt.datetime(2019, 1, 2, 13, 5), "yyyy/m/d h:mm", "2019/1/2 13:05"),
        (dt.time(8, 30), "hh:mm", "08:30"),
    ],
)
def test_display(value: object, fmt: str, shown: str) -> None:
    assert display(value, fmt) == shown


def test_fixture_values_as_displayed() -> None:
    grids = read(FIXTURES / "xlsx_percent_format.xlsx")
    assert [g.sheet for g in grids] == ["格式", "第二张"]
    sheet = grids[0]
    assert_well_formed(sheet)
    assert [c.text for c in sheet.rows[0]] == [
        "75.6%", "10.00", "25", "7.56", "80.63%", "1,234,567.89", "70%",
        "2019-12-31", "2020年1月5日", "12", "(3.50)", "0.3",
    ]  # fmt: skip
    assert sheet.rows[1][0].text == "=100%"  # a formula never calculated reads as typed
    assert spans(sheet, "产出指标(75分)") == (3, 0, 3, 1)
    assert spans(sheet, "数量指标") == (3, 1, 1, 2)
    assert spans(sheet, "指标\n换行") == (4, 1, 1, 1)
    assert spans(sheet, "数量\n指标") == (4, 2, 1, 1)  # "_x000D_\n" in the file
    assert spans(grids[1], "第二张表") == (1, 1, 1, 1)


def test_seed_one_grid_per_sheet() -> None:
    grids = read(SAMPLES / "seed.xlsx")
    assert len(grids) == 11
    assert grids[0].sheet == "包联驻村专项经费-1"
    form1 = grids[0]
    assert_well_formed(form1)
    assert spans(form1, "75.6%") == (6, 8, 1, 1)
    assert spans(form1, "资金情况（万元）") == (4, 0, 4, 2)
    assert spans(form1, "=100%") == (12, 5, 1, 1)


def test_stacked_forms_are_one_grid() -> None:
    grids = read(SAMPLES / "seed-stacked.xlsx")
    assert len(grids) == 1
    assert_well_formed(grids[0])
    shown = [c.text for row in grids[0].rows for c in row]
    assert shown.count("项目名称") == 11
    assert {"80.63%", "41.06%", "94.06%", "75.6%"} <= set(shown)


def test_xls_merged_and_formatted() -> None:
    grids = read(FIXTURES / "xls_merged_percent.xls")
    assert [g.sheet for g in grids] == ["自评表"]
    sheet = grids[0]
    assert_well_formed(sheet)
    assert spans(sheet, "绩效目标自评表") == (0, 0, 1, 4)
    assert spans(sheet, "产出指标(75分)") == (1, 0, 3, 1)
    assert spans(sheet, "75.6%") == (1, 2, 1, 1)
    assert spans(sheet, "10.00") == (2, 2, 1, 1)
    assert spans(sheet, "2019-12-31") == (3, 2, 1, 1)
    assert [c.text for c in sheet.rows[4]][1:3] == ["25", "7.56"]


def test_xml_spreadsheet_2003_named_xls() -> None:
    (sheet,) = read(FIXTURES / "xls_spreadsheet_xml_2003.xls")
    assert sheet.sheet == "自评表"
    assert_well_formed(sheet)
    assert spans(sheet, "绩效目标自评表") == (0, 0, 1, 4)  # ss:MergeAcross
    assert spans(sheet, "产出指标(75分)") == (1, 0, 2, 1)  # ss:MergeDown
    assert spans(sheet, "75.6%") == (1, 2, 1, 1)
    assert spans(sheet, "10.00") == (2, 2, 1, 1)  # the named format "Fixed"; ss:Index skips a cell
    assert spans(sheet, "25") == (4, 2, 1, 1)  # Row ss:Index="5"
    assert spans(sheet, "2019-12-31") == (4, 3, 1, 1)


def test_missing_worksheet_part_is_reported() -> None:
    """Issue 16 point 7: an .xlsx whose fifth worksheet part is gone read 10 forms and said nothing."""
    from jixiao.formats import ReadError

    with pytest.raises(ReadError) as err:
        read(FIXTURES / "xlsx_missing_sheet.xlsx")
    assert "离退休干部专项经费-5" in err.value.message and "xl/worksheets/sheet5.xml" in err.value.message
