"""Benchmark: forms per second of each file reader, beside the time its library alone takes.

For each format a batch of at least --forms forms is made by copying the samples (tests/fixtures/
samples) with their project names varied, then timed on one core:
  read       read_grids (our reader, file → grids)
  +layout    read_grids + recognise (→ forms)
  +check     read_grids + recognise + services.evaluate (scorecard and findings)
  library    the underlying library alone opening the same files and reading every cell
             (python-docx, openpyxl read-only, xlrd, pdfplumber extract_tables, lxml.html)
Targets on one core: docx and xlsx ≥ 100 forms/s, HTML ≥ 1,000 forms/s, PDF ≥ 20 pages/s, and
read never more than twice the library's own time.
Usage: python bench/formats.py [--forms 200] [--formats docx,xlsx,xls,html,pdf]
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from machine_info import describe

from jixiao.formats.layout import recognise
from jixiao.formats.registry import read_grids

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "samples"
SOURCES = ("seed", "mof2020-a", "mof2020-b")
FORMS = {"seed": 11, "mof2020-a": 2, "mof2020-b": 1}
TARGETS = {"docx": ("forms", 100), "xlsx": ("forms", 100), "xls": ("forms", 100), "html": ("forms", 1000),
           "pdf": ("pages", 20)}  # fmt: skip
PROJECT = re.compile("专项经费|委托业务项目|水旱灾害防御经费")


def machine() -> str:
    return describe()

# ---------------------------------------------------------------------------------------------
# Corpus


def _vary_zip(data: bytes, part: str, n: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info)
            if info.filename == part:
                content = PROJECT.sub(lambda m: f"{m.group(0)}{n}", content.decode("utf-8")).encode("utf-8")
            zout.writestr(info, content)
    return out.getvalue()


def _vary(fmt: str, data: bytes, n: int) -> bytes:
    if fmt == "docx":
        return _vary_zip(data, "word/document.xml", n)
    if fmt == "html":
        return PROJECT.sub(lambda m: f"{m.group(0)}{n}", data.decode("utf-8")).encode("utf-8")
    return data  # spreadsheets and PDFs: copies (their strings live in shared tables / fonts)


def _xls_from_xlsx(data: bytes) -> bytes:
    """An .xls with the same sheets, texts and merges as an .xlsx (xlwt, when installed)."""
    import xlwt

    grids = read_grids(data, "x.xlsx")
    book = xlwt.Workbook(encoding="utf-8")
    for grid in grids:
        sheet = book.add_sheet(grid.sheet[:31])
        for row in grid.rows:
            for c in row:
                if c.rowspan > 1 or c.colspan > 1:
                    sheet.write_merge(c.row, c.row + c.rowspan - 1, c.col, c.col + c.colspan - 1, c.text)
                else:
                    sheet.write(c.row, c.col, c.text)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def corpus(fmt: str, min_forms: int) -> tuple[list[tuple[str, bytes]], int]:
    """Files of one format holding at least min_forms forms, and how many forms they hold."""
    files: list[tuple[str, bytes]] = []
    forms = 0
    n = 0
    while forms < min_forms:
        for source in SOURCES:
            if fmt == "xls":
                base = _xls_from_xlsx((SAMPLES / f"{source}.xlsx").read_bytes())
            else:
                base = (SAMPLES / f"{source}.{fmt}").read_bytes()
            files.append((f"{source}-{n}.{fmt}", _vary(fmt, base, n)))
            forms += FORMS[source]
            n += 1
    return files, forms


# ---------------------------------------------------------------------------------------------
# Library baselines: open each file and read every cell's text


def lib_docx(data: bytes) -> None:
    import docx

    document = docx.Document(io.BytesIO(data))
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                _ = cell.text


def lib_xlsx(data: bytes) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                _ = cell.value
    wb.close()


def lib_xlsx_normal(data: bytes) -> None:
    """openpyxl's normal mode, the only one that lists merged ranges: what read-only mode saves."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    for ws in wb.worksheets:
        _ = ws.merged_cells.ranges
        for row in ws.iter_rows():
            for cell in row:
                _ = cell.value


def lib_xls(data: bytes) -> None:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    for sheet in book.sheets():
        for r in range(sheet.nrows):
            _ = sheet.row_values(r)


def lib_pdf(data: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_tables()


def lib_html(data: bytes) -> None:
    import lxml.html

    root = lxml.html.document_fromstring(data)
    for td in root.iter("td"):
        _ = td.text_content()


LIBRARIES: dict[str, tuple[str, Callable[[bytes], None]]] = {
    "docx": ("python-docx", lib_docx),
    "xlsx": ("openpyxl (read-only)", lib_xlsx),
    "xls": ("xlrd", lib_xls),
    "pdf": ("pdfplumber", lib_pdf),
    "html": ("lxml.html", lib_html),
}


# ---------------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    """CPU seconds of this process: on a shared machine, wall time measures the neighbours."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def each(fn: Callable[[bytes], None], files: list[tuple[str, bytes]]) -> None:
    for _, data in files:
        fn(data)


def pages_of(files: list[tuple[str, bytes]]) -> int:
    import pdfplumber

    total = 0
    for _, data in files:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            total += len(pdf.pages)
    return total


def bench(fmt: str, min_forms: int) -> dict[str, float]:
    try:
        files, forms = corpus(fmt, min_forms)
    except ImportError as exc:
        print(f"{fmt:5}  skipped: {exc}")
        return {}
    from jixiao import services

    def read_only() -> None:
        for name, data in files:
            read_grids(data, name)

    def with_layout() -> None:
        for name, data in files:
            recognise(read_grids(data, name))

    def with_check() -> None:
        for name, data in files:
            for form in recognise(read_grids(data, name)):
                services.evaluate(form)

    # warm up imports and caches on one file
    lib_name, lib = LIBRARIES[fmt]
    read_grids(files[0][1], files[0][0])
    lib(files[0][1])
    t_read = timed(read_only)
    t_layout = timed(with_layout)
    try:
        t_check = timed(with_check)
    except NotImplementedError:
        t_check = float("nan")
    t_lib = timed(lambda: each(lib, files))
    extra = ""
    if fmt == "xlsx":
        t_normal = timed(lambda: each(lib_xlsx_normal, files))
        extra = f" | openpyxl normal mode (merges) {forms / t_normal:6.1f} forms/s"
    unit, target = TARGETS[fmt]
    count = pages_of(files) if unit == "pages" else forms
    rate = count / t_read
    ok = rate >= target and t_read <= 2 * t_lib
    print(
        f"{fmt:5} {len(files):4} files {forms:4} forms"
        + (f" {count:4} pages" if unit == "pages" else "")
        + f" | read {forms / t_read:8.1f} forms/s"
        + (f" ({rate:6.1f} pages/s)" if unit == "pages" else "")
        + f" | +layout {forms / t_layout:8.1f} | +check {forms / t_check:8.1f} forms/s"
        + f" | {lib_name} alone {forms / t_lib:8.1f} forms/s, read/library = {t_read / t_lib:4.2f}"
        + f" | target {target} {unit}/s, ≤2× library: {'met' if ok else 'MISSED'}"
        + extra
    )
    return {"read": t_read, "layout": t_layout, "check": t_check, "library": t_lib}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=200, help="at least this many forms per format")
    parser.add_argument("--formats", default="docx,xlsx,xls,html,pdf")
    args = parser.parse_args(argv)
    print(machine())
    print(f"one process, one core, CPU time; batches of ≥{args.forms} forms made from {', '.join(SOURCES)}")
    for fmt in args.formats.split(","):
        bench(fmt.strip(), args.forms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
