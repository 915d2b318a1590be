"""Scan reader: page images read as forms by their rules and offline OCR, with each cell's confidence.

The fixtures are real scans in the sense that matters: the project's own sample PDFs rasterised at
150 dpi, turned by 2° and saved as JPEG at quality 60 (formats.scan.simulate_scan, as bench/scan.py
makes its corpus), and one page photographed sideways. The OCR tests need the `ocr` extra; without it
they are skipped, unless JIXIAO_REQUIRE_OCR=1 (as in CI, which installs it).
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao import services
from jixiao.cli import schema_text
from jixiao.core.model import from_record, to_record
from jixiao.formats import ReadError, scan

HERE = Path(__file__).resolve().parents[1] / "fixtures"
SCANS = HERE / "scans"
SAMPLES = HERE / "samples"

needs_ocr = pytest.mark.skipif(
    not scan.available() and os.environ.get("JIXIAO_REQUIRE_OCR") != "1",
    reason="the ocr extra (rapidocr_onnxruntime) is not installed",
)


@pytest.fixture(scope="module")
def scanned() -> list[services.Evaluation]:
    data = (SCANS / "mof2020-b_150dpi_rot2_jpeg60.pdf").read_bytes()
    batch = services.read_upload(data, "mof2020-b_150dpi_rot2_jpeg60.pdf")
    assert not batch.problems
    return services.evaluate_batch(batch.forms)


@pytest.fixture(scope="module")
def original() -> list[services.Evaluation]:
    batch = services.read_upload((SAMPLES / "mof2020-b.pdf").read_bytes(), "mof2020-b.pdf")
    return services.evaluate_batch(batch.forms)


def _cells(form: dict) -> dict[str, str]:
    out = {f"{k}": form[k] for k in ("project", "department", "unit")}
    for n, row in enumerate(form["funds"]):
        out.update({f"funds[{n}].{k}": v for k, v in row.items()})
    for n, row in enumerate(form["indicators"]):
        out.update({f"indicators[{n}].{k}": v for k, v in row.items()})
    out.update({f"total.{k}": v for k, v in form["total"].items()})
    return {k: "".join(v.split()) for k, v in out.items()}


@needs_ocr
def test_a_scanned_pdf_reads_as_its_forms_in_order(scanned, original) -> None:
    assert [e.form.project for e in scanned] == [e.form.project for e in original]
    assert scanned[0].form.source.sheet.startswith("扫描件")


@needs_ocr
def test_a_150_dpi_turned_jpeg_scan_reads_at_least_93_percent_of_cells_right(scanned, original) -> None:
    want, got = _cells(to_record(original[0].form)), _cells(to_record(scanned[0].form))
    filled = [k for k, v in want.items() if v]
    right = [k for k in filled if got.get(k) == want[k]]
    assert len(right) / len(filled) >= 0.93, [(k, want[k], got.get(k)) for k in filled if k not in right]


@needs_ocr
def test_the_scan_is_scored_as_the_original(scanned, original) -> None:
    assert scanned[0].scorecard.total == original[0].scorecard.total
    assert scanned[0].profile.name == original[0].profile.name


@needs_ocr
def test_uncertain_cells_are_in_the_record_and_reported(scanned) -> None:
    for evaluation in scanned:
        form = evaluation.form
        o01 = [f for f in evaluation.findings if f.code == "O01"]
        assert len(o01) == len(form.uncertain)
        for cell, finding in zip(sorted(form.uncertain, key=lambda c: (c.row, c.field)), o01, strict=True):
            assert finding.location.row == cell.row
            assert f"“{cell.text}”" in finding.message and "OCR 识别存疑" in finding.message
        record = to_record(form)
        assert ("uncertain" in record) == bool(form.uncertain)
        jsonschema.validate([json.loads(json.dumps(record, ensure_ascii=False))], json.loads(schema_text()))
        assert from_record(record).uncertain == form.uncertain


@needs_ocr
def test_uncertain_and_number_cells_keep_their_scanned_image_outside_the_record(scanned) -> None:
    """The import preview shows these beside the findings (issue 14 point 2): small grayscale PNGs."""
    import base64

    from PIL import Image

    from jixiao.formats.scan_images import IMAGE_BOX, PNG_PREFIX

    for evaluation in scanned:
        form = evaluation.form
        images = {(block, row, field): image for block, row, field, image in form.scan_images}
        for cell in form.uncertain:
            if cell.confidence != "—":  # read unsurely (not a correction of a sure reading)
                assert (cell.block, cell.row, cell.field) in images, cell
        scores = [("indicators", i.row, "score") for i in form.indicators if any(ch.isdigit() for ch in i.score)]
        assert scores and all(key in images for key in scores)
        picture = Image.open(io.BytesIO(base64.b64decode(images[scores[0]].removeprefix(PNG_PREFIX))))
        assert picture.mode == "L" and picture.size[0] <= IMAGE_BOX[0] and picture.size[1] <= IMAGE_BOX[1]
        assert picture.getextrema()[0] < 128  # the cell's ink, not blank paper
        assert "scan_images" not in json.dumps(to_record(form))


@needs_ocr
def test_a_sideways_photograph_is_turned_and_read() -> None:
    data = (SCANS / "mof2020-a_p1_150dpi_sideways.jpg").read_bytes()
    batch = services.read_upload(data, "photo.jpg")
    assert [f.project for f in batch.forms] == ["委托业务项目"]
    assert batch.forms[0].fund("total") is not None


@needs_ocr
def test_a_page_that_is_not_a_form_gets_a_clear_message() -> None:
    from PIL import Image, ImageDraw

    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    for y in range(150, 1500, 60):  # a page of text lines: no rules, no table
        draw.rectangle((120, y, 1100, y + 18), fill=90)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    with pytest.raises(ReadError) as err:
        scan.read(buffer.getvalue(), "page.png")
    assert err.value.message == scan.NO_TABLE_AT_ALL


def test_without_the_engine_an_image_is_refused_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "available", lambda: False)
    with pytest.raises(ReadError) as err:
        scan.read((SCANS / "mof2020-a_p1_150dpi_sideways.jpg").read_bytes(), "photo.jpg")
    assert err.value.message == scan.OCR_MISSING
    assert "pip install 'jixiao[ocr]'" in scan.OCR_MISSING


def test_a_damaged_image_is_named_not_crashed() -> None:
    data = (SCANS / "mof2020-a_p1_150dpi_sideways.jpg").read_bytes()[:2000]
    if not scan.available():
        pytest.skip("the ocr extra is not installed")
    with pytest.raises(ReadError) as err:
        scan.read(data, "photo.jpg")
    assert err.value.message.startswith(scan.BAD_IMAGE)


# ---------------------------------------------------------------------------------------------
# The rules and merged cells of a drawn table come back exactly (no OCR: this is the geometry)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[int], list[int], set[tuple[int, int, int, int]]]:
    """Column and row edges in pixels, and the merged cells as (r0, c0, r1, c1) in index space."""
    cols = draw(st.lists(st.integers(100, 220), min_size=3, max_size=7))  # a form is inches wide
    rows = draw(st.lists(st.integers(40, 120), min_size=1, max_size=7))
    xs = [80]
    for w in cols:
        xs.append(xs[-1] + w)
    ys = [100]
    for h in rows:
        ys.append(ys[-1] + h)
    free = {(r, c) for r in range(len(rows)) for c in range(len(cols))}
    cells = set()
    for r in range(len(rows)):
        for c in range(len(cols)):
            if (r, c) not in free:
                continue
            rs = draw(st.integers(1, len(rows) - r))
            cs = draw(st.integers(1, len(cols) - c))
            area = {(rr, cc) for rr in range(r, r + rs) for cc in range(c, c + cs)}
            if not area <= free:
                rs = cs = 1
                area = {(r, c)}
            free -= area
            cells.add((r, c, r + rs, c + cs))
    return xs, ys, cells


@pytest.mark.skipif(not scan.available(), reason="the ocr extra (OpenCV) is not installed")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_rules_and_merged_cells_are_found_from_the_drawing(table) -> None:
    import numpy as np

    xs, ys, cells = table
    image = np.full((ys[-1] + 150, xs[-1] + 120), 255, dtype=np.uint8)
    for r0, c0, r1, c1 in cells:
        x0, y0, x1, y1 = xs[c0], ys[r0], xs[c1], ys[r1]
        image[y0 : y0 + 2, x0 : x1 + 2] = 0
        image[y1 : y1 + 2, x0 : x1 + 2] = 0
        image[y0 : y1 + 2, x0 : x0 + 2] = 0
        image[y0 : y1 + 2, x1 : x1 + 2] = 0
    masks = scan._masks(image, 150)
    regions = scan._table_regions(masks, 150)
    assert len(regions) == 1
    drawn = {(xs[c0], ys[r0], xs[c1], ys[r1]) for r0, c0, r1, c1 in cells}

    def nearest(v: int, edges: list[int]) -> int:
        return min(edges, key=lambda e: abs(e - v))

    found = set()
    for x0, y0, x1, y1 in scan._cells(scan._rules(masks, regions[0], 150), 150):
        box = (nearest(x0, xs), nearest(y0, ys), nearest(x1, xs), nearest(y1, ys))
        assert all(abs(a - b) <= 3 for a, b in zip(box, (x0, y0, x1, y1), strict=True))
        found.add(box)
    assert found == drawn


def test_a_row_cut_by_a_page_break_is_joined_on_a_scan_as_in_the_pdf() -> None:
    """The seed's 司法鉴定专项经费 (pages 18–19 of seed.pdf at 150 dpi) breaks its 社会效益指标 row over the two
    pages. The engine's boxes end a cut line short of its cell's edge, so the PDF reader's exact "the line is
    full" test missed the cut and the row's rest became a row of its own ('社会' and '效益指标')."""
    scan_pdf = SCANS / "seed_form10_150dpi.pdf"
    (form,) = services.read_upload(scan_pdf.read_bytes(), scan_pdf.name).forms
    pdf = services.read_upload((SAMPLES / "seed.pdf").read_bytes(), "seed.pdf").forms
    (printed,) = [f for f in pdf if f.project == form.project]

    def names(f: object) -> list[tuple[str, str, str]]:
        return [(i.level1, i.level2, i.name) for i in f.indicators]  # type: ignore[attr-defined]

    assert names(form) == names(printed)


@needs_ocr
def test_punctuation_keeps_the_width_each_sample_prints() -> None:
    """The seed prints full-width colons and commas after Chinese text (年度资金总额：, 其中：财政拨款, the goals'
    commas), the MoF samples half-width (年度资金总额:); the engine reads both alike, and a colon ending its line
    has only the paper after it."""
    scan_pdf = SCANS / "seed_form10_150dpi.pdf"
    (form,) = services.read_upload(scan_pdf.read_bytes(), scan_pdf.name).forms
    (printed,) = [f for f in services.read_upload((SAMPLES / "seed.pdf").read_bytes(), "seed.pdf").forms
                  if f.project == form.project]
    assert [f.label for f in form.funds] == [f.label for f in printed.funds]
    assert "：" in printed.funds[0].label
    def marks(text: str) -> list[str]:
        return [ch for ch in text if ch in ":：;；,，"]

    assert marks(form.goals.planned + form.goals.achieved) == marks(printed.goals.planned + printed.goals.achieved)
    assert "，" in printed.goals.planned


@needs_ocr
def test_half_width_punctuation_of_a_turned_jpeg_scan_stays_half_width(scanned, original) -> None:
    labels = [f.label for f in original[0].form.funds]
    assert any(":" in label for label in labels)
    assert [f.label for f in scanned[0].form.funds] == labels
