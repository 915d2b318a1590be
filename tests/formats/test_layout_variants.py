"""Published layouts the recogniser must find and read (issue 9, the readers' part):

- a fund block printed as captions each followed by its value (预算数 | 120 | 到位数 | 120 | 执行数 | 114), no header row;
- a form with no 项目名称 cell, the project named in its title ("某某项目支出绩效自评表") or in a caption line above
  the table ("项目名称：某某"), as county tables print them;
- the fund rows' 原因 (Sichuan) and the 地方主管部门 (transfer payments), kept in the record.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.model import Form, to_record
from jixiao.formats.grid import grid_from_rows
from jixiao.formats.layout import project_of_title, recognise
from jixiao.formats.registry import read_grids

TEMPLATES = Path(__file__).resolve().parents[1] / "fixtures" / "templates"
FORMATS = ("html", "xlsx", "docx")
INDICATORS = [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
    ["产出指标(50分)", "数量指标", "道路维护里程", "≥20公里", "20公里", "50", "50", ""],
    ["总分", "", "", "", "", "50", "50", ""],
]


def read(name: str, fmt: str) -> Form:
    path = TEMPLATES / f"{name}.{fmt}"
    (form,) = recognise(read_grids(path.read_bytes(), path.name))
    return form


def test_a_form_with_no_project_name_cell_is_found_and_named_by_its_title() -> None:
    for fmt in FORMATS:
        form = read("county-2022", fmt)
        assert form.project == "城市道路维护项目" and form.title == "2022年度城市道路维护项目支出绩效自评表"
        assert len(form.indicators) == 4 and form.total.score == "99.28" and form.unplaced == ()


def test_a_label_value_fund_block_is_read_with_its_received_amount() -> None:
    for fmt in FORMATS:
        total, appropriation = read("county-2022", fmt).funds
        assert (total.kind, total.label, total.annual, total.executed, total.rate, total.score) == \
            ("total", "年度资金总额", "120", "114", "95%", "9.5")
        assert (appropriation.kind, appropriation.annual, appropriation.received, appropriation.executed) == \
            ("appropriation", "120", "120", "114")


def test_a_header_printed_as_caption_lines_above_the_table_is_read() -> None:
    for fmt in FORMATS:
        form = read("caption-2022", fmt)
        assert (form.project, form.department, form.unit, form.year) == \
            ("社区居家养老服务补贴", "某县民政局", "某县社会福利中心", 2022)


def test_sichuan_s_fund_reason_and_the_transfer_form_s_local_department_are_kept() -> None:
    for fmt in FORMATS:
        sichuan = read("sichuan-2020", fmt)
        assert [f.reason for f in sichuan.funds] == ["部分采购尾款未支付", "", "", "", ""]
        transfer = read("transfer-2020", fmt)
        assert (transfer.department, transfer.local_department) == ("农业农村部", "某省农业农村厅")
        assert to_record(transfer)["local_department"] == "某省农业农村厅"


def test_a_title_that_names_only_the_kind_of_form_starts_no_form() -> None:
    for title in ("项目支出绩效自评表", "部门整体支出绩效自评表", "湖北省项目支出绩效自评表", "2022年度绩效自评表"):
        assert project_of_title(title) == "", title
        rows = [[title], ["项目资金（万元）", "预算数", "100", "执行数", "90", "执行率", "90%"], *INDICATORS]
        assert recognise([grid_from_rows(rows)]) == [], title


PROJECTS = ("城市道路维护", "高标准农田建设", "社区居家养老服务补贴", "农村饮水安全巩固提升", "义务教育薄弱环节改善")


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(PROJECTS), kind=st.sampled_from(("项目", "专项资金", "工程项目")),
       year=st.sampled_from(("", "2022年度", "2023年")), prefix=st.sampled_from(("", "某县交通运输局", "重庆市某区")),
       suffix=st.sampled_from(("支出绩效自评表", "绩效自评表", "绩效目标自评表", "支出绩效评价表")))
def test_the_project_a_title_names_is_read_whatever_its_year_unit_and_form_words(
        name: str, kind: str, year: str, prefix: str, suffix: str) -> None:
    title = f"{prefix}{year}{name}{kind}{suffix}"
    expected = f"{name}{kind}" if year or not prefix else f"{prefix}{name}{kind}"
    assert project_of_title(title) == expected


CAPTIONS = {"initial": "年初预算数", "annual": "预算数", "received": "到位数", "executed": "执行数", "rate": "执行率",
            "weight": "分值", "score": "得分"}
AMOUNT = st.sampled_from(("100", "95.5", "0", "1,200", "—", ""))


@st.composite
def label_value_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    rows = []
    for n in range(draw(st.integers(1, 3))):
        fields = draw(st.lists(st.sampled_from(list(CAPTIONS)), min_size=2, max_size=6, unique=True))
        values = {f: draw(st.sampled_from(("95%", "100%", ""))) if f == "rate" else draw(AMOUNT) for f in fields}
        if not {"annual", "executed", "initial", "received"} & set(fields):
            values["annual"] = "100"
        if not any(v and v != "—" for v in values.values()):
            values[next(iter(values))] = "100"
        label = "" if n == 0 and draw(st.booleans()) else ("年度资金总额", "其中：财政资金", "其他资金")[n]
        rows.append({"label": label, **values})
    return rows


@settings(max_examples=80, deadline=None)
@given(funds=label_value_rows(), heading=st.sampled_from(("资金情况（万元）", "项目资金", "")))
def test_any_label_value_fund_block_is_read_as_printed(funds: list[dict[str, str]], heading: str) -> None:
    rows: list[list[str]] = [["2022年度城市道路维护项目支出绩效自评表"]]
    for n, fund in enumerate(funds):
        cells = [heading if n == 0 else ""] if heading else []
        cells += [fund["label"]] if fund["label"] else []
        for field, value in fund.items():
            if field != "label":
                cells += [CAPTIONS[field], value]
        rows.append(cells)
    rows += INDICATORS
    (form,) = recognise([grid_from_rows(rows)])
    assert form.unplaced == ()
    assert len(form.funds) == len(funds)
    for read_row, fund in zip(form.funds, funds, strict=True):
        assert read_row.label == fund["label"]
        assert read_row.kind == {"": "total", "年度资金总额": "total", "其中：财政资金": "appropriation",
                                 "其他资金": "other"}[fund["label"]]
        for field, value in fund.items():
            if field != "label":
                assert getattr(read_row, field) == value, field
    assert len(form.indicators) == 1 and form.total.score == "50"


LABELS = {"project": "项目名称", "department": "主管部门", "unit": "实施单位", "leader": "项目负责人"}
VALUES = st.sampled_from(("某县民政局", "社区居家养老服务补贴", "某县社会福利中心", "张三 13800000000", ""))


@settings(max_examples=60, deadline=None)
@given(fields=st.permutations(["department", "unit", "leader"]), values=st.fixed_dictionaries(
    {"department": VALUES, "unit": VALUES, "leader": VALUES}), pairs=st.booleans(),
    gap=st.sampled_from(("\u3000\u3000", "    ", "\u3000 \u3000")), colon=st.sampled_from(("：", ":")))
def test_header_caption_lines_above_a_table_are_read_in_any_order(
        fields: list[str], values: dict[str, str], pairs: bool, gap: str, colon: str) -> None:
    lines = [f"项目名称{colon}城市道路维护"]
    parts = [f"{LABELS[f]}{colon}{values[f]}" for f in fields]
    lines += [gap.join(parts[:2]), parts[2]] if pairs else parts
    rows = [["项目支出绩效自评表"], ["（2022年度）"], *([line] for line in lines),
            ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "执行率"], ["年度资金总额", "10", "10", "9", "90%"],
            *INDICATORS]
    (form,) = recognise([grid_from_rows(rows)])
    assert form.project == "城市道路维护" and form.unplaced == ()
    assert {f: getattr(form, f) for f in fields} == {f: values[f] for f in fields}


LEVEL1_CAPTIONS = ("一级指标", "一级", "指标类别", "绩效指标（一级）", "一级指标名称")
LEVEL2_CAPTIONS = ("二级指标", "二级", "指标类型", "绩效指标（二级）")
NAME_CAPTIONS = ("三级指标", "三级", "指标名称", "具体指标")


@settings(max_examples=60, deadline=None)
@given(level1=st.sampled_from(LEVEL1_CAPTIONS), level2=st.sampled_from(LEVEL2_CAPTIONS),
       name=st.sampled_from(NAME_CAPTIONS),
       label=st.sampled_from(("产出指标(50分)", "产出指标（50分）", "产出指标 50分", "产出指标50分", "一、产出指标（50分）",
                              "（一）产出指标 50分", "1.产出指标(50分)")),
       repeated=st.booleans())
def test_the_indicator_block_is_read_whatever_its_level_captions_and_level1_label(
        level1: str, level2: str, name: str, label: str, repeated: bool) -> None:
    """The level columns captioned as templates caption them, the level-1 label printed with its points in or
    out of brackets, numbered or not, on its first row or repeated on every row (the level-2 merged over two
    rows is then kept on the second): the same indicators, points 50, the label kept as printed."""
    rows = [["2022年度城市道路维护项目支出绩效自评表"], ["项目名称", "城市道路维护"],
            [level1, level2, name, "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
            [label, "数量指标", "道路维护里程", "≥20公里", "20公里", "30", "30", ""],
            [label if repeated else "", "", "维护路段数", "≥5段", "5段", "20", "20", ""],
            ["总分", "", "", "", "", "50", "50", ""]]
    (form,) = recognise([grid_from_rows(rows)])
    assert form.unplaced == ()
    assert [(i.level1, i.level2, i.name) for i in form.indicators] == [
        ("产出指标", "数量指标", "道路维护里程"), ("产出指标", "数量指标", "维护路段数")]
    assert form.points == {"产出指标": 50}
    assert dict(form.category_labels) == ({} if label == "产出指标(50分)" else {"产出指标": label})


def test_a_data_row_naming_a_first_class_road_is_no_header() -> None:
    """一级公路 in an indicator's name: the row prints values, so it is a row, not the block's header."""
    rows = [["项目名称", "公路养护"], INDICATORS[0],
            ["产出指标(50分)", "数量指标", "一级公路养护里程", "≥20公里", "20公里", "50", "50", ""], INDICATORS[2]]
    (form,) = recognise([grid_from_rows(rows)])
    assert [i.name for i in form.indicators] == ["一级公路养护里程"]
