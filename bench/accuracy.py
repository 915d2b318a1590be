"""Accuracy: the share of cells the recogniser reads right, per sample and format (issue 9, README table).

The expected record of each sample is its JSON (tests/fixtures/samples/<name>.json, the template
families' tests/fixtures/templates/<family>.json). Every printed cell of the expected record counts once:
a header field, every column of every fund row and indicator row, goals, points labels, the total. A cell
is right when the form read from the file has the same text at the same place; a form or row that was
not found makes all its cells wrong, and cells of forms or rows that are not in the expected record are
counted wrong too (an extra indicator row is an error, not a bonus).

Usage: python bench/accuracy.py [--min 99.5]   (prints the table; exits 1 when a sample is below --min)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from jixiao.core.model import to_record
from jixiao.formats.layout import recognise
from jixiao.formats.registry import read_grids

ROOT = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
SETS = (
    (ROOT / "samples", ("seed", "seed-stacked", "mof2020-a", "mof2020-b"), ("txt", "docx", "xlsx", "html", "pdf")),
    (ROOT / "templates", tuple(sorted(p.stem for p in (ROOT / "templates").glob("*.json"))), ("html", "xlsx", "docx")),
)


def cells(record: Any, prefix: str = "") -> dict[str, str]:
    """Every printed cell of a record by its place: "funds[1].executed", "indicators[3].target"…"""
    if isinstance(record, dict):
        out: dict[str, str] = {}
        for key, value in record.items():
            if key != "schema":
                out.update(cells(value, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(record, list):
        out = {}
        for n, value in enumerate(record):
            out.update(cells(value, f"{prefix}[{n}]"))
        return out
    return {prefix: "" if record is None else str(record)}


def score(expected: list[dict[str, Any]], found: list[dict[str, Any]]) -> tuple[int, int]:
    """(cells right, cells counted): expected cells read right, over expected plus extra cells read."""
    want = cells(expected)
    got = cells(found)
    right = sum(1 for place, text in want.items() if got.get(place) == text)
    extra = sum(1 for place, text in got.items() if place not in want and text)
    return right, len(want) + extra


def measure() -> list[tuple[str, str, int, int]]:
    rows = []
    for folder, names, formats in SETS:
        for name in names:
            expected_path = folder / f"{name}.json"
            if not expected_path.exists():
                continue
            expected = json.loads(expected_path.read_text(encoding="utf-8"))
            for fmt in formats:
                path = folder / f"{name}.{fmt}"
                if not path.exists():
                    continue
                found = [to_record(f) for f in recognise(read_grids(path.read_bytes(), path.name))]
                right, total = score(expected, found)
                rows.append((name, fmt, right, total))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=99.5, help="the lowest share (percent) a sample may read")
    args = parser.parse_args()
    rows = measure()
    print("| sample | format | cells right / cells | accuracy |")
    print("|---|---|---|---|")
    low = []
    for name, fmt, right, total in rows:
        share = 100 * right / total if total else 100.0
        print(f"| {name} | {fmt} | {right} / {total} | {share:.2f}% |")
        if share < args.min:
            low.append(f"{name}.{fmt}")
    right = sum(r[2] for r in rows)
    total = sum(r[3] for r in rows)
    print(f"| all | {len(rows)} files | {right} / {total} | {100 * right / total:.2f}% |")
    if low:
        print(f"below {args.min}%: {', '.join(low)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
