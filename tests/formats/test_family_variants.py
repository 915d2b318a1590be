"""The template families in the layouts their publications vary in (issue 9): forms the project has never
seen, built from each family's sample by tests/formats/variants.py (header-word synonyms, brackets, blanks
and line breaks in captions, merged label cells, blank columns and rows, title, unit and note rows, amounts
with separators or units, the weight column moved), written to html, xlsx and docx and read back.

Each variant must read back cell for cell as its record, be checked under its family's profile, and, being
consistent, get no error-level finding.
"""

from __future__ import annotations

import random
import tomllib

import variants
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao import services
from jixiao.core.findings import Severity
from jixiao.core.model import Form, to_record
from jixiao.formats.layout import recognise
from jixiao.formats.registry import read_grids

CASES = tomllib.loads((variants.TEMPLATES / "cases.toml").read_text(encoding="utf-8"))["case"]
PROFILE = {case["family"]: case["profile"] for case in CASES}
FAMILIES = variants.families()


def _forms(layout: variants.Layout, fmt: str) -> list[Form]:
    return recognise(read_grids(variants.write(layout, fmt), f"variant.{fmt}"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(family=st.sampled_from(FAMILIES), rng=st.randoms(use_true_random=False))
def test_a_family_s_variant_reads_back_cell_for_cell_and_checks_without_error(
        family: str, rng: random.Random) -> None:
    layout = variants.variant(family, rng)
    for fmt in variants.FORMATS:
        forms = _forms(layout, fmt)
        assert [to_record(f) for f in forms] == [layout.record], (fmt, layout.changes)
        evaluation = services.evaluate(forms[0])
        assert evaluation.profile.name == PROFILE[family], (fmt, layout.changes, evaluation.reason)
        errors = [f.message for f in evaluation.findings if f.severity is Severity.ERROR]
        assert errors == [], (fmt, layout.changes)
