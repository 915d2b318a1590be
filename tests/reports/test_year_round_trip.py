"""A declaration and a monitoring form in the standard layout, written to xlsx/docx/pdf/html and read back,
give the same record; the recogniser also reads a local layout and survives arbitrary grids."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from year_helpers import load, patched

from jixiao.core import monitor, target
from jixiao.formats.grid import grid_from_rows
from jixiao.formats.registry import read_grids
from jixiao.formats.year import kind_of, recognise_monitors, recognise_targets, recognise_year
from jixiao.reports.year import monitor_layout, target_layout, write_monitors, write_targets

FORMATS = (".xlsx", ".docx", ".pdf", ".html")


def full_target() -> dict[str, Any]:
    """The clean declaration with every printed field filled: narratives, weights, a review."""
    record = target.to_record(target.from_record(load("target_clean.toml")))
    record["narratives"]["basis"] = "《公共法律服务体系建设规划》"
    record["indicators"][0]["weight"] = "20"
    record["indicators"][2]["remark"] = "以工作日计"
    record["review"] = [
        {"level": "department", "grade": "中", "items": {"规范完整性": "优", "资金匹配性": "中"},
         "opinion": "资金测算依据不足，请补充", "reviewer": "李审核", "date": "2025-10-20"},
        {"level": "finance", "grade": "优", "items": {}, "opinion": "", "reviewer": "张财政", "date": "2025-11-02"},
    ]
    return target.to_record(target.from_record(record))


def full_monitor() -> dict[str, Any]:
    record = patched(load("monitor_clean.toml"), {"set": {
        "indicators[1].likelihood": "有可能", "indicators[1].causes": {"硬件条件保障": "服务器老化", "其他": "机房搬迁"},
        "indicators[1].remark": "拟更换服务器",
        "indicators[1].rectify": {"needed": "是", "requirement": "9月底前完成设备采购", "result": ""}}})
    return monitor.to_record(monitor.from_record(record))


@pytest.mark.parametrize("ext", FORMATS)
def test_a_declaration_reads_back_to_its_record(ext: str, tmp_path: Path) -> None:
    second = patched(full_target(), {"set": {"project": "人民调解员培训", "version": 2, "version_note": "目标调整：培训人数减少"}})
    originals = [full_target(), target.to_record(target.from_record(second))]
    path = tmp_path / f"target{ext}"
    write_targets([target.from_record(r) for r in originals], path)
    grids = read_grids(path.read_bytes(), path.name)
    assert kind_of(grids) == "target"
    assert [target.to_record(t) for t in recognise_targets(grids)] == originals


@pytest.mark.parametrize("ext", FORMATS)
def test_a_monitoring_form_reads_back_to_its_record(ext: str, tmp_path: Path) -> None:
    october = patched(full_monitor(), {"set": {"period.to_month": 10, "target_version": None}})
    originals = [full_monitor(), monitor.to_record(monitor.from_record(october))]
    path = tmp_path / f"monitor{ext}"
    write_monitors([monitor.from_record(r) for r in originals], path)
    grids = read_grids(path.read_bytes(), path.name)
    assert kind_of(grids) == "monitor"
    assert [monitor.to_record(m) for m in recognise_monitors(grids)] == originals


def test_the_layouts_print_the_month_of_the_period_and_the_split_target() -> None:
    layout = monitor_layout(monitor.from_record(full_monitor()))
    assert layout.cell("funds[0].executed").text == "60"
    assert any(c.text == "1-7月执行数" for c in layout.cells)
    t = target_layout(target.from_record(full_target()))
    assert (t.cell("indicators[0].op").text, t.cell("indicators[0].value").text, t.cell("indicators[0].unit").text) \
        == ("≥", "30000", "人次")
    assert t.cell("indicators[0].core").text == "是"


def test_a_local_layout_with_the_value_whole_and_a_long_term_goal_is_read() -> None:
    rows = [
        ["项目支出绩效目标申报表（2021年度）"],
        ["项目名称", "坝塘镇农村道路维护", "主管部门", "宁乡市交通运输局"],
        ["实施单位", "坝塘镇人民政府", "项目属性", "延续"],
        ["资金情况", "长期资金", "资金总额", "300"],
        ["", "年度资金", "资金总额", "100"],
        ["", "", "其中：财政拨款", "100"],
        ["总体目标", "长期目标", "三年完成全镇道路养护"],
        ["", "年度目标", "完成 20 公里道路养护"],
        ["年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "备注"],
        ["", "产出指标", "数量指标", "道路养护里程", "≥20公里", ""],
        ["", "", "时效指标", "完成时间", "2021年12月底前", ""],
        ["", "满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", ""],
    ]
    grids = [grid_from_rows(rows, "local.docx")]
    assert kind_of(grids) == "target"
    found = recognise_targets(grids)
    assert len(found) == 1
    t = found[0]
    assert (t.project, t.year, t.attribute, t.goals_medium) == ("坝塘镇农村道路维护", 2021, "延续", ("三年完成全镇道路养护",))
    assert [(f.set, f.kind, f.amount) for f in t.funds] == \
        [("medium", "total", "300"), ("annual", "total", "100"), ("annual", "appropriation", "100")]
    first = t.indicators[0]
    assert (first.target, first.op, first.value, first.unit, first.level1) == ("≥20公里", "≥", "20", "公里", "产出指标")
    assert t.indicators[1].level1 == "产出指标"  # filled down
    assert (t.indicators[1].kind, t.indicators[1].target) == ("定性", "2021年12月底前")


def test_a_self_evaluation_is_not_taken_for_a_year_form() -> None:
    grids = [grid_from_rows([["项目支出绩效自评表"], ["（2022年度）"], ["项目名称", "x"]])]
    assert kind_of(grids) is None and recognise_year(grids) is None


texts = st.sampled_from(["", "项目名称", "一级指标", "三级指标", "指标值", "中期资金", "年度目标", "审核层级",
                         "1-7月执行数", "预算数", "全年目标", "年度总体目标", "经费保障", "≥95%", "确定能", "x"]) | st.text(max_size=6)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(title=st.sampled_from(["项目支出绩效目标申报表", "项目支出绩效运行监控表"]),
       rows=st.lists(st.lists(texts, min_size=0, max_size=8), max_size=14))
def test_any_grid_is_read_without_an_exception(title: str, rows: list[list[str]]) -> None:
    result = recognise_year([grid_from_rows([[title], *rows])])
    assert result is not None
    kind, forms = result
    assert kind in ("target", "monitor")
    for form in forms:  # whatever is read is a valid record
        module = target if kind == "target" else monitor
        assert module.from_record(module.to_record(form)) == form  # type: ignore[arg-type,attr-defined]
