"""The year's other forms — 绩效目标申报表, 运行监控表, 部门整体支出绩效自评表 — in the layouts provinces publish
(issue 9): forms the project has never seen, built by tests/formats/year_variants.py (titles with their year
anywhere, header labels and captions reworded, "label：value" headers, fund rows by source, goals as caption rows
or label rows, indicators whole or split into 指标性质 | 指标值 | 度量单位, optional columns left out, level labels
merged or repeated, 偏差原因 in five columns or one, blanks, blank rows and columns, title, unit and note rows),
written to html, xlsx and docx and read back.

Each variant must be found, read back cell for cell as its record and, being consistent, get no error-level
finding from its kind's checks; with one error planted, exactly that error.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
import variants
import year_variants
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.cli import main

EXAMPLES = int(os.environ.get("VARIANTS", "40"))
KINDS = st.sampled_from(year_variants.KINDS)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=KINDS, rng=st.randoms(use_true_random=False))
def test_a_variant_of_a_year_form_is_found_read_back_cell_for_cell_and_checks_without_error(
        kind: str, rng: random.Random) -> None:
    layout = year_variants.variant(kind, rng)
    for fmt in variants.FORMATS:
        forms = year_variants.read(variants.write(layout, fmt), fmt, kind)
        assert len(forms) == 1, (fmt, layout.changes)
        want, got = variants.leaves(layout.record), variants.leaves(year_variants.record_of(kind, forms[0]))
        assert {k: (want.get(k), got.get(k)) for k in want | got if got.get(k) != want.get(k)} == {}, \
            (fmt, layout.changes)
        assert year_variants.errors(layout, forms[0]) == [], (fmt, layout.changes)


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=KINDS, rng=st.randoms(use_true_random=False), fmt=st.sampled_from(variants.FORMATS))
def test_a_variant_with_one_planted_error_gets_exactly_that_error(kind: str, rng: random.Random, fmt: str) -> None:
    """T01 (年度资金总额 ≠ its sources), M01 (执行率 ≠ 执行数 ÷ 预算数), D01 (a fund row's 执行率) or D04 (自评总分 ≠ the
    scores' sum), planted in the cell and in the record alike."""
    layout = year_variants.variant(kind, rng)
    code = year_variants.plant(layout, rng)
    (form,) = year_variants.read(variants.write(layout, fmt), fmt, kind)
    assert year_variants.record_of(kind, form) == layout.record, layout.changes
    assert year_variants.errors(layout, form) == [code], layout.changes


@settings(max_examples=EXAMPLES // 4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=KINDS, count=st.integers(2, 3), rng=st.randoms(use_true_random=False),
       where=st.sampled_from((("html", False), ("docx", False), ("xlsx", False), ("xlsx", True))))
def test_every_form_of_a_document_of_several_variants_of_a_kind_is_found_and_read(
        kind: str, count: int, rng: random.Random, where: tuple[str, bool]) -> None:
    """Forms one after the other: tables of a Word file or a web page, stacked on one sheet or one sheet each."""
    layouts = [year_variants.variant(kind, rng) for _ in range(count)]
    fmt, sheets = where
    forms = year_variants.read(variants.write(layouts, fmt, sheets), fmt, kind)
    assert [year_variants.record_of(kind, f) for f in forms] == [x.record for x in layouts], \
        [x.changes for x in layouts]


@pytest.mark.parametrize("seed", range(6))
def test_a_department_form_that_prints_no_profile_is_scored_by_the_profile_its_columns_are(seed: int) -> None:
    """No 评分规则 row (no province prints jixiao's): level-1 and level-2 columns are dept-53's template, 计量单位 and
    指标性质 without them dept-10style's."""
    rng = random.Random(f"profile-{seed}")
    while True:
        layout = year_variants.dept_layout(rng)
        captions = {c.text for c in layout.cells}
        if "评分规则" not in "".join(captions) and ("一级指标" in captions or "指标性质" in captions):
            break
    (form,) = year_variants.read(variants.write(layout, "html"), "html", "dept")
    assert form.profile == "" and form.profile_name == layout.profile, layout.changes  # type: ignore[attr-defined]


def test_jixiao_check_names_each_kind_and_the_command_that_checks_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder with a declaration, a monitoring form and a department-wide form in provinces' layouts: none is
    said to have no table with 项目名称; each is named with the command that checks it."""
    for n, kind in enumerate(year_variants.KINDS):
        layout = year_variants.variant(kind, random.Random(f"check-{kind}"))
        fmt = variants.FORMATS[n]
        (tmp_path / f"{kind}.{fmt}").write_bytes(variants.write(layout, fmt))
    assert main(["check", str(tmp_path), "--format", "json", "--jobs", "1"]) == 2
    problems = {Path(p["file"]).stem: p["message"] for p in json.loads(capsys.readouterr().out)["problems"]}
    assert set(problems) == set(year_variants.KINDS)
    assert not any("项目名称" in m for m in problems.values()), problems
    assert "这是绩效目标申报表" in problems["target"] and "jixiao year check" in problems["target"]
    assert "这是运行监控表" in problems["monitor"] and "jixiao year check" in problems["monitor"]
    assert "这是部门整体支出绩效自评表" in problems["dept"] and "jixiao dept" in problems["dept"]


def test_jixiao_dept_scores_a_province_s_layout_by_its_profile(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A 重庆-style form (no level columns, 计量单位 and 指标性质, no 评分规则) with its total one point off: D04."""
    rng = random.Random("cli")
    while True:
        layout = year_variants.dept_layout(rng)
        captions = {c.text for c in layout.cells}
        if layout.profile == "dept-10style" and "评分规则" not in "".join(captions) and "指标性质" in captions:  # type: ignore[attr-defined]
            break
    assert year_variants.plant(layout, rng, "D04") == "D04"
    path = tmp_path / "重庆.docx"
    path.write_bytes(variants.write(layout, "docx"))
    assert main(["dept", str(path)]) == 1
    out = capsys.readouterr().out
    assert "评分规则 dept-10style" in out and "错误 D04" in out, out


def test_a_department_wide_target_table_is_read_as_a_target_of_its_department() -> None:
    """湖南 2023 整体绩效目标表 (docs/cycle.md §2.4, Yueyang-2023-dept): 部门(单位)名称, 部门(单位)职责, 年度总体绩效目标,
    then 一级 | 二级 | 三级 | 指标值类型 | 指标值 | 计量单位 | 指标解释 | 评(扣)分标准 | 备注."""
    from jixiao.formats.grid import grid_from_rows
    from jixiao.formats.year import kind_of, recognise_targets

    rows = [["岳阳楼区价格认证鉴定中心2023年度整体绩效目标表"], ["部门(单位)名称", "岳阳楼区价格认证鉴定中心"],
            ["部门(单位)职责", "负责涉案财物价格认定工作。"], ["年度总体绩效目标", "全年完成价格认定案件 300 件。"],
            ["一级指标", "二级指标", "三级指标", "指标值类型", "指标值", "计量单位", "指标解释", "评(扣)分标准", "备注"],
            ["产出指标", "数量指标", "价格认定案件数", "定量", "≥300", "件", "全年办结案件数", "每少 10 件扣 1 分", ""],
            ["满意度指标", "服务对象满意度", "委托机关满意度", "定性", "满意", "", "问卷", "", ""]]
    grids = [grid_from_rows(rows)]
    assert kind_of(grids) == "target"
    (target,) = recognise_targets(grids)
    assert (target.department, target.year, target.goals_annual) == \
        ("岳阳楼区价格认证鉴定中心", 2023, ("全年完成价格认定案件 300 件。",))
    assert dict(target.narratives) == {"functions": "负责涉案财物价格认定工作。"}
    first, second = target.indicators
    assert (first.name, first.target, first.kind, first.unit, first.standard) == \
        ("价格认定案件数", "≥300件", "定量", "件", "每少 10 件扣 1 分")
    assert (second.level2, second.target, second.kind) == ("服务对象满意度", "满意", "定性")


@settings(max_examples=EXAMPLES // 4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(year_variants.KINDS), rng=st.randoms(use_true_random=False),
       where=st.sampled_from((("html", False), ("docx", False), ("xlsx", False), ("xlsx", True))))
def test_a_document_of_a_declaration_a_monitoring_form_and_a_department_form_gives_each_to_its_reader(
        order: list[str], rng: random.Random, where: tuple[str, bool]) -> None:
    """One file with the three kinds one after the other: the 申报表 and the 监控表 are read by `jixiao year check`,
    the 部门整体 form by `jixiao dept`, none swallowing the rows of another."""
    from jixiao.year_services import read_year

    layouts = {kind: year_variants.variant(kind, rng) for kind in order}
    fmt, sheets = where
    data = variants.write([layouts[k] for k in order], fmt, sheets)
    batch = read_year([(f"forms.{fmt}", data)])
    assert [year_variants.record_of("target", t) for t in batch.targets] == [layouts["target"].record]
    assert [year_variants.record_of("monitor", m) for m in batch.monitors] == [layouts["monitor"].record]
    assert [year_variants.record_of("dept", d) for d in year_variants.read(data, fmt, "dept")] == \
        [layouts["dept"].record]
