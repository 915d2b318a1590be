"""The writers print a template's own columns, from its profile ([template.columns]), and lose no cell.

A no-score template prints no 分值 or 得分, a 决策 / 过程 / 产出 / 效益 framework prints 分值 | 评分标准 | 得分 and
neither a fund nor a goals block, a split-target template prints 指标性质 | 指标值 | 度量单位; a column a form
prints and its template lacks is added. Written and read back, any form in these columns is the same record.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.core.model import Form, FundRow, Indicator, from_record, to_record
from jixiao.formats.layout import recognise
from jixiao.formats.registry import read_grids
from jixiao.profile_files import load_profile
from jixiao.reports import write_forms
from jixiao.reports.layout import build_layout
from jixiao.reports.templates import choose_template, worded

TEMPLATES = Path(__file__).resolve().parents[1] / "fixtures" / "templates"


def sample(family: str) -> Form:
    (record,) = json.loads((TEMPLATES / f"{family}.json").read_text(encoding="utf-8"))
    return from_record(record)


def layout_of(form: Form, profile: str):  # type: ignore[no-untyped-def]
    return build_layout(form, template=worded(choose_template(form), load_profile(profile).template))


def captions(layout) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.text for c in layout.cells if c.role == "caption"]


def read_back(form: Form, path: Path, profile: str | None = None) -> list[dict[str, object]]:
    wordings = [load_profile(profile).template] if profile else None
    write_forms([form], path, wordings=wordings)
    return [to_record(f) for f in recognise(read_grids(path.read_bytes(), path.name))]


def test_a_no_score_template_prints_no_weight_or_score_column_and_no_total_row() -> None:
    layout = layout_of(sample("noscore-2020"), "noscore-2020")
    printed = captions(layout)
    assert not {"分值", "得分", "总分"} & set(printed)
    columns = ["一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值", "未完成原因"]
    assert [c for c in printed if c in columns] == columns
    assert layout.width == 7 and all(c.col + c.colspan <= layout.width for c in layout.cells)


def test_a_framework_prints_weight_standard_and_score_and_no_fund_or_goals_block() -> None:
    layout = layout_of(sample("framework-2020"), "framework-2020")
    printed = captions(layout)
    assert {"分值", "评分标准", "得分", "总分"} <= set(printed)
    assert not {"年度指标值", "实际完成值", "年度总体目标", "项目资金（万元）"} & set(printed)
    assert layout.cell("indicators[2].formula").text.startswith("编制依据充分")


def test_sichuan_prints_its_fund_reason_and_split_target_columns() -> None:
    layout = layout_of(sample("sichuan-2020"), "sichuan-2020")
    printed = captions(layout)
    assert {"原因", "指标性质", "指标值", "度量单位"} <= set(printed)
    assert layout.cell("funds[0].reason").text == "部分采购尾款未支付"
    assert (layout.cell("indicators[0].target_op").text, layout.cell("indicators[0].target").text,
            layout.cell("indicators[0].target_unit").text) == ("正向", "500", "人次")


@pytest.mark.parametrize("ext", [".html", ".xlsx", ".docx", ".pdf"])
def test_a_column_the_form_prints_and_its_template_lacks_is_added_not_lost(ext: str, tmp_path: Path) -> None:
    """A 评分标准 and a fund row's 原因 under the standard MoF columns, with no profile given."""
    form = sample("mof-2021")
    indicators = list(form.indicators)
    indicators[1] = replace(indicators[1], formula="合格率每低1个百分点扣1分")
    funds = list(form.funds)
    funds[0] = replace(funds[0], reason="部分工程款未到结算期")
    form = replace(form, indicators=tuple(indicators), funds=tuple(funds))
    assert read_back(form, tmp_path / f"form{ext}") == [to_record(form)]


def test_a_form_with_scores_under_the_no_score_template_keeps_them(tmp_path: Path) -> None:
    form = sample("mof-2021")
    assert read_back(form, tmp_path / "form.html", "noscore-2020") == [to_record(form)]


# Any form in a family's columns reads back as written --------------------------------------------------

FAMILIES = ("noscore-2020", "framework-2020", "sichuan-2020", "yunnan-2020", "hubei-2021", "xianjie-2021",
            "ningxia-2020", "transfer-2020", "hebei-2020")
LEVEL2 = ("数量指标", "质量指标", "时效指标", "社会效益指标", "服务对象满意度指标", "项目立项", "资金管理")
NAMES = ("培训人次", "验收合格率", "按期完成率", "受益人口", "群众满意度", "资金到位率", "制度健全性", "设备采购数量")
SCORES = ("", "5", "10", "20", "9.5", "13.5", "0")
TARGETS = ("", "≥95%", "≥10处", "=100%", "≤30分钟", "按时完成", "效果明显")
ACTUALS = ("", "96%", "10处", "100%", "25分钟", "达成", "已完成")
REASONS = ("", "受天气影响工期延后", "部分资金未到位")
FORMULAS = ("", "完成得满分，每少1项扣1分", "到位率×5分")


@st.composite
def family_form(draw: st.DrawFn) -> tuple[str, Form]:
    family = draw(st.sampled_from(FAMILIES))
    form = sample(family)
    fields = set(load_profile(family).template.indicator_fields) or {"target", "actual", "weight", "score", "reason"}
    level1s = list(dict.fromkeys(i.level1 for i in form.indicators))
    rows = []
    for level1 in level1s:
        for _ in range(draw(st.integers(1, 3))):
            rows.append(Indicator(
                level1=level1, level2=draw(st.sampled_from(LEVEL2)), name=draw(st.sampled_from(NAMES)),
                weight=draw(st.sampled_from(SCORES)) if "weight" in fields else "",
                target=draw(st.sampled_from(("95", "100", "30", "")) if "target_op" in fields else
                            st.sampled_from(TARGETS)) if "target" in fields else "",
                target_nature=draw(st.sampled_from(("正向", "≥", "≤"))) if "target_op" in fields else "",
                target_unit=draw(st.sampled_from(("%", "人次", "台"))) if "target_op" in fields else "",
                actual=draw(st.sampled_from(ACTUALS)) if "actual" in fields else "",
                score=draw(st.sampled_from(SCORES)) if "score" in fields else "",
                reason=draw(st.sampled_from(REASONS)) if "reason" in fields else "",
                formula=draw(st.sampled_from(FORMULAS)) if "formula" in fields else "",
            ))
    funds = tuple(replace(f, executed=draw(st.sampled_from(("", "90", "95.5"))),
                          reason=draw(st.sampled_from(REASONS)) if f.reason or family == "sichuan-2020" else "")
                  for f in form.funds)
    return family, replace(form, indicators=tuple(rows), funds=funds)


@pytest.mark.parametrize("ext", [".html", ".xlsx"])
def test_any_form_in_a_family_s_columns_reads_back_as_written(ext: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("columns")

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(case=family_form())
    def run(case: tuple[str, Form]) -> None:
        family, form = case
        assert read_back(form, folder / f"form{ext}", family) == [to_record(form)], family

    run()


def test_the_fund_row_reason_and_local_department_are_optional_in_the_record() -> None:
    form = Form(project="某项目", funds=(FundRow("total", "年度资金总额", annual="10"),))
    record = to_record(form)
    assert "local_department" not in record and "reason" not in record["funds"][0]
    full = replace(form, local_department="某省农业农村厅", funds=(replace(form.funds[0], reason="尾款未付"),))
    assert from_record(json.loads(json.dumps(to_record(full), ensure_ascii=False))) == full


# Goal blocks (Hubei: 年度绩效目标1(40分), 年度绩效目标2(40分)) ---------------------------------------------


def test_hubei_goal_blocks_are_written_as_heading_rows_over_their_indicators() -> None:
    form = sample("hubei-2021")
    assert [i.block for i in form.indicators] == ["年度绩效目标1", "年度绩效目标1", "年度绩效目标2", "年度绩效目标2"]
    layout = layout_of(form, "hubei-2021")
    heading = layout.cell("indicators[2].block")
    assert heading.text == "年度绩效目标2(40分)：保障农村群众饮水安全" and heading.colspan == layout.width - 1
    assert heading.row + 1 == layout.cell("indicators[2].name").row
    assert "indicators[1].block" not in {c.key for c in layout.cells}  # one heading a block


HEADINGS = ("", "：完成饮水工程建设", "：保障农村群众饮水安全")


@st.composite
def goal_block_form(draw: st.DrawFn) -> Form:
    form = sample("hubei-2021")
    points, labels, rows = [], [], []
    for n in range(1, draw(st.integers(1, 3)) + 1):
        block, value, tail = f"年度绩效目标{n}", draw(st.sampled_from(("20", "40", "30.5", ""))), draw(
            st.sampled_from(HEADINGS))
        if value:
            points.append((block, value))
        if tail or not value:
            heading = (f"{block}({value}分)" if value else block) + tail
            if heading != block:
                labels.append((block, heading))
        for level1 in draw(st.lists(st.sampled_from(("产出指标", "效益指标", "满意度指标")), min_size=1, max_size=2,
                                    unique=True)):
            for _ in range(draw(st.integers(1, 2))):
                rows.append(Indicator(level1, draw(st.sampled_from(LEVEL2)), draw(st.sampled_from(NAMES)),
                                      target=draw(st.sampled_from(TARGETS)), actual=draw(st.sampled_from(ACTUALS)),
                                      score=draw(st.sampled_from(SCORES)), reason=draw(st.sampled_from(REASONS)),
                                      block=block))
    return replace(form, category_points=tuple(points), category_labels=tuple(labels), indicators=tuple(rows))


@pytest.mark.parametrize("ext", [".html", ".xlsx"])
def test_any_goal_blocks_read_back_as_written(ext: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("blocks")

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(form=goal_block_form())
    def run(form: Form) -> None:
        assert read_back(form, folder / f"form{ext}", "hubei-2021") == [to_record(form)]

    run()
