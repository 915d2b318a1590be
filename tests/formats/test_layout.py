"""The layout recogniser: grids from any reader to forms, by header words and table shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.model import to_record
from jixiao.formats import layout, layout_rows, text
from jixiao.formats.grid import Cell, Grid, SpanFreeRows, grid_from_rows

SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"


def records(grids: list[Grid]) -> list[dict[str, object]]:
    return [to_record(f) for f in layout.recognise(grids)]


@pytest.mark.parametrize("name", ["seed", "mof2020-a", "mof2020-b"])
def test_text_samples_read_to_their_json(name: str) -> None:
    grids = text.read((SAMPLES / f"{name}.txt").read_bytes(), f"{name}.txt")
    assert records(grids) == json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def test_seed_keeps_the_second_weight_column_and_grid_rows() -> None:
    forms = layout.recognise(text.read((SAMPLES / "seed.txt").read_bytes(), "seed.txt"))
    first = forms[0].indicators[0]
    assert first.weight_repeat == "25"
    assert first.row is not None and forms[0].total.row is not None
    assert [f.source.index for f in forms] == list(range(1, 12))


FORM = [
    ["绩效目标自评表"],
    ["（2019年度）"],
    ["项目名称", "甲项目", "项目负责人及电话", "张三 123"],
    ["主管部门", "某局", "实施单位", "某中心"],
    ["资金情况（万元）", "", "年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A)", "得分"],
    ["", "年度资金总额：", "10", "10", "8", "10", "80%", "8"],
    ["", "其中：财政拨款", "10", "10", "8", "-", "80%", "-"],
    ["年度总体目标", "年初设定目标", "年度总体目标完成情况综述"],
    ["", "目标甲", "完成甲"],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际完成值", "分值", "得分", "未完成原因"],
    ["", "产出指标(75分)", "数量\n指标", "甲数", "75", "≥10个", "8个", "75", "60", "少"],
    ["", "满意度指标（25分）", "服务对象满意度指标", "满意度", "25", "≥90%", "95%", "25", "25", ""],
    ["总分", "", "100", "", "100", "85", ""],
]


def test_points_labels_line_breaks_and_fill_down() -> None:
    (form,) = layout.recognise([grid_from_rows(FORM)])
    assert form.category_points == (("产出指标", "75"), ("满意度指标", "25"))
    assert form.indicators[0].level2 == "数量指标"
    assert (form.total.weight, form.total.score) == ("100", "85")
    assert form.leader == "张三 123" and form.year == 2019


def test_an_extra_column_does_not_shift_the_others() -> None:
    rows = [list(r) for r in FORM]
    rows[9] = [*rows[9][:5], "指标性质", "年度指标值", "度量单位", *rows[9][6:]]
    rows[10] = [*rows[10][:5], "≥", "10", "个", *rows[10][6:]]
    rows[11] = [*rows[11][:5], "≥", "90", "%", *rows[11][6:]]
    (form,) = layout.recognise([grid_from_rows(rows)])
    # Each column keeps what it prints; the target is read from its parts (values.parse_parts).
    assert [(i.target_nature, i.target, i.target_unit) for i in form.indicators] == [("≥", "10", "个"), ("≥", "90", "%")]
    assert [i.target_value.format() for i in form.indicators] == ["≥10个", "≥90%"]
    assert [i.actual for i in form.indicators] == ["8个", "95%"]


def test_blocks_in_another_order_are_still_read() -> None:
    rows = FORM[:4] + FORM[9:12] + FORM[4:9] + FORM[12:]
    (form,) = layout.recognise([grid_from_rows(rows)])
    assert len(form.indicators) == 2 and len(form.funds) == 2
    assert form.goals.planned == "目标甲"


def test_text_that_fits_nowhere_is_kept_not_dropped() -> None:
    rows = [*FORM, ["填报人：李四", "", "日期：2020年1月"]]
    (form,) = layout.recognise([grid_from_rows(rows)])
    assert any("填报人：李四" in u for u in form.unplaced)


def test_two_forms_stacked_on_one_sheet() -> None:
    second = [list(r) for r in FORM]
    second[2] = ["项目名称", "乙项目", "项目负责人及电话", ""]
    forms = layout.recognise([grid_from_rows(FORM + second)])
    assert [f.project for f in forms] == ["甲项目", "乙项目"]


def test_a_form_continuing_in_the_next_grid() -> None:
    forms = layout.recognise([grid_from_rows(FORM[:11]), grid_from_rows(FORM[11:])])
    assert len(forms) == 1 and len(forms[0].indicators) == 2
    assert forms[0].total.score == "85"


def test_spans_map_cells_to_their_header_columns() -> None:
    # 一级 spans two rows; the total row's label spans four columns, as Word and HTML write them.
    header = ("绩效指标", "一级指标", "二级指标", "三级指标", "分值", "指标值", "完成值", "得分")
    rows = (
        (Cell("项目名称", 0, 0), Cell("丙", 0, 1, colspan=7)),
        tuple(Cell(t, 1, c) for c, t in enumerate(header)),
        (Cell("", 2, 0, rowspan=2), Cell("产出指标(50分)", 2, 1, rowspan=2), Cell("数量指标", 2, 2),
         Cell("甲", 2, 3), Cell("30", 2, 4), Cell("≥1", 2, 5), Cell("1", 2, 6), Cell("30", 2, 7)),
        (Cell("质量指标", 3, 2), Cell("乙", 3, 3), Cell("20", 3, 4), Cell("=100%", 3, 5),
         Cell("90%", 3, 6), Cell("18", 3, 7)),
        (Cell("总分", 4, 0, colspan=4), Cell("50", 4, 4), Cell("", 4, 5, colspan=2), Cell("48", 4, 7)),
    )
    (form,) = layout.recognise([Grid(rows=rows)])
    assert [(i.level1, i.level2, i.name, i.score) for i in form.indicators] == [
        ("产出指标", "数量指标", "甲", "30"),
        ("产出指标", "质量指标", "乙", "18"),
    ]
    assert (form.total.weight, form.total.score) == ("50", "48")


def test_a_level2_without_level3_rows_is_kept() -> None:
    rows = [list(r) for r in FORM]
    rows.insert(12, ["", "", "经济效益指标", "", "", "", "", "", "", ""])
    (form,) = layout.recognise([grid_from_rows(rows)])
    assert form.indicators[-1].level2 == "经济效益指标" and form.indicators[-1].name == ""


def test_no_form_in_random_text() -> None:
    assert layout.recognise([grid_from_rows([["你好"], ["世界", "1", "2"]])]) == []


@settings(max_examples=60)
@given(st.lists(st.lists(st.sampled_from(
    ["", "项目名称", "一级指标", "二级指标", "三级指标", "总分", "年初预算数", "全年执行数", "产出指标(75分)",
     "≥1", "25", "年度资金总额：", "完成", "年初设定目标", "x", "（2019年度）", "绩效目标自评表"]),
    max_size=10), max_size=25))
def test_recognise_never_raises_on_any_grid(rows: list[list[str]]) -> None:
    for form in layout.recognise([grid_from_rows(rows)]):
        assert isinstance(to_record(form), dict)


@pytest.mark.parametrize("name", ["seed", "mof2020-a", "mof2020-b"])
def test_span_free_rows_recognise_as_the_same_cells_given_one_by_one(name: str) -> None:
    """The recogniser's shortcut for span-free rows (text files) gives what the general path gives."""
    grids = text.read((SAMPLES / f"{name}.txt").read_bytes(), f"{name}.txt")
    assert all(isinstance(g.rows, SpanFreeRows) for g in grids)
    as_cells = [Grid(rows=tuple(g.rows), source=g.source, sheet=g.sheet) for g in grids]
    assert layout.recognise(grids) == layout.recognise(as_cells)
    trace_lazy: list[layout.RowRole] = []
    trace_cells: list[layout.RowRole] = []
    layout.recognise(grids, trace_lazy)
    layout.recognise(as_cells, trace_cells)
    assert trace_lazy == trace_cells


def test_a_row_with_no_cell_of_its_own_still_gets_the_cover_of_the_cell_above() -> None:
    """A row wholly covered by a merged cell from above lists a blank placeholder where it is covered."""
    grid = Grid(rows=((Cell("一级指标", 0, 0, rowspan=2), Cell("x", 0, 1)), ()))
    first, second = layout_rows.rows_of(grid, 0)
    assert [(c.text, c.col, c.end) for c in first.cells] == [("一级指标", 0, 1), ("x", 1, 2)]
    assert [(c.text, c.col, c.end) for c in second.cells] == [("", 0, 1)] and second.texts == []
