"""The bureau's batch summary: by department and unit, counts and score differences, rows linked to findings."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl

from jixiao.reports.batch import summarise, write_summary
from jixiao.stream_state import Tally
from jixiao.streaming import Options, work_file

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed.txt"


def checked(tmp_path: Path) -> tuple[list[dict], list[dict]]:
    """The seed's forms twice as the check report's entries (two units; P05 between the copies)."""
    text = SEED.read_text(encoding="utf-8")
    tally = Tally()
    entries = []
    for name in ("a.txt", "b.txt"):
        entries.extend(e for _, e in tally.add(work_file(name, text.encode("utf-8"), Options())))
    return entries, [f.as_dict() for f in tally.batch_findings()]


def test_rows_count_forms_errors_and_the_printed_minus_computed_total(tmp_path: Path) -> None:
    entries, batch = checked(tmp_path)
    rows = summarise(entries, batch)
    assert sum(r.forms for r in rows) == 22
    by_unit = {r.unit: r for r in rows}
    units = [e["form"]["unit"] for e in entries]
    assert {u: r.forms for u, r in by_unit.items()} == {u: units.count(u) for u in set(units)}
    main = by_unit["鄂尔多斯市司法局"]
    expected_errors = sum(1 for e in entries if e["form"]["unit"] == "鄂尔多斯市司法局"
                          and any(f["severity"] == "error" for f in e["form"]["findings"]))
    assert main.with_errors == expected_errors > 0
    diffs = [Decimal(e["form"]["printed"]["total"]) - Decimal(e["form"]["scorecard"]["total"])
             for e in entries if e["form"]["unit"] == "鄂尔多斯市司法局"]
    assert main.average_difference == (sum(diffs) / len(diffs)).quantize(Decimal("0.01"))
    assert sum(main.errors.values()) == sum(1 for e in entries if e["form"]["unit"] == "鄂尔多斯市司法局"
                                            for f in e["form"]["findings"] if f["severity"] == "error")


def test_xlsx_and_html_link_each_unit_to_its_forms_findings(tmp_path: Path) -> None:
    entries, batch = checked(tmp_path)
    xlsx, html = write_summary(lambda: iter(entries), batch, tmp_path, "b1")
    wb = openpyxl.load_workbook(xlsx)
    summary, details = wb["汇总"], wb["明细"]
    unit = "鄂尔多斯市法律援助中心"
    first = next(e["form"]["index"] for e in entries if e["form"]["unit"] == unit)
    unit_cell = next(row[1] for row in summary.iter_rows(min_row=2) if row[1].value == unit)
    target = int(unit_cell.hyperlink.location.split("A")[-1])
    assert details.cell(target, 1).value == first and details.cell(target, 4).value == unit
    page = html.read_text(encoding="utf-8")
    assert f'<a href="#f{first}">{unit}</a>' in page and f'<section id="f{first}">' in page
    assert page.count("<section") == 22 and "P05" in page
    json.dumps(entries)  # the entries are plain JSON data, as stored in the database
