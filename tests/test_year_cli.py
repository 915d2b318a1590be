"""`jixiao year check|convert` on real files, and `jixiao check` telling a declaration from a self-evaluation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "core"))
from year_helpers import load, patched

from jixiao.cli import main
from jixiao.core import monitor, target
from jixiao.reports.year import write_monitors, write_targets


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    bad = patched(load("target_clean.toml"), {"set": {"funds.annual[0].amount": "120"}})
    t, m = tmp_path / "申报表.docx", tmp_path / "监控表.xlsx"
    write_targets([target.from_record(bad)], t)
    late = patched(load("monitor_clean.toml"), {"set": {
        "funds[0].executed": "40", "funds[0].rate": "40%", "funds[1].executed": "36", "funds[1].rate": "40%",
        "funds[2].executed": "4", "funds[2].rate": "40%"}})
    write_monitors([monitor.from_record(late)], m)
    return t, m


def test_year_check_reports_t_and_m_findings(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["year", "check", *map(str, files), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1  # T01 is an error
    assert [(f["kind"], sorted({x["code"] for x in f["findings"]})) for f in report["forms"]] == \
        [("target", ["T01"]), ("monitor", ["M04", "M11"])]


def test_year_check_text_names_the_form_and_the_finding(files: tuple[Path, Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    main(["year", "check", str(files[1])])
    out = capsys.readouterr().out
    assert "运行监控表 公共法律服务平台运行维护" in out and "M04" in out and "低于序时进度" in out


def test_year_convert_writes_the_records(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert main(["year", "convert", str(files[0]), "-o", str(out)]) == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [r["schema"] for r in records] == ["jixiao.target/1"]
    assert records[0]["funds"]["annual"][0]["amount"] == "120"


def test_self_evaluation_check_says_what_a_declaration_is(files: tuple[Path, Path],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(files[0])]) == 2
    assert "这是绩效目标申报表，不是自评表" in capsys.readouterr().out


def test_year_check_of_a_file_without_such_forms_is_a_problem(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "other.txt"
    path.write_text("项目名称\t某项目\n", encoding="utf-8")
    assert main(["year", "check", str(path)]) == 2
    assert "没有找到绩效目标申报表或运行监控表" in capsys.readouterr().out
