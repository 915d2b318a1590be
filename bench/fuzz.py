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
Usage: python bench/fuzz.py [--cases 5000] [--seed 16] [--limit 20] [--jobs 1] [--formats docx,html,...]
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

# LibreOffice takes a second or two per file and a PDF about one: those readers get a share of the cases, not an equal one.
WEIGHTS = {"docx": 6, "xlsx": 6, "xls": 5, "pdf": 1, "html": 6, "text": 5, "delimited": 3, "ofd": 2, "office": 0.1}


class Hang(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


def case_of(seed: int, n: int, formats: list[str]) -> tuple[str, str, str, int, int, int]:
    """Case n of a run: the same for a seed whichever worker runs it."""
    rng = random.Random(f"{seed}-{n}")
    fmt = rng.choices(formats, [WEIGHTS[f] for f in formats])[0]
    return fmt, rng.choice(SAMPLES[fmt]), rng.choice(KINDS), rng.randrange(1 << 20), rng.randrange(1 << 10), rng.randrange(1 << 10)


def run_cases(job: tuple[int, list[int], list[str], float]) -> dict[str, object]:
    """Read the cases numbered, in one process; what happened, counted."""
    seed, numbers, formats, limit = job
    signal.signal(signal.SIGALRM, _alarm)
    out: dict[str, object] = {"counts": Counter(), "named": Counter(), "tracebacks": [], "hangs": [], "losses": [],
                              "clean_cuts": 0, "slowest": (0.0, "")}  # fmt: skip
    for n in numbers:
        fmt, path, kind, a, b, c = case_of(seed, n, formats)
        case = f"#{n} {fmt} {path} {kind}({a}, {b}, {c})"
        data = mutate(sample(path), kind, a, b, c)
        original = original_forms(path)
        signal.setitimer(signal.ITIMER_REAL, limit * 3)
        try:
            verdict = judge(data, path.rsplit("/", 1)[-1])
        except Hang:
            verdict = Verdict(limit * 3, 0, (), None)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        out["counts"][fmt] += 1  # type: ignore[index]
        if verdict.seconds > out["slowest"][0]:  # type: ignore[index]
            out["slowest"] = (verdict.seconds, case)
        if verdict.error is not None:
            out["tracebacks"].append(f"{case}: {verdict.error!r}")  # type: ignore[attr-defined]
        elif verdict.seconds > limit:
            out["hangs"].append(f"{case}: {verdict.seconds:.1f} s")  # type: ignore[attr-defined]
        elif verdict.lost_forms(original) and verdict.cut_between_forms(path, kind):
            out["clean_cuts"] += 1  # type: ignore[operator]
        elif verdict.lost_forms(original):
            out["losses"].append(f"{case}: {verdict.forms} of {original} forms, no problem reported")  # type: ignore[attr-defined]
        elif verdict.problems:
            out["named"][fmt] += 1  # type: ignore[index]
    out["peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--limit", type=float, default=20.0, help="seconds one read may take (a shared machine is slow)")
    parser.add_argument("--formats", default=",".join(SAMPLES))
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (peak memory is the largest worker's)")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f in SAMPLES]
    print(describe())
    jobs = [(args.seed, list(range(i, args.cases, args.jobs)), formats, args.limit) for i in range(args.jobs)]
    started = time.perf_counter()
    if args.jobs > 1:
        from multiprocessing import Pool

        with Pool(args.jobs) as pool:
            results = pool.map(run_cases, jobs)
    else:
        results = [run_cases(jobs[0])]
    elapsed = time.perf_counter() - started
    counts: Counter[str] = sum((r["counts"] for r in results), Counter())  # type: ignore[misc]
    named: Counter[str] = sum((r["named"] for r in results), Counter())  # type: ignore[misc]
    tracebacks = [t for r in results for t in r["tracebacks"]]  # type: ignore[attr-defined]
    hangs = [t for r in results for t in r["hangs"]]  # type: ignore[attr-defined]
    losses = [t for r in results for t in r["losses"]]  # type: ignore[attr-defined]
    clean_cuts = sum(r["clean_cuts"] for r in results)  # type: ignore[misc]
    slowest = max(r["slowest"] for r in results)  # type: ignore[type-var]
    peak = max(r["peak"] for r in results)  # type: ignore[type-var]
    print(f"cases: {sum(counts.values())} ({', '.join(f'{f} {counts[f]}' for f in formats)}) in {elapsed:.0f} s, {args.jobs} process(es)")
    print(f"named with a problem: {sum(named.values())} ({', '.join(f'{f} {named[f]}' for f in formats)})")
    print(f"tracebacks: {len(tracebacks)}")
    print(f"hangs over {args.limit:.0f} s: {len(hangs)}")
    print(f"peak memory: {peak:.0f} MB resident (largest worker)")
    print(f"silent losses: {len(losses)}")
    print(f"cut exactly between two forms (whole forms read, nothing of the rest left; not a loss): {clean_cuts}")
    print(f"slowest read: {slowest[0]:.2f} s ({slowest[1]})")
    for line in [*tracebacks, *hangs, *losses][:40]:
        print("  " + line)


if __name__ == "__main__":
    main()
