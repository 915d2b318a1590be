"""The department-wide form written as xlsx, docx and pdf and read back to the same record; its schema."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.dept import DeptForm, DeptIndicator, to_record
from jixiao.dept_files import builtin_dept_profiles
from jixiao.dept_services import demo_dept_form
from jixiao.formats import ReadError
from jixiao.formats.dept import read_dept, recognise_dept
from jixiao.formats.grid import Cell, Grid
from jixiao.reports.dept import build_dept_layout, write_dept

PROFILES = builtin_dept_profiles()


@cache
def demo() -> DeptForm:
    return demo_dept_form()


def round_trip(form: DeptForm, profile: str, path: Path) -> tuple[DeptForm, str]:
    write_dept(form, PROFILES[profile], path)
    (found,) = read_dept(path.read_bytes(), path.name, PROFILES)
    return found.form, found.profile


@pytest.mark.parametrize("ext", ["xlsx", "docx", "pdf"])
def test_the_demo_department_form_reads_back_to_the_same_record(ext: str, tmp_path: Path) -> None:
    form, profile = round_trip(demo(), "dept-53", tmp_path / f"部门整体.{ext}")
    assert to_record(form) == to_record(demo())
    assert profile == "dept-53"


def test_the_current_layout_reads_back_too(tmp_path: Path) -> None:
    form = replace(demo(), indicators=tuple(replace(i, level1="", level2="", unit="%", nature="定量")
                                            for i in demo().indicators))
    back, profile = round_trip(form, "dept-10style", tmp_path / "dept.xlsx")
    assert profile == "dept-10style"
    assert to_record(back) == to_record(form)


def test_the_layout_prints_the_profile_captions_and_keys() -> None:
    layout = build_dept_layout(demo(), PROFILES["dept-53"])
    assert layout.cell("total").text == "95.59"
    assert layout.cell("indicators[9].coefficient").text == "94.74%"
    assert layout.cell("profile").text == "部门整体支出绩效自评表（53号框架）"  # its title, not the program's name
    captions = [c.text for c in layout.cells if c.role == "caption"]
    assert "部门预算执行情况（万元）" in captions and "是否核心指标" in captions


def test_a_file_without_a_department_form_is_refused_in_chinese(tmp_path: Path) -> None:
    seed = resources.files("jixiao") / "data" / "seed.txt"
    with pytest.raises(ReadError, match="未找到部门整体支出绩效自评表"):
        read_dept(seed.read_bytes(), "seed.txt", PROFILES)


def test_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="不支持的输出格式"):
        write_dept(demo(), PROFILES["dept-53"], tmp_path / "x.odt")
    assert not list(tmp_path.iterdir())


def test_the_demo_record_is_valid_under_the_schema() -> None:
    text = resources.files("jixiao.schema").joinpath("jixiao.dept-self-1.schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    jsonschema.validate([to_record(demo())], schema)
    bad = to_record(demo())
    bad["funds"][0]["kind"] = "carryover"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([bad], schema)


def test_the_schema_has_every_key_of_the_record() -> None:
    text = resources.files("jixiao.schema").joinpath("jixiao.dept-self-1.schema.json").read_text(encoding="utf-8")
    form = json.loads(text)["$defs"]["form"]
    record = to_record(replace(demo(), indicators=(DeptIndicator("x"),)))
    assert form["required"] == list(record)
    assert form["properties"]["indicators"]["items"]["required"] == list(record["indicators"][0])


_texts = st.sampled_from(["", "部门整体支出绩效自评表", "（2019年度）", "主管部门", "资金类别", "年初预算数", "绩效指标",
                          "一级指标", "二级指标", "三级指标", "评分规则", "dept-53", "当年绩效目标", "95", "≥90%", "x\ny"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(_texts, st.integers(1, 3)), max_size=8), max_size=30))
def test_the_recogniser_never_fails_on_any_grid(rows: list[list[tuple[str, int]]]) -> None:
    grid_rows = []
    for r, row in enumerate(rows):
        col, cells = 0, []
        for text, span in row:
            cells.append(Cell(text, r, col, 1, span))
            col += span
        grid_rows.append(tuple(cells))
    for found in recognise_dept([Grid(grid_rows)], PROFILES):
        assert isinstance(to_record(found.form), dict)
