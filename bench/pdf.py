"""How long one form's PDF takes to write: the first (the font prepared once per process) and the next ones.

    PYTHONPATH=src python bench/pdf.py [--forms 5]

Issue 10 asks for ≤ 300 ms per form after the first. Prints each time and the median of the later ones.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine_info import describe

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=5, help="how many of the seed's forms to write, one PDF each")
    args = parser.parse_args()
    from jixiao import reports, services

    evaluations = services.evaluate_batch(services.read_paths([ROOT / "src" / "jixiao" / "data" / "seed.txt"]).forms)
    chosen = (evaluations * (1 + args.forms // len(evaluations)))[: args.forms]
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for n, ev in enumerate(chosen, 1):
            start = time.perf_counter()
            reports.write_forms([ev.form], Path(folder) / f"{n}.pdf", evaluations=[ev])
            times.append(time.perf_counter() - start)
            print(f"PDF {n}（{ev.form.project}）：{times[-1] * 1000:.0f} ms")
    later = times[1:] or times
    print(f"第一张 {times[0] * 1000:.0f} ms；之后中位数 {statistics.median(later) * 1000:.0f} ms（目标 ≤ 300 ms）")
    print(describe())


if __name__ == "__main__":
    main()
