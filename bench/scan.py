"""Benchmark: how well and how fast scanned forms are read (formats/scan.py).

Each sample PDF (tests/fixtures/samples) is "scanned" the way issue 14 describes: rasterised at
150 and 300 dpi (pypdfium2, as pdftoppm does), then as it is, and turned by +2° and −2° and saved
as JPEG at quality 60. Each scan is read by jixiao as any PDF is, and every cell of the records it
gives is compared with the records of the original (text-layer) PDF, form by form:
  cells      share of the original's non-empty cells read right (whitespace ignored)
  numbers    cells of a number read wrong — the amounts, rates, weights, targets, actual values and
             scores of the fund and indicator rows, the total and the category points, where the
             original holds a digit (a digit in a text, "指标1：…" or a goal's "1、", is text) — and of
             those how many the reader marked as uncertain (O01, O02) or a check caught on the same
             row (an error or warning finding)
  pages/s    pages per second of wall time, and CPU seconds per page (2 cores; onnxruntime uses both)
Targets: ≥ 97 % of cells at 300 dpi, ≥ 93 % at 150 dpi, every wrong number marked or caught,
≤ 3 s per page at 300 dpi.
Usage: python bench/scan.py [--samples seed,mof2020-a,mof2020-b] [--dpi 150,300] [--conditions plain,+2,-2]
       [--wrong] (list every wrong cell) [--tesseract mof2020-b:300:plain | no] (compare the text engine
       with tesseract chi_sim, the command line, on one condition; skipped with a message when not installed)
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import time
from pathlib import Path

from machine_info import describe

from jixiao import services
from jixiao.core.model import to_record
from jixiao.formats.scan import simulate_scan

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "samples"
CONDITIONS = {"plain": (0.0, None), "+2": (2.0, 60), "-2": (-2.0, 60)}  # angle, JPEG quality
NUMBER = re.compile(r"\d")
NUMBER_CELL = re.compile(r"(funds\[\d+\]\.(initial|annual|executed|weight|rate|score)"
                         r"|indicators\[\d+\]\.(weight|target|actual|score)|total\.\w+|category_points\..+)$")


def is_number(path: str, text: str) -> bool:
    """Whether a record cell is a number of the form (see the module's docstring)."""
    return bool(NUMBER_CELL.match(path) and NUMBER.search(text))


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


def compare(original: list, scanned: list, wrong_cells: list | None = None) -> tuple[int, int, int, int]:
    """(cells, right, wrong numbers, wrong numbers marked or caught) over the forms, in order;
    each wrong cell is added to wrong_cells as (form, path, want, got, marked or caught) when given."""
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
                continue
            flagged = bool(_rows_of(scan.form, path) & flagged_rows)
            if is_number(path, text):
                wrong_numbers += 1
                caught += flagged
            if wrong_cells is not None:
                wrong_cells.append((n + 1, path, text, got.get(path, ""), flagged))
    for orig in original[len(scanned):]:  # forms the scan lost count as wrong
        total += sum(1 for t in cells(to_record(orig.form)).values() if t)
    return total, right, wrong_numbers, caught


def _rows_of(form, path: str) -> set[int]:
    """The source rows a record cell is on: its row; a category's points, the rows of its indicators."""
    if path.startswith("total."):
        return {form.total.row} - {None}
    if path.startswith("category_points."):
        level1 = path.removeprefix("category_points.")
        # as read: "产出指标(75分" when a bracket was lost, whose points the reader could not split off
        return {i.row for i in form.indicators if i.level1.startswith(level1)} - {None}
    match = re.match(r"(funds|indicators)\[(\d+)\]", path)
    if not match:
        return set()
    rows = form.funds if match.group(1) == "funds" else form.indicators
    index = int(match.group(2))
    return {rows[index].row} - {None} if index < len(rows) else set()


def evaluations(data: bytes, name: str) -> list:
    batch = services.read_upload(data, name)
    return services.evaluate_batch(batch.forms)


def measure(pdf: bytes, original: list, name: str, dpi: int, condition: str) -> tuple[list, list, int, float, float]:
    """Scan the PDF in the condition, read it: (wrong cells, totals, pages, wall s, CPU s of the process and
    its children — onnxruntime's threads are the process's, tesseract is a child)."""
    angle, quality = CONDITIONS[condition]
    scan = simulate_scan(pdf, dpi, angle, quality)
    pages = scan.count(b"/Type /Page\n") or scan.count(b"/Type /Page") - scan.count(b"/Type /Pages")
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    scanned = evaluations(scan, f"{name}-{dpi}dpi{condition}.pdf")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu + _children_cpu() - children
    wrong_cells: list = []
    totals = list(compare(original, scanned, wrong_cells))
    return wrong_cells, [len(scanned), *totals], pages, wall, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def row(sample: str, dpi: int, condition: str, forms: str, totals: list, pages: int, wall: float, cpu: float) -> str:
    _scanned, total, right, wrong, caught = totals
    return (f"{sample:<11} {dpi:>4} {condition:>5} {forms:>7} {right:>5}/{total:<5} {right / max(total, 1):>6.1%} "
            f"{wrong:>12}/{caught:<8} {pages / wall:>8.2f} {cpu / pages:>10.2f} {wall / pages:>11.2f}")


# ---------------------------------------------------------------------------------------------
# Tesseract, for comparison (issue 14: the engine is chosen by measurement on the project's samples)


def tesseract_lines(gray):
    """A page's text lines read by tesseract (chi_sim, the command line) in the shape RapidOCR's are given:
    each word's box shared evenly by its characters, its confidence 0–1."""
    import cv2

    from jixiao.formats.scan_text import _Line

    _ok, png = cv2.imencode(".png", gray)
    done = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "11", "tsv"],
                          input=png.tobytes(), capture_output=True, check=True)
    lines: dict[tuple[str, str, str], list[list[str]]] = {}
    for record in done.stdout.decode("utf-8").splitlines()[1:]:
        parts = record.split("\t")
        if len(parts) == 12 and parts[0] == "5" and parts[11].strip() and float(parts[10]) >= 0:
            lines.setdefault((parts[2], parts[3], parts[4]), []).append(parts)
    out = []
    for words in lines.values():
        boxes = [[[int(w[6]), int(w[7])], [int(w[6]) + int(w[8]), int(w[7])],
                  [int(w[6]) + int(w[8]), int(w[7]) + int(w[9])], [int(w[6]), int(w[7]) + int(w[9])]] for w in words]
        x0, y0 = min(b[0][0] for b in boxes), min(b[0][1] for b in boxes)
        x1, y1 = max(b[2][0] for b in boxes), max(b[2][1] for b in boxes)
        scores = [float(w[10]) / 100 for w in words]
        out.append(_Line([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], "".join(w[11] for w in words),
                         min(scores), boxes, [w[11] for w in words], scores))
    return out


def compare_tesseract(spec: str) -> None:
    sample, dpi_text, condition = spec.split(":")
    if shutil.which("tesseract") is None or "chi_sim" not in subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, check=False).stdout:
        print("tesseract comparison skipped: tesseract with chi_sim is not installed "
              "(apt install tesseract-ocr tesseract-ocr-chi-sim)")
        return
    from jixiao.formats import scan

    pdf = (SAMPLES / f"{sample}.pdf").read_bytes()
    original = evaluations(pdf, f"{sample}.pdf")
    dpi = int(dpi_text)
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=False).stdout.split()[1]
    print(f"engine comparison on {sample}, {dpi} dpi, {condition} (the same reader; only the text engine differs):")
    for engine in ("rapidocr", "tesseract"):
        real = scan._read_lines
        if engine == "tesseract":
            scan._read_lines = tesseract_lines
        try:
            _wrong, totals, pages, wall, cpu = measure(pdf, original, sample, dpi, condition)
        finally:
            scan._read_lines = real
        label = "rapidocr" if engine == "rapidocr" else f"tesseract {version} chi_sim"
        print(f"  {label:<24} {row(sample, dpi, condition, f'{totals[0]}/{len(original)}', totals, pages, wall, cpu)}",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", default="seed,mof2020-a,mof2020-b")
    parser.add_argument("--dpi", default="150,300")
    parser.add_argument("--conditions", default="plain,+2,-2")
    parser.add_argument("--wrong", action="store_true", help="list every cell read wrong")
    parser.add_argument("--tesseract", default="mof2020-b:300:plain",
                        help="SAMPLE:DPI:CONDITION to compare with tesseract on, or 'no'")
    args = parser.parse_args()
    print(describe(), f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'sample':<11} {'dpi':>4} {'cond':>5} {'forms':>7} {'cells':>14} {'numbers wrong/caught':>21} "
          f"{'pages/s':>8} {'cpu s/page':>10} {'wall s/page':>11}")
    summary: dict[int, list[int]] = {}
    for sample in args.samples.split(","):
        pdf = (SAMPLES / f"{sample}.pdf").read_bytes()
        original = evaluations(pdf, f"{sample}.pdf")
        for dpi in (int(d) for d in args.dpi.split(",")):
            for condition in args.conditions.split(","):
                wrong_cells, totals, pages, wall, cpu = measure(pdf, original, sample, dpi, condition)
                acc = summary.setdefault(dpi, [0, 0, 0, 0])
                for i, v in enumerate(totals[1:]):
                    acc[i] += v
                print(row(sample, dpi, condition, f"{totals[0]}/{len(original)}", totals, pages, wall, cpu), flush=True)
                if args.wrong:
                    for form, path, want, got, flagged in wrong_cells:
                        mark = ("caught" if flagged else "MISSED") if is_number(path, want) else "text"
                        print(f"    form {form} {path}: {want!r} read {got!r} [{mark}]", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    for dpi, (total, right, wrong, caught) in sorted(summary.items()):
        target = 0.97 if dpi >= 300 else 0.93
        print(f"{dpi} dpi: {right / max(total, 1):.1%} of {total} cells right (target {target:.0%}); "
              f"{wrong} numbers wrong, {caught} of them marked or caught")
    if args.tesseract not in ("", "no"):
        compare_tesseract(args.tesseract)


if __name__ == "__main__":
    main()
