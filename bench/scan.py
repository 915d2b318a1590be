"""Benchmark: how well and how fast scanned forms are read (formats/scan.py).

Each sample PDF (tests/fixtures/samples) is "scanned" the way issue 14 describes: rasterised at
150 and 300 dpi (pypdfium2, as pdftoppm does), then as it is, and turned by +2° and −2° and saved
as JPEG at quality 60. Each scan is read by jixiao as any PDF is, and every cell of the records it
gives is compared with the records of the original (text-layer) PDF, form by form:
  cells      share of the original's non-empty cells read right (whitespace ignored)
  numbers    cells holding a number read wrong, and of those how many the reader marked as
             uncertain (O01) or a check caught on the same row (an error or warning finding)
  pages/s    pages per second of wall time, and CPU seconds per page (2 cores; onnxruntime uses both)
Targets: ≥ 97 % of cells at 300 dpi, ≥ 93 % at 150 dpi, every wrong number marked or caught,
≤ 3 s per page at 300 dpi.
Usage: python bench/scan.py [--samples seed,mof2020-a,mof2020-b] [--dpi 150,300] [--conditions plain,+2,-2]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from machine_info import describe

from jixiao import services
from jixiao.core.model import to_record
from jixiao.formats.scan import simulate_scan

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "samples"
CONDITIONS = {"plain": (0.0, None), "+2": (2.0, 60), "-2": (-2.0, 60)}  # angle, JPEG quality
NUMBER = re.compile(r"\d")


def cells(record: dict, prefix: str = "") -> dict[str, str]:
    """Every text of a record by its path (funds[0].executed, indicators[3].score, …)."""
    out: dict[str, str] = {}
    if isinstance(record, dict):
        for key, value in record.items():
            if key in ("schema", "uncertain"):
                continue
            out.update(cells(value, f"{prefix}.{key}" if prefix else key))
    elif isinstance(record, list):
        for n, value in enumerate(record):
            out.update(cells(value, f"{prefix}[{n}]"))
    elif record is not None:
        out[prefix] = "".join(str(record).split())
    return out


def compare(original: list, scanned: list) -> tuple[int, int, int, int]:
    """(cells, right, wrong numbers, wrong numbers marked or caught) over the forms, in order."""
    total = right = wrong_numbers = caught = 0
    for n, (orig, scan) in enumerate(zip(original, scanned, strict=False)):
        want, got = cells(to_record(orig.form)), cells(to_record(scan.form))
        flagged_rows = {u.row for u in scan.form.uncertain}
        flagged_rows |= {f.location.row for f in scan.findings if f.severity.value in ("error", "warning")}
        for path, text in want.items():
            if not text:
                continue
            total += 1
            if got.get(path, "") == text:
                right += 1
            elif NUMBER.search(text):
                wrong_numbers += 1
                caught += _row_of(scan.form, path) in flagged_rows
        del n
    for orig in original[len(scanned):]:  # forms the scan lost count as wrong
        total += sum(1 for t in cells(to_record(orig.form)).values() if t)
    return total, right, wrong_numbers, caught


def _row_of(form, path: str) -> int | None:
    match = re.match(r"(funds|indicators)\[(\d+)\]", path)
    if not match:
        return None
    rows = form.funds if match.group(1) == "funds" else form.indicators
    index = int(match.group(2))
    return rows[index].row if index < len(rows) else None


def evaluations(data: bytes, name: str) -> list:
    batch = services.read_upload(data, name)
    return services.evaluate_batch(batch.forms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", default="seed,mof2020-a,mof2020-b")
    parser.add_argument("--dpi", default="150,300")
    parser.add_argument("--conditions", default="plain,+2,-2")
    args = parser.parse_args()
    print(describe())
    print(f"{'sample':<11} {'dpi':>4} {'cond':>5} {'forms':>7} {'cells':>14} {'numbers wrong/caught':>21} "
          f"{'pages/s':>8} {'cpu s/page':>10} {'wall s/page':>11}")
    summary: dict[int, list[int]] = {}
    for sample in args.samples.split(","):
        pdf = (SAMPLES / f"{sample}.pdf").read_bytes()
        original = evaluations(pdf, f"{sample}.pdf")
        for dpi in (int(d) for d in args.dpi.split(",")):
            for condition in args.conditions.split(","):
                angle, quality = CONDITIONS[condition]
                scan = simulate_scan(pdf, dpi, angle, quality)
                pages = scan.count(b"/Type /Page\n") or scan.count(b"/Type /Page") - scan.count(b"/Type /Pages")
                wall, cpu = time.perf_counter(), time.process_time()
                scanned = evaluations(scan, f"{sample}-{dpi}dpi{condition}.pdf")
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                total, right, wrong, caught = compare(original, scanned)
                acc = summary.setdefault(dpi, [0, 0, 0, 0])
                for i, v in enumerate((total, right, wrong, caught)):
                    acc[i] += v
                print(f"{sample:<11} {dpi:>4} {condition:>5} {len(scanned):>3}/{len(original):<3} "
                      f"{right:>5}/{total:<5} {right / max(total, 1):>6.1%} {wrong:>12}/{caught:<8} "
                      f"{pages / wall:>8.2f} {cpu / pages:>10.2f} {wall / pages:>11.2f}", flush=True)
    for dpi, (total, right, wrong, caught) in sorted(summary.items()):
        target = 0.97 if dpi >= 300 else 0.93
        print(f"{dpi} dpi: {right / max(total, 1):.1%} of {total} cells right (target {target:.0%}); "
              f"{wrong} numbers wrong, {caught} of them marked or caught")


if __name__ == "__main__":
    main()
