"""The CJK font of the PDF writers: Noto Sans SC from the PyPI package pylopdf-fonts-zh-cn (SIL OFL 1.1).

Noto Sans SC is an OpenType font with CFF outlines. fpdf2 embeds such a font with an embedded
encoding CMap that pdfminer (and so pdfplumber, the project's own PDF reader) does not read: the
text would be invisible to them. So the writers use its glyphs converted to TrueType outlines
(fontTools: cu2qu, as fontTools' otf2ttf recipe does), which fpdf2 embeds as Identity-H with a
ToUnicode map that every reader understands, cut down by fpdf2 to the glyphs a document uses.

Converting a glyph is the slow part (most of a second for a form's few hundred), so each glyph is
converted once: `pdf_font` keeps one TrueType file of every character written so far and adds to it
only the characters it lacks. The file is kept in the cache folder (JIXIAO_FONT_CACHE, else
$XDG_CACHE_HOME/jixiao or ~/.cache/jixiao), named after the source font, so a new process starts
from it; it only ever grows (under a file lock), so any process may read it while another adds.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FONT_PACKAGE = "pylopdf-fonts-zh-cn"
# Always kept, so that measuring and drawing any ASCII text works whatever the document holds.
_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u3000（）：，。、；％"
CACHE_VERSION = 1  # bump when the converted font would differ: the old cache files are then not used


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


@functools.lru_cache(maxsize=1)
def _source() -> Any:
    """The prepared font, opened once and only read from (the glyphs added to the kept font)."""
    from fontTools.ttLib import TTFont

    return TTFont(io.BytesIO(_prepared_font()))


# ---------------------------------------------------------------------------------------------
# The kept font: one TrueType file of every character written so far


@dataclass(frozen=True)
class _Kept:
    path: Path
    covered: frozenset[int]  # the code points it has a glyph for


_lock = threading.Lock()
_kept: _Kept | None = None
_absent: set[int] = set()  # code points Noto Sans SC has no glyph for: never looked for again


def pdf_font(text: str) -> Path:
    """A TrueType Noto Sans SC file with the characters of `text` (those the font has) and ASCII.

    The file may hold more characters than asked (fpdf2 embeds only those a document uses) and is
    not to be changed or removed by the caller.
    """
    global _kept
    wanted = {ord(ch) for ch in text + _ALWAYS if ch >= " "}
    with _lock:
        if _kept is None:
            _kept = _read(_cache_file())
        if _kept is None or not wanted <= _kept.covered | _absent:
            _kept = _grow(wanted)
        return _kept.path


def _grow(wanted: set[int]) -> _Kept:
    """Add the characters the kept font lacks, starting from the file (another process may have grown it)."""
    from fontTools.ttLib import TTFont

    path = _cache_file()
    with _file_lock(path):
        kept = _read(path)
        have = set(kept.covered) if kept else set()
        if _kept is not None and not _kept.covered <= have:  # the file was replaced by a smaller one
            wanted |= _kept.covered
        cmap = _source().getBestCmap()
        _absent.update(cp for cp in wanted if cp not in cmap)
        missing = {cp for cp in wanted - have if cp in cmap}
        if kept is not None and not missing:
            return kept
        font = TTFont(io.BytesIO(kept.path.read_bytes() if kept else truetype_subset("")),
                      recalcBBoxes=False, recalcTimestamp=False)
        add_glyphs(font, _source(), missing)
        out = io.BytesIO()
        font.save(out)
        _replace(path, out.getvalue())
    return _Kept(path, frozenset(have | missing))


def _read(path: Path) -> _Kept | None:
    """The kept font in `path` and the characters it covers, or None when there is none readable."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        return _Kept(path, frozenset(TTFont(str(path), lazy=True).getBestCmap()))
    except (OSError, TTLibError, AssertionError, KeyError, TypeError):
        return None


def _cache_file() -> Path:
    """The kept font's file: in the cache folder, or in a folder of this process when that is not writable."""
    source = font_path()
    stat = source.stat()
    import fontTools

    key = f"{CACHE_VERSION}|{source.name}|{stat.st_size}|{stat.st_mtime_ns}|{fontTools.version}|{_ALWAYS}"
    name = f"NotoSansSC-truetype-{hashlib.sha256(key.encode()).hexdigest()[:16]}.ttf"
    folder = _cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return _private_folder() / name
    return folder / name if os.access(folder, os.W_OK) else _private_folder() / name


def _cache_folder() -> Path:
    if os.environ.get("JIXIAO_FONT_CACHE"):
        return Path(os.environ["JIXIAO_FONT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jixiao"


@functools.lru_cache(maxsize=1)
def _private_folder() -> Path:
    """A folder of this process's own (the cache folder is not writable), removed when it exits."""
    import atexit
    import shutil

    folder = Path(tempfile.mkdtemp(prefix="jixiao-font-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold the kept font's lock file, so that two processes growing it don't lose each other's glyphs."""
    try:
        import fcntl
    except ImportError:  # not POSIX: one process at a time is assumed
        yield
        return
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _replace(path: Path, data: bytes) -> None:
    """Write the file whole under another name and rename it: a reader sees the old file or the new."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------
# Converting


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


def _quadratic(glyph: Any) -> Any:
    """A CFF (cubic) glyph as a glyf (quadratic) one, as fontTools' otf2ttf converts them."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    glyph.draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
    return pen.glyph()


def add_glyphs(font: Any, source: Any, codepoints: Iterable[int]) -> None:
    """Add to the TrueType `font` the glyphs of `codepoints` from the CFF `source` (glyph names are kept).

    Only the new glyphs are converted and compiled; the font's bounds and maxima are widened by
    theirs (the font is saved without recalculating, which would decompile every glyph).
    """
    for tag in ("glyf", "hmtx", "cmap", "post", "maxp", "head", "hhea", "loca"):
        font[tag]  # read under the old glyph order
    source_cmap, source_glyphs, source_hmtx = source.getBestCmap(), source.getGlyphSet(), source["hmtx"]
    glyf, hmtx = font["glyf"], font["hmtx"]
    order = list(font.getGlyphOrder())
    known = set(order)
    mapped: dict[int, str] = {}
    for cp in sorted(codepoints):
        name = mapped[cp] = source_cmap[cp]
        if name in known:
            continue
        glyph = _quadratic(source_glyphs[name])
        glyph.recalcBounds(glyf)
        glyf.glyphs[name] = glyph
        hmtx.metrics[name] = (source_hmtx[name][0], getattr(glyph, "xMin", 0))
        _widen(font, glyph, source_hmtx[name][0])
        known.add(name)
        order.append(name)
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    font["maxp"].numGlyphs = len(order)
    _map(font["cmap"], mapped)


def _widen(font: Any, glyph: Any, advance: int) -> None:
    """Widen the font's bounds (head), metrics maxima (hhea) and outline maxima (maxp) by one new glyph."""
    head, hhea, maxp = font["head"], font["hhea"], font["maxp"]
    hhea.advanceWidthMax = max(hhea.advanceWidthMax, advance)
    if not getattr(glyph, "numberOfContours", 0):
        return
    head.xMin, head.yMin = min(head.xMin, glyph.xMin), min(head.yMin, glyph.yMin)
    head.xMax, head.yMax = max(head.xMax, glyph.xMax), max(head.yMax, glyph.yMax)
    hhea.minLeftSideBearing = min(hhea.minLeftSideBearing, glyph.xMin)
    hhea.minRightSideBearing = min(hhea.minRightSideBearing, advance - glyph.xMax)
    hhea.xMaxExtent = max(hhea.xMaxExtent, glyph.xMax)
    maxp.maxPoints = max(maxp.maxPoints, len(glyph.coordinates))
    maxp.maxContours = max(maxp.maxContours, glyph.numberOfContours)


def _map(cmap: Any, mapped: dict[int, str]) -> None:
    """Map the code points in every Unicode subtable that can hold them (a format 12 one is added if needed)."""
    from fontTools.ttLib.tables._c_m_a_p import cmap_classes

    tables = [t for t in cmap.tables if t.isUnicode() and t.format in (4, 12)]
    if any(cp > 0xFFFF for cp in mapped) and not any(t.format == 12 for t in tables):
        wide = cmap_classes[12](12)
        wide.platformID, wide.platEncID, wide.language, wide.cmap = 3, 10, 0, dict(tables[0].cmap)
        cmap.tables.append(wide)
        tables.append(wide)
    for table in tables:
        table.cmap.update((cp, n) for cp, n in mapped.items() if table.format == 12 or cp <= 0xFFFF)


def _cff_to_glyf(font: Any) -> None:
    """Replace CFF (cubic) outlines with glyf (quadratic) ones, in the manner of fontTools' otf2ttf."""
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {name: _quadratic(glyph_set[name]) for name in order}
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
