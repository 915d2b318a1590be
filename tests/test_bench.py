"""The benchmarks still run: each prints its figures (never judged here; speed is not a test's business)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent.parent / "bench"


def run_bench(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=BENCH, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_check_benchmark_reports_its_corpus_rate_and_memory() -> None:
    out = run_bench("check.py", "--forms", "40", "--repeat", "2")
    corpus = re.search(r"corpus: (\d+) documents, (\d+) forms", out)
    assert corpus and int(corpus[2]) >= 40 and int(corpus[2]) == 11 * int(corpus[1])  # the seed has 11 forms
    assert re.search(r"read \+ score \+ check: [\d,]+ forms/s .* best of 2 passes .* (\d+) findings", out)
    assert re.search(r"peak memory: \d+ MB resident", out)


def test_formats_benchmark_reports_reader_and_library_rates() -> None:
    out = run_bench("formats.py", "--forms", "6", "--formats", "html,docx")
    for name in ("html", "docx"):
        line = next(line for line in out.splitlines() if line.startswith(name))
        assert re.search(r"read +[\d.]+ forms/s .* read/library = [\d.]+", line), line


def test_accuracy_benchmark_prints_a_row_per_sample_and_format() -> None:
    out = run_bench("accuracy.py")
    assert "| seed | pdf |" in out and "| hubei-2021 | docx |" in out
    assert re.search(r"\| all \| \d+ files \| \d+ / \d+ \| [\d.]+% \|", out)


def test_batch_benchmark_reports_wall_cpu_rate_and_memory(tmp_path: Path) -> None:
    out = run_bench("batch.py", "--forms", "60", "--text-forms", "60", "120", "--pdf-pool", "1", "--skip", "scaling,pdf",
                    "--corpus", str(tmp_path))
    mixed = re.search(r"mixed corpus: (\d+) files \((\d+) docx, (\d+) xlsx, (\d+) pdf, (\d+) html\)", out)
    assert mixed and int(mixed[1]) == sum(int(mixed[k]) for k in range(2, 6))
    runs = re.findall(r"jixiao check --jobs 2, (mixed|text): ([\d,]+) forms, [\d.]+ s wall, [\d.]+ s CPU "
                      r"\(the parent ≈ [\d.]+ s\), .* peak memory \d+ MB over the process tree, \d+ MB the largest "
                      r"process \(exit [12]; load average [\d.]+ before, [\d.]+ after\)", out)
    assert [kind for kind, _ in runs] == ["mixed", "text", "text"], out
    assert re.search(r"peak memory from 66 to 121 text forms: \d+ → \d+ MB over the tree \([+-]\d+ MB, "
                     r"[+-]\d+ bytes per added form\)", out), out


def test_pdf_benchmark_reports_the_first_pdf_and_the_later_ones() -> None:
    out = run_bench("pdf.py", "--forms", "3", "--cold")
    assert len(re.findall(r"^PDF \d+（.+）：\d+ ms CPU$", out, re.MULTILINE)) == 3
    assert re.search(r"第一张 \d+ ms CPU；之后 2 张：中位数 \d+ ms，p95 \d+ ms（目标 ≤ 300 ms：(达到|未达到)）", out)
