"""Property-based fuzz test of every reader, on mutated real samples (tests/formats/mutations.py).

For each reader, hypothesis draws a real sample and damages it (bytes flipped, cut short, a zip
member damaged, removed or renamed, a span or index blown up, nesting deepened), reads it as the
batch does, and asserts the readers' contract: no exception escapes but the one read-error type,
whose message is Chinese; the read ends within its time limit; and the file is either read whole
or named with a reason (a read problem, or an S01 "form incomplete" finding), never partly read in
silence. (A file cut exactly between two forms, whose forms read are whole and the same as the
original's, is a whole file of fewer forms: no reader can tell, and it is not counted as a loss.) Examples are derandomized (the same cases on every run) and few per reader, a few
seconds each in all; bench/fuzz.py runs thousands.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from mutations import KINDS, SAMPLES, contract_broken, judge, mutate, sample

# One read's limit: the slowest sample reads in about a second on an idle core; a hang is minutes or
# forever, and a machine shared by many jobs may be ten times slower than idle.
SECONDS = 30.0
EXAMPLES = {"docx": 40, "xlsx": 25, "xls": 40, "pdf": 5, "html": 60, "text": 60, "delimited": 60, "ofd": 40, "office": 1}
SLOW = {"pdf", "office"}  # no shrinking: one example of these takes a second or more


@st.composite
def mutated(draw: st.DrawFn, fmt: str) -> tuple[str, str, int, int, int]:
    """A sample and a mutation of it (the file is made from these in the test, so a failure prints them)."""
    path = draw(st.sampled_from(SAMPLES[fmt]))
    kind = draw(st.sampled_from(KINDS))
    a, b, c = (draw(st.integers(0, 1 << 20)) for _ in range(3))
    return path, kind, a, b, c


def _fuzz(fmt: str) -> None:
    @settings(
        max_examples=EXAMPLES[fmt],
        deadline=timedelta(seconds=SECONDS * 2),
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        phases=[Phase.explicit, Phase.generate] if fmt in SLOW else list(Phase),
    )
    @given(case=mutated(fmt))
    def run(case: tuple[str, str, int, int, int]) -> None:
        path, kind, a, b, c = case
        data = mutate(sample(path), kind, a, b, c)
        verdict = judge(data, path.rsplit("/", 1)[-1])
        broken = contract_broken(verdict, path, kind, SECONDS)
        assert not broken, f"{fmt} {path}: {broken}"

    run()


@pytest.mark.parametrize("fmt", ["docx", "xls", "html", "text", "delimited", "ofd"])
def test_a_damaged_file_is_read_or_named_never_crashes_hangs_or_loses_forms_in_silence(fmt: str) -> None:
    _fuzz(fmt)


@pytest.mark.xfail(
    reason="xlsx.py (h15-batch, issue 16 point 7 for xlsx) reads 1 of mof2020-a's 2 forms when a worksheet part "
    "is damaged or missing and reports nothing; bench/fuzz.py lists the cases",
    strict=False,
)
def test_the_xlsx_reader_keeps_the_same_contract() -> None:
    _fuzz("xlsx")


@pytest.mark.xfail(
    reason="pdf.py (being rewritten on h15-batch, issue 16 point 7 for PDF) reads 1 of mof2020-a's 2 forms from "
    "a PDF with one flipped byte and reports nothing; bench/fuzz.py lists the cases",
    strict=False,
)
def test_the_pdf_reader_keeps_the_same_contract() -> None:
    _fuzz("pdf")


def test_the_office_reader_keeps_the_same_contract() -> None:
    from jixiao.formats.office import soffice

    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    _fuzz("office")
