"""Word writer: each form on its own A4 page (landscape for the wide seed template), as printed.

The title and the year are centred paragraphs above the table, as in the samples; merged cells are
real Word merges (w:gridSpan, w:vMerge); rescored cells are shaded. Each form after the first starts
a new section, so a batch may mix portrait and landscape forms.

The document part is written into the zip form by form: python-docx builds one form's XML, it is
written out and let go. python-docx alone holds the whole document's XML until it saves (about
430 KB a form in memory), so a batch of a province's forms did not fit; the file is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from jixiao.reports._atomic import atomic_path
from jixiao.reports.layout import (
    BODY_FONT,
    HIGHLIGHT,
    TITLE_FONT,
    FormLayout,
    LayoutCell,
)
from jixiao.reports.sizes import column_fractions

if TYPE_CHECKING:
    pass

MARGIN_MM = 15
BODY_PT = 10
TITLE_PT = 18
ROW_TWIPS = 397  # 7 mm


DOCUMENT_PART = "word/document.xml"
# Zip64 records are written only for a batch whose document part could pass 2 GiB (a form is about
# 26 KB of XML; 200 KB leaves room for long texts), so that an ordinary file's zip stays the usual kind.
PART_BOUND = 200_000


def write_layouts(layouts: Sequence[FormLayout], path: Path, *, title: str = "") -> None:
    """Write any layouts to a .docx file, each in a section of its own (its page turned to fit).

    The other parts are python-docx's, saved before the forms (the forms change none of them); the
    document part is streamed between them in their place, one form's XML held at a time.
    """
    import io
    import zipfile

    from docx import Document

    doc = Document()
    if title:
        doc.core_properties.title = title
    set_default_font(doc)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))  # the parts without a form, then written again with the forms in place
        with zipfile.ZipFile(io.BytesIO(tmp.read_bytes())) as parts, \
                zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            _write_parts(doc, layouts, parts, out)


def _write_parts(doc: Any, layouts: Sequence[FormLayout], parts: Any, out: Any) -> None:
    """python-docx's parts copied in their order, the document part written in its place."""
    import zipfile

    for info in parts.infolist():
        if info.filename != DOCUMENT_PART:
            out.writestr(info, parts.read(info))
            continue
        with out.open(info, "w", force_zip64=len(layouts) * PART_BOUND > zipfile.ZIP64_LIMIT) as part:
            _write_document(doc, layouts, part)


def _write_document(doc: Any, layouts: Sequence[FormLayout], part: IO[bytes]) -> None:
    """The document part as python-docx serialises it (etree.tostring of the whole document), a form at a
    time: the body's content is serialised and removed after each form, the body's last w:sectPr (the
    last section's page) is written at the end."""
    from lxml import etree

    def whole() -> bytes:
        return etree.tostring(doc.element, encoding="UTF-8", standalone=True)

    start = b"<w:body>"
    head = whole()
    part.write(head[: head.index(start) + len(start)])
    body = doc.element.body
    for n, layout in enumerate(layouts):
        section = doc.sections[0] if n == 0 else _new_section(doc)
        _page(section, layout.template.landscape)
        _headings(doc, layout)
        _table(doc, layout, section)
        if layout.note:
            p = doc.add_paragraph(layout.note)
            set_run_font(p.runs[0], BODY_PT - 1)
        xml = etree.tostring(body, encoding="UTF-8", xml_declaration=False)  # <w:body xmlns…>the form…<w:sectPr…/>…
        part.write(xml[xml.index(b">") + 1 : xml.rindex(b"<w:sectPr")])
        for child in body[:-1]:  # all but the last w:sectPr, which the next form's section break copies
            body.remove(child)
    tail = whole()
    part.write(tail[tail.index(start) + len(start):])


def _new_section(doc: Any) -> Any:
    from docx.enum.section import WD_SECTION

    return doc.add_section(WD_SECTION.NEW_PAGE)


def _page(section: Any, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    short, long = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM if "left" in side or "right" in side else 15))


def _east_asian(rpr_owner: Any, font: str) -> None:
    from docx.oxml.ns import qn

    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)


def set_default_font(doc: Any) -> None:
    """The body font of a document (Latin and CJK), with no space around paragraphs: the other Word writers' too."""
    from docx.shared import Pt

    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(BODY_PT)
    _east_asian(style.element, BODY_FONT)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)


def set_run_font(run: Any, size: float, *, font: str = BODY_FONT, bold: bool = False) -> None:
    """Size, weight and CJK font of one run of text."""
    from docx.shared import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    _east_asian(run._r, font)


def _headings(doc: Any, layout: FormLayout) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(p.add_run(layout.title), TITLE_PT, font=TITLE_FONT, bold=True)
    if layout.subtitle:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(6)
        set_run_font(p.add_run(layout.subtitle), BODY_PT + 2)


def _table(doc: Any, layout: FormLayout, section: Any) -> None:
    """The table, written row by row as Word stores merges (python-docx's merge() is quadratic)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Emu
    from docx.table import _Cell

    table = doc.add_table(rows=0, cols=layout.width)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout fixed: the column widths below hold
    text_width = section.page_width - section.left_margin - section.right_margin
    widths = [int(text_width * f) for f in column_fractions(layout.template)]
    # Set on the w:gridCol elements as table.columns would, without the columns object: it and the table
    # refer to each other, and so kept each written form's table alive until the collector ran.
    for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_col.w = Emu(width)
    starts = {(c.row, c.col): c for c in layout.cells}
    covered = {
        (r, c.col): c for c in layout.cells for r in range(c.row + 1, c.row + c.rowspan)
    }  # rows below the first of a vertical merge: Word writes a w:vMerge continuation cell there
    for r in range(layout.height):
        tr = table._tbl.add_tr()
        tr_pr = tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
        height = OxmlElement("w:trHeight")  # at least 7 mm: room to write in by hand, as printed forms have
        height.set(qn("w:val"), str(ROW_TWIPS))
        height.set(qn("w:hRule"), "atLeast")
        tr_pr.append(height)
        col = 0
        while col < layout.width:
            cell = starts.get((r, col)) or covered.get((r, col))
            span = cell.colspan if cell is not None else 1
            tc = tr.add_tc()
            target = _Cell(tc, table)
            target.width = Emu(sum(widths[col:col + span]))
            tc_pr = tc.get_or_add_tcPr()
            if span > 1:
                grid_span = OxmlElement("w:gridSpan")
                grid_span.set(qn("w:val"), str(span))
                tc_pr.append(grid_span)
            if cell is not None and cell.rowspan > 1:
                v_merge = OxmlElement("w:vMerge")
                if cell.row == r:
                    v_merge.set(qn("w:val"), "restart")
                tc_pr.append(v_merge)
            if cell is not None and cell.row == r:
                _fill(target, cell)
            col += span


def _fill(target: Any, cell: LayoutCell) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if cell.changed:  # w:shd goes before w:vAlign in w:tcPr (the schema's order, which Word checks)
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), HIGHLIGHT)
        target._tc.get_or_add_tcPr().append(shd)
    target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = target.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT if cell.align == "left" else WD_ALIGN_PARAGRAPH.CENTER
    if cell.text:
        set_run_font(p.add_run(cell.text), BODY_PT, bold=cell.role == "caption")
