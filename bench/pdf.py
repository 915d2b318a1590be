"""How long one self-evaluation form's PDF takes to write, in CPU time: the first, then the next ones.

    PYTHONPATH=src python bench/pdf.py [--forms 22] [--cold]

Issue 10 asks for ≤ 300 ms per form after the first. The forms are the seed's (src/jixiao/data/seed.txt),
one PDF each, in turn. The font's TrueType glyphs are kept between runs (jixiao.reports.fonts); --cold
keeps them in a fresh folder instead, so the first PDF converts its glyphs as on a new machine.
Prints each PDF's CPU time, then the first and the median and p95 of the others, and the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine_info import describe

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
TARGET_MS = 300


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=22, help="how many PDFs to write, one form each (the seed has 11)")
    parser.add_argument("--cold", action="store_true", help="start without the kept font (a fresh cache folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.cold:
            os.environ["JIXIAO_FONT_CACHE"] = str(Path(folder) / "fonts")
        run(args.forms, Path(folder))
    print(describe())


def run(count: int, folder: Path) -> None:
    from jixiao import reports, services

    evaluations = services.evaluate_batch(services.read_paths([ROOT / "src" / "jixiao" / "data" / "seed.txt"]).forms)
    chosen = (evaluations * (1 + count // len(evaluations)))[:count]
    times = []
    for n, ev in enumerate(chosen, 1):
        start = time.process_time()
        reports.write_forms([ev.form], folder / f"{n}.pdf", evaluations=[ev])
        times.append((time.process_time() - start) * 1000)
        print(f"PDF {n}（{ev.form.project}）：{times[-1]:.0f} ms CPU")
    later = times[1:] or times
    print(f"第一张 {times[0]:.0f} ms CPU；之后 {len(later)} 张：中位数 {statistics.median(later):.0f} ms，"
          f"p95 {p95(later):.0f} ms（目标 ≤ {TARGET_MS} ms：{'达到' if p95(later) <= TARGET_MS else '未达到'}）")


if __name__ == "__main__":
    main()
