"""The CJK font of the PDF writer: Noto Sans SC from the PyPI package pylopdf-fonts-zh-cn (SIL OFL 1.1).

Noto Sans SC is an OpenType font with CFF outlines. fpdf2 embeds such a font with an embedded
encoding CMap that pdfminer (and so pdfplumber, the project's own PDF reader) does not read: the
text would be invisible to them. So the writer cuts the font down to the characters of the document
and converts that subset to TrueType outlines (fontTools: cu2qu, as fontTools' otf2ttf recipe
does), which fpdf2 embeds as Identity-H with a ToUnicode map that every reader understands. A
document's subset is a few hundred glyphs and takes a second or two to build.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

FONT_PACKAGE = "pylopdf-fonts-zh-cn"
# Always kept, so that measuring and drawing any ASCII text works whatever the document holds.
_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u3000（）：，。、；％"


def font_path() -> Path:
    """The Noto Sans SC file; a Chinese message says what to install when the package is missing."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        raise RuntimeError(
            f"写出 PDF 需要中文字体包 {FONT_PACKAGE}（Noto Sans SC，思源黑体）。"
            f"请运行 pip install {FONT_PACKAGE} 后重试。"
        ) from None
    return Path(pylopdf_fonts_zh_cn.sans_path())


# Tables fpdf2 never uses (it sets text glyph by glyph): decompiling them took most of each PDF's time.
_UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "VORG", "vhea", "vmtx", "DSIG")


@functools.lru_cache(maxsize=1)
def _prepared_font() -> bytes:
    """The font once per process, without the tables no PDF of ours uses: what each subset starts from."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_path()))
    for tag in _UNUSED_TABLES:
        if tag in font:
            del font[tag]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def truetype_subset(text: str) -> bytes:
    """The font cut down to the characters of `text` (and ASCII), with TrueType outlines, as a .ttf."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_prepared_font()))
    options = subset.Options()
    options.layout_features = []  # fpdf2 sets text glyph by glyph; no shaping needed
    options.name_IDs = ["*"]  # keep the copyright and licence names with the embedded font
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text + _ALWAYS))))
    subsetter.subset(font)
    if "CFF " in font:
        _cff_to_glyf(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _cff_to_glyf(font: Any) -> None:
    """Replace CFF (cubic) outlines with glyf (quadratic) ones, in the manner of fontTools' otf2ttf."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name in order:
        glyph = glyf[name]
        glyph.recalcBounds(glyf)
        hmtx[name] = (hmtx[name][0], getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.compile(font)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
