"""An OFD (GB/T 33190-2016) writer for the tests: a PDF's pages as OFD, character for character.

Each line of the PDF page (characters of one baseline and size, left to right) becomes a TextObject with one
TextCode placed by X, Y and DeltaX ("g N D" where N advances repeat, as OFD writers compress them); each
ruling segment a PathObject "M … L …", its boundary at the segment's start; half of the objects carry a CTM
(a translation) and the first page draws its ruling from a template page, so the reader's frames are all
exercised. Units are millimetres from the page's top left, as OFD has them.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from xml.sax.saxutils import escape

from jixiao.formats.pdf import _pages

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
MM = 25.4 / 72


def _deltas(values: list[float]) -> str:
    out: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and abs(values[j + 1] - values[i]) < 1e-6:
            j += 1
        if j - i >= 2:
            out.append(f"g {j - i + 1} {values[i]:.4f}")
        else:
            out.extend(f"{v:.4f}" for v in values[i:j + 1])
        i = j + 1
    return " ".join(out)


def _lines(chars: list) -> list[list]:
    rows: dict[tuple[float, float], list] = {}
    for ch in chars:
        rows.setdefault((round(ch.bottom, 1), round(ch.size, 2)), []).append(ch)
    out = []
    for row in rows.values():
        row.sort(key=lambda c: c.x0)
        run = [row[0]]
        for ch in row[1:]:  # a wide gap starts another object, as writers cut runs at cell borders
            if ch.x0 - run[-1].x1 > ch.size:
                out.append(run)
                run = []
            run.append(ch)
        out.append(run)
    return out


def _text_object(n: int, run: list) -> str:
    first = run[0]
    size = first.size * MM
    x0, base = first.x0 * MM, first.bottom * MM
    width = (run[-1].x1 - first.x0) * MM
    deltas = [(b.x0 - a.x0) * MM for a, b in itertools.pairwise(run)]
    ctm = ' CTM="1 0 0 1 0.5 0.25"' if n % 2 else ""
    dx, dy = (-0.5, -0.25) if n % 2 else (0.0, 0.0)
    top = base - size
    text = escape("".join(c.text for c in run))
    delta = f' DeltaX="{_deltas(deltas)}"' if deltas else ""
    return (f'<ofd:TextObject ID="{n}" Boundary="{x0:.4f} {top:.4f} {width + size:.4f} {size * 1.2:.4f}" Font="1" '
            f'Size="{size:.4f}"{ctm}><ofd:TextCode X="{dx:.4f}" Y="{size + dy:.4f}"{delta}>{text}</ofd:TextCode>'
            "</ofd:TextObject>")


def _path_object(n: int, e: dict) -> str:
    x0, y0 = e["x0"] * MM, e["top"] * MM
    x1, y1 = e["x1"] * MM, e["bottom"] * MM
    ctm = ' CTM="1 0 0 1 0.3 0.2"' if n % 2 else ""
    dx, dy = (-0.3, -0.2) if n % 2 else (0.0, 0.0)
    return (f'<ofd:PathObject ID="{n}" Boundary="{x0:.4f} {y0:.4f} {x1 - x0 + 0.1:.4f} {y1 - y0 + 0.1:.4f}" '
            f'LineWidth="0.25"{ctm}><ofd:AbbreviatedData>M {dx:.4f} {dy:.4f} L {x1 - x0 + dx:.4f} {y1 - y0 + dy:.4f}'
            "</ofd:AbbreviatedData></ofd:PathObject>")


def pdf_to_ofd(pdf: bytes) -> bytes:
    pages = list(_pages(pdf, "x.pdf"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} Version="1.0" DocType="OFD">'
                              "<ofd:DocBody><ofd:DocInfo><ofd:DocID>test</ofd:DocID></ofd:DocInfo>"
                              "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        listed = "".join(f'<ofd:Page ID="{100 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        z.writestr("Doc_0/Document.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}><ofd:CommonData><ofd:MaxUnitID>9</ofd:MaxUnitID>'
                   "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
                   '<ofd:TemplatePage ID="2" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData>'
                   f"<ofd:Pages>{listed}</ofd:Pages></ofd:Document>")
        n = 10
        for i, page in enumerate(pages):
            height = page.height * MM
            texts = []
            for run in _lines(page.chars):
                texts.append(_text_object(n, run))
                n += 1
            paths = []
            for e in page.edges:
                paths.append(_path_object(n, e))
                n += 1
            template = ""
            if i == 0:  # the first page's ruling drawn by a template page under it
                z.writestr("Doc_0/Tpls/Tpl_0/Content.xml",
                           f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Content><ofd:Layer ID="3">'
                           + "".join(paths) + "</ofd:Layer></ofd:Content></ofd:Page>")
                template, paths = '<ofd:Template TemplateID="2"/>', []
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml",
                       f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}>{template}'
                       f"<ofd:Area><ofd:PhysicalBox>0 0 210 {height:.4f}</ofd:PhysicalBox></ofd:Area>"
                       f'<ofd:Content><ofd:Layer ID="{n}"><ofd:PageBlock ID="{n + 1}">' + "".join(texts)
                       + "</ofd:PageBlock>" + "".join(paths) + "</ofd:Layer></ofd:Content></ofd:Page>")
            n += 2
    return out.getvalue()
