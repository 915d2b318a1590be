"""The Excel writer, judged on the workbook it writes (openpyxl)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from report_helpers import first_form_scorecard, record_texts

from jixiao.core.model import Form
from jixiao.reports import write_forms, xlsx
from jixiao.reports.layout import HIGHLIGHT, build_layout
from jixiao.reports.summary import SUMMARY_COLUMNS, sheet_names


def shown(cell: Any) -> str:
    """The text Excel shows for a cell this writer wrote (General numbers and n-decimal percentages)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    fmt = cell.number_format
    if fmt.endswith("%"):
        places = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
        return f"{Decimal(repr(value)) * 100:.{places}f}%"
    return format(Decimal(repr(value)).normalize(), "f") if isinstance(value, float) else str(value)


@pytest.fixture(scope="module")
def seed_book(tmp_path_factory: pytest.TempPathFactory, seed_forms: list[Form]) -> Any:
    path = tmp_path_factory.mktemp("xlsx") / "seed.xlsx"
    write_forms(seed_forms, path)
    return openpyxl.load_workbook(path)


def test_a_batch_has_the_summary_first_then_one_sheet_per_form(seed_book: Any, seed_forms: list[Form]) -> None:
    assert seed_book.sheetnames[0] == "汇总"
    assert seed_book.sheetnames[1:] == [f"{f.project}-{n}" for n, f in enumerate(seed_forms, 1)]


def test_merged_ranges_of_the_seed_form(seed_book: Any) -> None:
    ws = seed_book["包联驻村专项经费-1"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert merged == {
        "A1:J1", "A2:J2",  # title, year
        "A3:B3", "C3:F3", "G3:H3", "I3:J3", "A4:B4", "C4:F4", "G4:H4", "I4:J4",  # header
        "A5:B8", "C5:D5", "C6:D6", "C7:D7", "C8:D8",  # funds
        "A9:B10", "C9:F9", "G9:J9", "C10:F10", "G10:J10",  # goals
        "A11:A15", "B12:B14",  # indicators: 绩效指标, 产出指标(75分)
        "A16:D16", "F16:G16",  # total
    }
    assert ws["A1"].value == "绩效目标自评表" and ws["A2"].value == "（2019年度）"
    assert ws["B12"].value == "产出指标(75分)" and ws["B15"].value == "满意度指标(25分)"


def test_level2_merges_of_form_8(seed_book: Any) -> None:
    ws = seed_book["人民调解、人民监督员专项经费-8"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"B12:B17", "B18:B19", "C12:C13", "C14:C15", "C16:C17", "C18:C19", "A11:A19"} <= merged


@pytest.mark.parametrize("which", ["seed", "mof"])
def test_cells_show_the_record_texts(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    forms: list[Form] = request.getfixturevalue(f"{which}_forms")
    recs: list[dict[str, Any]] = request.getfixturevalue(f"{which}_records")
    path = tmp_path / "out.xlsx"
    write_forms(forms, path)
    book = openpyxl.load_workbook(path)
    for form, record, name in zip(forms, recs, sheet_names(forms, ["汇总"]), strict=True):
        ws = book[name]
        layout = build_layout(form)
        top = 1 + len(layout.headings)
        for key, text in record_texts(record).items():
            cell = layout.cell(key)
            assert shown(ws.cell(top + cell.row, 1 + cell.col)) == text, (name, key)


def test_numbers_are_numbers_and_text_stays_text(seed_book: Any) -> None:
    ws = seed_book["包联驻村专项经费-1"]
    assert ws["I7"].value == pytest.approx(0.756) and ws["I7"].number_format == "0.0%"  # 75.6%
    assert ws["E6"].value == 10 and isinstance(ws["E6"].value, int)
    assert ws["G7"].value == pytest.approx(7.56)
    # "=100%" is a target, not a formula; "≥1" and "-" are text.
    assert ws["F13"].value == "=100%" and ws["F13"].data_type == "s"
    assert ws["F12"].value == "≥1" and ws["H7"].value == "-"
    assert ws["G13"].value == pytest.approx(0.96) and ws["G13"].number_format == "0%"


def test_sheets_print_on_a4(seed_book: Any, tmp_path: Path, mof_forms: list[Form]) -> None:
    ws = seed_book["包联驻村专项经费-1"]
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws["C10"].alignment.wrap_text and ws["C10"].border.left.style == "thin"
    assert ws["J8"].border.bottom.style == "thin"  # inside a merged range too
    assert ws.column_dimensions["D"].width > ws.column_dimensions["E"].width
    assert ws.row_dimensions[10].height > ws.row_dimensions[12].height  # the goals row is taller
    path = tmp_path / "one.xlsx"
    write_forms(mof_forms[:1], path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["委托业务项目-1"]  # one form: no summary
    assert book.active.page_setup.orientation == "portrait"


def test_summary_sheet_without_evaluations(seed_book: Any) -> None:
    ws = seed_book["汇总"]
    assert ws["A1"].value == "预算绩效自评结果汇总"
    assert [c.value for c in ws[2]] == [caption for _, caption, _ in SUMMARY_COLUMNS]
    first = [shown(c) for c in ws[3]]
    assert first == ["包联驻村专项经费", "鄂尔多斯市司法局", "2019", "10", "7.56", "75.6%", "7.56", "98",
                     "", "", "", ""]
    assert ws.max_row == 2 + 11
    assert ws["A3"].hyperlink.location == "'包联驻村专项经费-1'!A1"  # a link to the form's sheet


def test_summary_sheet_with_evaluations(tmp_path: Path, seed_forms: list[Form]) -> None:
    from jixiao.services import evaluate_batch

    evaluations = evaluate_batch(seed_forms)
    path = tmp_path / "evaluated.xlsx"
    write_forms(seed_forms, path, evaluations=evaluations)
    ws = openpyxl.load_workbook(path)["汇总"]
    rows = [[shown(c) for c in row] for row in ws.iter_rows(min_row=3)]
    by_project = {(r[0], r[7]): r for r in rows}
    fourth = by_project[("法律援助专项经费", "96")]
    errors = sum(1 for f in evaluations[3].findings if f.severity == "error")
    assert fourth[10] == str(errors) and errors >= 1  # A03: 总分 96 vs 94
    assert fourth[8] == format(evaluations[3].scorecard.total.normalize(), "f")
    assert {r[9] for r in rows} <= {"优", "良", "中", "差"}
    fifth = by_project[("离退休干部专项经费", "85")]
    assert fifth[6] == "5.6"  # the computed fund score, not the printed 10


def test_rescore_fills_the_changed_cells(tmp_path: Path, seed_forms: list[Form]) -> None:
    path = tmp_path / "rescored.xlsx"
    xlsx.write(seed_forms[:1], path, scorecards=[first_form_scorecard(seed_forms[0])], rescore=True)
    ws = openpyxl.load_workbook(path).active
    filled = {c.coordinate for row in ws.iter_rows() for c in row
              if c.fill.fill_type == "solid" and c.fill.start_color.rgb.endswith(HIGHLIGHT)}
    assert filled == {"I13", "I16"}  # 质量指标 得分, 总分 得分
    assert ws["I13"].value == 24 and ws["I16"].value == 99
    assert "23" in ws["I13"].comment.text
    assert ws.cell(ws.max_row, 1).value.startswith("注：")


def test_odd_project_names_make_valid_sheets(tmp_path: Path, seed_forms: list[Form]) -> None:
    from dataclasses import replace

    forms = [replace(seed_forms[0], project=p) for p in ("a/b:c*d?[e]", "汇总", "很长" * 20, "A", "a")]
    path = tmp_path / "names.xlsx"
    write_forms(forms, path)
    names = openpyxl.load_workbook(path).sheetnames
    assert names[0] == "汇总"
    assert len({n.casefold() for n in names}) == len(names) == 6
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)


def test_a_failed_write_leaves_no_file(tmp_path: Path, seed_forms: list[Form], monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")

    def broken_save(self: Any, filename: Any) -> None:
        Path(filename).write_bytes(b"PK half")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_forms(seed_forms, path)
    assert path.read_bytes() == b"old"  # the old file untouched
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary file left


@pytest.mark.parametrize(
    ("text", "value", "fmt"),
    [
        ("10", 10, "General"),
        ("89.974", 89.974, "General"),
        ("0", 0, "General"),
        ("-2.5", -2.5, "General"),
        ("75.6%", 0.756, "0.0%"),
        ("100%", 1.0, "0%"),
        ("94.06%", 0.9406, "0.00%"),
        ("75.60%", 0.756, "0.00%"),  # the printed decimals are kept by the format
        # Text that Excel would not show as printed stays text.
        ("1.50", "1.50", "General"),
        ("007", "007", "General"),
        ("1,000", "1,000", "General"),
        ("12345678901234567", "12345678901234567", "General"),
        ("≥95%", "≥95%", "General"),
        ("", "", "General"),
    ],
)
def test_excel_values(text: str, value: object, fmt: str) -> None:
    got, got_fmt = xlsx.excel_value(text, numeric=True)
    assert got == pytest.approx(value) if isinstance(value, float) else got == value
    assert got_fmt == fmt
    assert xlsx.excel_value(text, numeric=False) == (text, "General")  # captions and names
