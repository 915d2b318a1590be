"""Mutated real files for the reader fuzz tests and bench/fuzz.py: one place for both.

A case is a real sample (tests/fixtures) damaged in one of the ways files are damaged in the wild or
by an attacker: bytes flipped, the file cut short, a member of its zip container damaged, removed
or renamed, a number in its XML blown up (spans, indexes, merges), or its nesting deepened. Every
mutation is a pure function of the sample and a few integers, so hypothesis can draw and shrink
them and the bench can replay them from a seed.

The oracle (`judge`) is the readers' contract: no exception but ReadError escapes, and a
ReadError says in Chinese what is wrong with which file; the read ends within the time limit;
and a file is either read or named with a reason: a mutated file that gives fewer forms than its
original with no problem reported (no read problem, no S01 "form incomplete" finding) is a silent loss.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# Format → real samples of it (the project's own fixtures; /work/shared/samples holds the same files).
SAMPLES: dict[str, tuple[str, ...]] = {
    "docx": ("samples/mof2020-b.docx", "samples/mof2020-a.docx", "samples/seed.docx", "docx_vmerge_gridspan.docx"),
    "xlsx": ("samples/mof2020-b.xlsx", "samples/mof2020-a.xlsx", "samples/seed.xlsx", "xlsx_percent_format.xlsx"),
    "xls": ("xls_mof2020-a.xls", "xls_merged_percent.xls", "xls_spreadsheet_xml_2003.xls"),
    "pdf": ("samples/mof2020-b.pdf", "samples/mof2020-a.pdf"),
    "ofd": ("ofd_mof2020-b.ofd",),  # mof2020-b.pdf as OFD (tests/formats/ofd_writer.py)
    "html": ("samples/mof2020-b.html", "samples/seed.html", "html_word_single_file.mht", "html_gbk_no_meta.html"),
    "text": ("samples/mof2020-b.txt", "samples/seed.txt"),
    "delimited": ("delimited_mof2020-b.csv", "delimited_seed.csv"),  # the text samples as Excel saves CSV
    "office": ("office_calc.ods", "office_word97_from_html.doc"),
}
KINDS = ("flip", "truncate", "member", "blowup", "nest")
CJK = re.compile("[\u4e00-\u9fff]")
HUGE = ("99999999999999999999", "1000000000", "-1", "0", "2147483648", "1e9", "", "abc", "65536")


@cache
def sample(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


def flip(data: bytes, positions: list[int], values: list[int]) -> bytes:
    if not data:
        return data  # an empty zip member has no byte to flip
    out = bytearray(data)
    for pos, value in zip(positions, values, strict=False):
        out[pos % len(out)] ^= value % 255 + 1
    return bytes(out)


def truncate(data: bytes, at: int) -> bytes:
    return data[: at % max(len(data), 1)]


def member(data: bytes, which: int, how: int, at: int) -> bytes:
    """One member of a zip container truncated, flipped, emptied, removed or renamed."""
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
        infos = src.infolist()
    except zipfile.BadZipFile:
        return flip(data, [at], [how])
    target = infos[which % len(infos)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in infos:
            content = src.read(info)
            if info is target:
                mode = how % 5
                if mode == 0:
                    content = content[: at % max(len(content), 1)]
                elif mode == 1:
                    content = flip(content, [at, at * 7 + 3], [how, how + 1])
                elif mode == 2:
                    content = b""
                elif mode == 3:
                    continue  # the member removed
                else:
                    info = zipfile.ZipInfo(("../" if at % 2 else ".") + info.filename)
            dst.writestr(info, content)
    return out.getvalue()


_NUMBERS = re.compile(
    rb'((?:w:val|w:w|gridSpan|colspan|rowspan|ss:Index|ss:MergeAcross|ss:MergeDown|r|ref|count)=["\'])([^"\']*)(["\'])'
)


def blowup(data: bytes, which: int, value: int) -> bytes:
    """One numeric attribute (a span, index, merge or width) of the XML or HTML set to a hostile value;
    in a zip container, in its main part."""
    if data.startswith(b"PK"):
        return _in_main_part(data, lambda xml: blowup(xml, which, value))
    found = list(_NUMBERS.finditer(data))
    if not found:
        return data
    m = found[which % len(found)]
    huge = HUGE[value % len(HUGE)].encode()
    if m.group(1).startswith(b"ref"):
        huge = b"A1:XFD1048576" if value % 2 else b"A1:" + huge
    return data[: m.start(2)] + huge + data[m.end(2) :]


def nest(data: bytes, depth: int) -> bytes:
    """Tables (HTML) or paragraphs' wrappers (a .docx) nested depth deep around the first table."""
    if data.startswith(b"PK"):
        wrap = (b"<w:sdt><w:sdtContent>", b"</w:sdtContent></w:sdt>")
        return _in_main_part(data, lambda xml: _wrap(xml, b"<w:tbl>", b"</w:tbl>", wrap, depth))
    return _wrap(data, b"<table", b"</table>", (b"<div>", b"</div>"), depth)


def _wrap(data: bytes, start: bytes, end: bytes, wrap: tuple[bytes, bytes], depth: int) -> bytes:
    i, j = data.find(start), data.find(end)
    if i < 0 or j < 0:
        return data
    j += len(end)
    return data[:i] + wrap[0] * depth + data[i:j] + wrap[1] * depth + data[j:]


def _in_main_part(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
        infos = src.infolist()
    except zipfile.BadZipFile:
        return data
    main = next((i for i in infos if i.filename in ("word/document.xml", "content.xml")), None)
    main = main or next((i for i in infos if i.filename.startswith("xl/worksheets/")), None)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in infos:
            content = src.read(info)
            dst.writestr(info, change(content) if info is main else content)
    return out.getvalue()


def mutate(data: bytes, kind: str, a: int, b: int, c: int) -> bytes:
    if kind == "flip":
        return flip(data, [a, a * 31 + b, b][: 1 + c % 3], [b, c, a])
    if kind == "truncate":
        return truncate(data, a)
    if kind == "member":
        return member(data, a, b, c)
    if kind == "blowup":
        return blowup(data, a, b)
    return nest(data, 200 + c % 2000)


# ---------------------------------------------------------------------------------------------
# The oracle


@dataclass(frozen=True)
class Verdict:
    seconds: float
    forms: int  # forms the batch read from the mutated file
    problems: tuple[str, ...]  # the messages the batch named the file with
    error: BaseException | None  # an exception that escaped (a traceback): must be None
    records: tuple[object, ...] = ()  # the forms read, as records

    def lost_forms(self, original: int) -> bool:
        return self.forms < original and not self.problems

    def cut_between_forms(self, path: str, kind: str) -> bool:
        """A file cut short exactly between two forms: every form read is whole and equal to the
        original's, and nothing of the rest is left. What remains is a whole file of fewer forms; no
        reader can tell it from one (told apart in the figures, not hidden)."""
        return kind == "truncate" and self.records == original_records(path)[: self.forms]


@cache
def original_records(path: str) -> tuple[object, ...]:
    from jixiao import services
    from jixiao.core.model import to_record

    return tuple(to_record(f) for f in services.read_upload(sample(path), path.rsplit("/", 1)[-1]).forms)


def original_forms(path: str) -> int:
    return len(original_records(path))


def judge(data: bytes, name: str) -> Verdict:
    """Read a file as the batch does (registry → reader → recogniser) and record what happened."""
    from jixiao import services
    from jixiao.core.layout_checks import missing_blocks
    from jixiao.core.model import to_record

    start = time.perf_counter()
    try:
        batch = services.read_upload(data, name)
    except Exception as exc:  # anything escaping is exactly what is being counted
        return Verdict(time.perf_counter() - start, 0, (), exc)
    seconds = time.perf_counter() - start
    problems = [p.message for p in (*batch.problems, *batch.skipped)]
    # A form cut short is named by its S01 finding (a block such as the 总分 row missing).
    problems += [f"S01 {f.message}" for i, form in enumerate(batch.forms, 1) for f in missing_blocks(form, i)][:1]
    return Verdict(seconds, len(batch.forms), tuple(problems), None, tuple(to_record(f) for f in batch.forms))


def contract_broken(verdict: Verdict, path: str, kind: str, seconds: float) -> str:
    """What of the readers' contract a verdict breaks ("" if none)."""
    if verdict.error is not None:
        return f"an exception escaped: {verdict.error!r}"
    if verdict.seconds > seconds:
        return f"the read took {verdict.seconds:.1f} s (limit {seconds} s)"
    if any(not CJK.search(m) for m in verdict.problems):
        return f"a problem without a Chinese message: {verdict.problems}"
    original = original_forms(path)
    if verdict.lost_forms(original) and not verdict.cut_between_forms(path, kind):
        return f"{verdict.forms} of {original} forms read and no problem reported"
    return ""
