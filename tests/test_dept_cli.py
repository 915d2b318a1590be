"""`jixiao dept` and `jixiao report` on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.cli import main
from jixiao.core.dept import from_record, to_record
from jixiao.dept_files import builtin_dept_profiles
from jixiao.dept_services import demo_dept_form
from jixiao.reports.dept import write_dept

SEED = Path(__file__).parents[1] / "src" / "jixiao" / "data" / "seed.txt"


def test_dept_reads_scores_checks_and_converts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = to_record(demo_dept_form())
    record["total"] = "97"
    source = tmp_path / "部门整体.xlsx"
    write_dept(from_record(record), builtin_dept_profiles()["dept-53"], source)
    out = tmp_path / "dept.json"
    assert main(["dept", str(source), "-o", str(out)]) == 1  # D04 is an error
    printed = capsys.readouterr().out
    assert "鄂尔多斯市司法局（2019年度）评分规则 dept-53" in printed and "错误 D04" in printed
    assert '"schema": "jixiao.dept-self/1"' in out.read_text(encoding="utf-8")


def test_dept_says_what_is_wrong_with_a_file_without_the_form(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dept", str(SEED)]) == 2
    assert "未找到部门整体支出绩效自评表" in capsys.readouterr().err


def test_report_writes_one_report_per_seed_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(SEED), "-o", str(tmp_path / "自评报告.docx")]) == 0
    assert len(list(tmp_path.glob("自评报告-*.docx"))) == 11
    assert "N01" in capsys.readouterr().out


def test_check_says_a_department_wide_form_is_one_and_names_jixiao_dept(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """It said 没有含“项目名称”的表格 of one (issue 9, a Chongqing 部门整体 form)."""
    source = tmp_path / "部门整体.docx"
    write_dept(demo_dept_form(), builtin_dept_profiles()["dept-10style"], source)
    assert main(["check", str(source)]) == 2
    out = capsys.readouterr().out
    assert "这是部门整体支出绩效自评表" in out and "jixiao dept" in out and "项目名称" not in out
