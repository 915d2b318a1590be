"""The library checks on the cases of library_cases/checks.toml: each fires on its planted case, silent on the clean."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from jixiao.core.library import Entry, Library, Use, entry_from_record
from jixiao.core.library_checks import Settings, check_with_library, evidence_for, parse_settings
from jixiao.core.model import Form, Indicator
from jixiao.core.values import parse_value

CASES = tomllib.loads((Path(__file__).parent / "library_cases" / "checks.toml").read_text(encoding="utf-8"))
SHIPPED = Path(__file__).resolve().parents[2] / "src" / "jixiao" / "data" / "library.toml"


def _settings() -> Settings:
    settings = parse_settings(SHIPPED.read_text(encoding="utf-8"))
    required = {k: tuple(v) for k, v in CASES["required_common"].items()}
    return replace(settings, required_common=required)


def _library() -> Library:
    return Library([entry_from_record(e, f"entry {n}") for n, e in enumerate(CASES["entry"], 1)])


def _uses(rows: list[dict[str, Any]], library: Library) -> list[Use]:
    uses = []
    for row in rows:
        match = library.match(row["name"])
        assert match is not None, f"case row {row['name']} matches no entry"
        uses.append(Use(match.entry.code, row["unit"], row["year"], row["project"],
                        parse_value(row["target"]), parse_value(row.get("actual", ""))))
    return uses


def _form(case: dict[str, Any]) -> Form:
    head = case["form"]
    rows = tuple(Indicator(l1, l2, name, "10", target) for l1, l2, name, target in case["indicators"])
    return Form(project=head["project"], year=head["year"], unit=head["unit"], indicators=rows)


@pytest.mark.parametrize("case", CASES["case"], ids=[c["name"] for c in CASES["case"]])
def test_library_check_case(case: dict[str, Any]) -> None:
    library = _library()
    form = _form(case)
    evidence = evidence_for(form, case["form"]["unit"], _uses(case["rows"], library))
    findings = check_with_library(form, library, evidence, _settings(), case["form"]["profile"])
    assert sorted(f.code for f in findings) == sorted(case["expect"]), [f.message for f in findings]
    for f in findings:
        assert f.message and f.project == form.project


def test_every_check_has_a_planted_and_a_clean_case() -> None:
    planted = {code for c in CASES["case"] for code in c["expect"]}
    assert planted == {"T10", "T11", "L01", "L02", "L03"}
    assert any(not c["expect"] for c in CASES["case"])


def test_findings_say_what_they_compared_with() -> None:
    library = _library()
    case = next(c for c in CASES["case"] if c["expect"] == ["T11"])
    form = _form(case)
    [finding] = check_with_library(form, library, evidence_for(form, "单位甲", _uses(case["rows"], library)),
                                   _settings(), "mof-2020")
    assert "其他 4 个单位" in finding.message and "中位数为 335件" in finding.message
    assert finding.location.index == 0 and finding.location.field == "target"
    t10 = next(c for c in CASES["case"] if c["expect"] == ["T10"])
    form = _form(t10)
    [finding] = check_with_library(form, library, evidence_for(form, "单位甲", _uses(t10["rows"], library)),
                                   _settings(), "mof-2020")
    assert "上年（2020年）" in finding.message and "320件" in finding.message


def test_settings_name_a_bad_key() -> None:
    with pytest.raises(ValueError, match=r"\[t11\] factor"):
        parse_settings("[t11]\nfactor = -1\n")
    with pytest.raises(ValueError, match="TOML"):
        parse_settings("[t11\n")
    shipped = parse_settings(SHIPPED.read_text(encoding="utf-8"))
    assert all(shipped.sources[s] for s in ("matching", "peers", "t11", "always_beaten", "required_common"))


def test_entry_not_valid_in_a_year_is_not_linked() -> None:
    entry = Entry("X", "培训人次", valid_from=2022)
    assert Library([entry]).match("培训人次", year=2021) is None
    assert Library([entry]).match("培训人次", year=2022) is not None
