"""The 运行监控表 (jixiao.monitor/1): the record, checks M01–M12 as data (year_cases/monitor_*.toml), 预警."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from year_helpers import load, params, patched

from jixiao.core.model import RecordError
from jixiao.core.monitor import from_record, from_target, to_record
from jixiao.core.monitor_checks import CODES, check_monitor, time_progress, warnings_of
from jixiao.core.target import from_record as target_from_record
from jixiao.year_files import monitor_rules, monitor_rules_for

CLEAN = load("monitor_clean.toml")
TARGET = target_from_record(load("target_clean.toml"))


def codes(record: dict[str, Any], rules: str = "monitor-national") -> set[str]:
    return {f.code for f in check_monitor(from_record(record), monitor_rules(rules), TARGET)}


def test_the_clean_monitoring_form_has_no_finding() -> None:
    assert codes(CLEAN) == set()
    assert codes(CLEAN, "monitor-sichuan") == set()


@pytest.mark.parametrize("case", params("monitor_cases.toml"))
def test_monitor_case(case: dict[str, Any]) -> None:
    found = codes(patched(CLEAN, case), case.get("rules", "monitor-national"))
    assert set(case.get("expect", [])) <= found, f"expected {case.get('expect')}, found {sorted(found)}"
    assert not set(case.get("absent", [])) & found, f"unexpected {case.get('absent')} in {sorted(found)}"


def test_every_m_code_has_a_planted_case() -> None:
    planted = {code for case in load("monitor_cases.toml")["case"] for code in case.get("expect", [])}
    assert planted == set(CODES) == {f"M{n:02d}" for n in range(1, 13)}


def test_record_round_trips() -> None:
    monitor = from_record(CLEAN)
    assert from_record(to_record(monitor)) == monitor
    assert to_record(monitor)["indicators"][0]["causes"] == dict.fromkeys(
        ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"), "")


def test_a_form_opened_from_the_target_copies_its_annual_indicators_and_funds() -> None:
    monitor = from_target(TARGET, 7)
    assert [(i.name, i.target) for i in monitor.indicators] == \
        [(i.name, i.target) for i in TARGET.indicator_set("annual")]
    assert [(f.kind, f.initial) for f in monitor.funds] == [("total", "100"), ("appropriation", "90"), ("other", "10")]
    assert (monitor.to_month, monitor.target_version, monitor.period) == (7, 1, "1-7月")
    assert "M06" not in {f.code for f in check_monitor(monitor, monitor_rules(), TARGET)}


def test_time_progress_is_the_share_of_the_year_elapsed() -> None:
    assert f"{time_progress(7) * 100:.2f}" == "58.33"
    assert time_progress(12) == 1


def test_the_checkpoint_in_force_is_the_latest_one_not_after_the_month() -> None:
    sichuan = monitor_rules_for("四川省")
    assert sichuan.name == "monitor-sichuan"
    assert sichuan.checkpoint(3) is None
    assert sichuan.checkpoint(7).rate == Decimal("0.40")  # type: ignore[union-attr]
    assert sichuan.checkpoint(12).rate == Decimal("0.80")  # type: ignore[union-attr]
    assert monitor_rules_for("内蒙古自治区").name == "monitor-national"


def test_warnings_name_execution_out_of_step_and_unlikely_targets() -> None:
    record = patched(CLEAN, {"set": {"funds[0].executed": "40", "funds[0].rate": "40%", "funds[1].executed": "36",
                                     "funds[1].rate": "40%", "funds[2].executed": "4", "funds[2].rate": "40%",
                                     "indicators[4].likelihood": "有可能"}})
    monitor = from_record(record)
    kinds = [w.kind for w in warnings_of(monitor, check_monitor(monitor, monitor_rules(), TARGET))]
    assert kinds == ["execution", "out_of_step", "unlikely"]
    assert warnings_of(from_record(CLEAN), check_monitor(from_record(CLEAN), monitor_rules(), TARGET)) == []


@pytest.mark.parametrize(("path", "value", "words"), [
    ("period.to_month", 13, "period.to_month 应为 1–12"),
    ("indicators[0].likelihood", "可能", "likelihood 应为"),
    ("indicators[0].causes", {"资金": "x"}, "causes 只能有"),
    ("funds[0].kind", "sum", "funds\\[1\\].kind"),
])
def test_a_bad_record_says_which_key(path: str, value: Any, words: str) -> None:
    with pytest.raises(RecordError, match=words):
        from_record(patched(CLEAN, {"set": {path: value}}))
