"""`jixiao convert` to .xlsx/.docx/.pdf/.html streamed form by form: the old whole-batch output, bounded memory."""

from __future__ import annotations

import gc
import io
import os
import re
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from jixiao import services, streaming
from jixiao.cli import main
from jixiao.reports import write_forms

SEED_TEXT = (Path(__file__).parent / "fixtures" / "seed.txt").read_text(encoding="utf-8")


def folder(where: Path, count: int) -> Path:
    """count files of the seed (11 forms each), each with its first project renamed."""
    where.mkdir(parents=True)
    for n in range(count):
        (where / f"f{n:03d}.txt").write_text(SEED_TEXT.replace("包联驻村专项经费", f"包联驻村专项经费{n}", 1),
                                             encoding="utf-8")
    return where


def whole_batch(paths: list[str], target: Path, *, rescore: bool = False) -> None:
    """What `jixiao convert` wrote before it streamed: every form read, then write_forms on them all."""
    batch = services.read_paths(paths, jobs=1)
    evaluations = services.evaluate_batch(batch.forms) if rescore or target.suffix == ".xlsx" else None
    write_forms(batch.forms, target, evaluations=evaluations, rescore=rescore)


def workbook_dump(path: Path) -> dict[str, Any]:
    """Everything a reader of a workbook sees: sheets, cells and their styles, merges, sizes, print setup."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    out: dict[str, Any] = {"sheets": wb.sheetnames, "title": wb.properties.title, "creator": wb.properties.creator}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                cells[c.coordinate] = (
                    c.value, c.data_type, c.number_format, c.font.name, c.font.sz, c.font.b,
                    str(c.font.color and c.font.color.rgb), c.alignment.horizontal, c.alignment.vertical,
                    c.alignment.wrap_text, c.border.left.style, c.border.top.style, c.fill.fill_type,
                    str(c.fill.fgColor.rgb), c.quotePrefix, c.comment.text if c.comment else None,
                    c.hyperlink.location if c.hyperlink else None)
        out[ws.title] = {
            "cells": cells, "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "print": (ws.print_area, ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth,
                      ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage,
                      ws.print_options.horizontalCentered, ws.page_margins.left, ws.page_margins.top),
            "view": (ws.freeze_panes, ws.auto_filter.ref),
        }
    return out


def content(path: Path) -> Any:
    """A file's content without the moment it was written (a PDF's dates, a .docx's core properties)."""
    if path.suffix == ".xlsx":
        return workbook_dump(path)
    data = path.read_bytes()
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}
    if path.suffix == ".pdf":
        return re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)|/ID \[<[0-9A-F]*> ?<[0-9A-F]*>\]", b"", data)
    return data


@pytest.mark.parametrize(("suffix", "rescore"), [(".xlsx", False), (".xlsx", True), (".html", False),
                                                   (".html", True), (".docx", False), (".pdf", True)])
def test_streamed_convert_writes_what_the_whole_batch_writer_wrote(tmp_path: Path, suffix: str, rescore: bool) -> None:
    where = folder(tmp_path / "forms", 3)
    (where / "broken.xlsx").write_bytes(b"not a workbook")  # named, and the rest still converted
    old, new = tmp_path / f"old{suffix}", tmp_path / f"new{suffix}"
    whole_batch([str(where)], old, rescore=rescore)
    code = main(["convert", str(where), "-o", str(new), "--jobs", "2", *(["--rescore"] if rescore else [])])
    assert code == 2  # the broken file
    assert content(new) == content(old)


def test_the_summary_sheet_counts_the_batch_findings(tmp_path: Path) -> None:
    """P05 is found over the whole batch, after every sheet is written: 汇总 still counts it."""
    from openpyxl import load_workbook

    target = tmp_path / "out.xlsx"
    assert main(["convert", str(folder(tmp_path / "forms", 2)), "-o", str(target), "--jobs", "1"]) == 0
    summary = load_workbook(target)["汇总"]
    errors = [row[10] for row in summary.iter_rows(min_row=3, values_only=True)]
    batch = services.evaluate_batch(services.read_paths([str(tmp_path / "forms")], jobs=1).forms)
    assert errors == [sum(f.severity == "error" for f in e.findings) for e in batch]
    assert any(f.code == "P05" for e in batch for f in e.findings)


def _peak(where: Path, target: Path) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        streaming.run_convert([str(where)], target, io.StringIO())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("suffix", "per_form"), [(".html", 5_000), (".pdf", 12_000), (".xlsx", 40_000)])
def test_converting_four_times_the_forms_does_not_take_four_times_the_memory(
    tmp_path: Path, suffix: str, per_form: int
) -> None:
    """Before, every form, its layout and the whole document were held: 28 KB more a form for .html,
    32 KB for .pdf and 122 KB for .xlsx; streamed, a few KB (.xlsx keeps openpyxl's few objects of
    each written sheet and the 汇总 rows)."""
    small, large = folder(tmp_path / "small", 4), folder(tmp_path / "large", 16)
    _peak(small, tmp_path / f"warm{suffix}")  # imports, fonts and caches, once
    few, many = _peak(small, tmp_path / f"small{suffix}"), _peak(large, tmp_path / f"large{suffix}")
    added = (many - few) / (12 * 11)
    assert added < per_form, f"{added:,.0f} bytes more per form ({few:,} → {many:,})"


def _high_water(where: Path, target: Path) -> int:
    """The peak resident memory of `jixiao convert` in a process of its own (VmHWM counts from its start):
    python-docx's XML is libxml2's memory, which tracemalloc does not see."""
    program = ("import sys; from jixiao.cli import main; code = main(sys.argv[1:]); "
               "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:'))); "
               "sys.exit(code)")
    env = {**os.environ, "PYTHONPATH": str(Path(streaming.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", program, "convert", str(where), "-o", str(target), "--jobs", "1"],
                          capture_output=True, text=True, env=env, check=True)
    return int(done.stdout.split()[-1]) * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")
def test_a_docx_of_four_times_the_forms_does_not_take_four_times_the_memory(tmp_path: Path) -> None:
    """python-docx held the whole document's XML until it saved: about 430 KB more resident memory a form
    (88 → 228 MB from 110 to 440 forms). The document part is now written a form at a time."""
    small, large = folder(tmp_path / "small", 4), folder(tmp_path / "large", 16)
    few, many = _high_water(small, tmp_path / "small.docx"), _high_water(large, tmp_path / "large.docx")
    added = (many - few) / (12 * 11)
    assert added < 40_000, f"{added:,.0f} bytes more per form ({few:,} → {many:,})"
    with zipfile.ZipFile(tmp_path / "large.docx") as z:
        assert z.read("word/document.xml").count(b"<w:tbl>") == 16 * 11
