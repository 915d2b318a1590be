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
