"""The service functions the CLI and the web app share."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jixiao import services
from jixiao.core.model import from_record

SAMPLES = Path(__file__).parent / "fixtures" / "samples"


def test_a_named_profile_is_loaded_once_for_a_whole_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    forms = [from_record(r) for r in json.loads((SAMPLES / "seed.json").read_text(encoding="utf-8"))]
    calls: list[str] = []
    real = services.load_profile

    def counting(name: str):  # type: ignore[no-untyped-def]
        calls.append(name)
        return real(name)

    monkeypatch.setattr(services, "load_profile", counting)
    evaluations = services.evaluate_batch(forms, "local-2019")
    assert calls == ["local-2019"]
    assert {e.profile.name for e in evaluations} == {"local-2019"} and len(evaluations) == 11


def test_severity_counts_match_the_report_summary() -> None:
    forms = [from_record(r) for r in json.loads((SAMPLES / "seed.json").read_text(encoding="utf-8"))]
    evaluations = services.evaluate_batch(forms)
    summary = services.check_report(evaluations)["summary"]
    counts = services.severity_counts(evaluations)
    assert {s.value: n for s, n in counts.items()} == {k: summary[k] for k in ("error", "warning", "info")}
    assert counts[services.Severity.ERROR] == 3


def test_findings_come_errors_first_then_by_code_then_by_place() -> None:
    """A form cut short and with stray text: S01 in the form's block order, S02 in reading order."""
    from jixiao.core.model import Form, Source

    form = Form(project="", source=Source(file="a.txt"), unplaced=("第3行：甲", "第9行：乙", "第5行：丙"))
    findings = services.evaluate(form).findings
    assert [(f.code, f.location.block) for f in findings if f.code == "S01"] == [
        ("S01", "header"), ("S01", "funds"), ("S01", "indicators"), ("S01", "total")]
    assert [f.found for f in findings if f.code == "S02"] == ["第3行：甲", "第9行：乙", "第5行：丙"]
    ranks = [-f.severity.rank for f in findings]
    assert ranks == sorted(ranks)
    for rank in set(ranks):
        codes = [f.code for f in findings if -f.severity.rank == rank]
        assert codes == sorted(codes)
    seed = [from_record(r) for r in json.loads((SAMPLES / "seed.json").read_text(encoding="utf-8"))]
    for e in services.evaluate_batch(seed):
        keys = [(-f.severity.rank, f.code) for f in e.findings]
        assert keys == sorted(keys)
        for code in {f.code for f in e.findings}:  # one code's findings go down the form
            rows = [f.location.row or 0 for f in e.findings if f.code == code and f.location.block == "indicators"]
            assert rows == sorted(rows)
