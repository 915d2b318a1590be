"""Benchmark: thousands of mutated real files through every reader, and what the readers did with them.

Each case is a real sample (tests/fixtures) mutated by tests/formats/mutations.py — bytes flipped,
cut short, a zip member damaged/removed/renamed, a span or index blown up, nesting deepened — and
read as the batch reads it (registry → reader → recogniser). Printed:
  cases          mutated files read, per format and in all (target ≥ 5,000)
  tracebacks     exceptions other than the one read-error type that escaped (target 0)
  hangs          reads over the time limit (target 0); a read is also stopped at the limit by an alarm
  peak memory    the process's peak resident size (target ≤ 300 MB)
  silent losses  mutated files that gave fewer forms than their original with no problem reported, no
                 read problem and no S01 finding (0); a file cut exactly between two forms, whose forms
                 read are whole and equal to the original's, is counted apart (it is a whole shorter file)
  slowest        the slowest read and its case
The cases come from --seed, so a run can be replayed; failures print their case so it can be rerun.
Usage: python bench/fuzz.py [--cases 5000] [--seed 16] [--limit 10] [--formats docx,html,...]
"""

from __future__ import annotations

import argparse
import random
import resource
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "formats"))

from machine_info import describe
from mutations import KINDS, SAMPLES, Verdict, judge, mutate, original_forms, sample

# LibreOffice takes a second or two per file: the office reader gets a share of the cases, not an equal one.
WEIGHTS = {"docx": 6, "xlsx": 6, "xls": 5, "pdf": 3, "html": 6, "text": 5, "office": 0.15}


class Hang(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--limit", type=float, default=20.0, help="seconds one read may take (a shared machine is slow)")
    parser.add_argument("--formats", default=",".join(SAMPLES))
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f in SAMPLES]
    rng = random.Random(args.seed)
    signal.signal(signal.SIGALRM, _alarm)
    print(describe())
    weights = [WEIGHTS[f] for f in formats]
    counts: Counter[str] = Counter()
    tracebacks: list[str] = []
    hangs: list[str] = []
    losses: list[str] = []
    named = Counter[str]()
    clean_cuts = 0
    slowest = (0.0, "")
    started = time.perf_counter()
    for n in range(args.cases):
        fmt = rng.choices(formats, weights)[0]
        path = rng.choice(SAMPLES[fmt])
        kind = rng.choice(KINDS)
        a, b, c = rng.randrange(1 << 20), rng.randrange(1 << 10), rng.randrange(1 << 10)
        case = f"#{n} {fmt} {path} {kind}({a}, {b}, {c})"
        data = mutate(sample(path), kind, a, b, c)
        name = path.rsplit("/", 1)[-1]
        original = original_forms(path)
        signal.setitimer(signal.ITIMER_REAL, args.limit * 3)
        try:
            verdict = judge(data, name)
        except Hang:
            verdict = Verdict(args.limit * 3, 0, (), None)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        counts[fmt] += 1
        if verdict.seconds > slowest[0]:
            slowest = (verdict.seconds, case)
        if verdict.error is not None:
            tracebacks.append(f"{case}: {verdict.error!r}")
        elif verdict.seconds > args.limit:
            hangs.append(f"{case}: {verdict.seconds:.1f} s")
        elif verdict.lost_forms(original) and verdict.cut_between_forms(path, kind):
            clean_cuts += 1
        elif verdict.lost_forms(original):
            losses.append(f"{case}: {verdict.forms} of {original} forms, no problem reported")
        elif verdict.problems:
            named[fmt] += 1
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"cases: {sum(counts.values())} ({', '.join(f'{f} {counts[f]}' for f in formats)}) in {elapsed:.0f} s")
    print(f"named with a problem: {sum(named.values())} ({', '.join(f'{f} {named[f]}' for f in formats)})")
    print(f"tracebacks: {len(tracebacks)}")
    print(f"hangs over {args.limit:.0f} s: {len(hangs)}")
    print(f"peak memory: {peak:.0f} MB resident")
    print(f"silent losses: {len(losses)}")
    print(f"cut exactly between two forms (whole forms read, nothing of the rest left; not a loss): {clean_cuts}")
    print(f"slowest read: {slowest[0]:.2f} s ({slowest[1]})")
    for line in [*tracebacks, *hangs, *losses][:40]:
        print("  " + line)


if __name__ == "__main__":
    main()
