"""The package of an .xlsx file: its workbook, relationships, shared strings and number formats,
what every sheet needs to be read (each part parsed without entities or network, as openpyxl does)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from jixiao.formats import ReadError

REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def damaged(name: str, exc: Exception | str) -> ReadError:
    """The one message for a package that is damaged or not as the standard has it, with what was found."""
    what = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return ReadError(
        f"Excel 文件已损坏或格式不规范（{what}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再试。", name
    )


class Book:
    """What every sheet needs from the workbook: shared strings, formats, the date epoch, sheets."""

    def __init__(self, zf: Any, name: str) -> None:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.parts = set(zf.namelist())
        root_rels = _rels(zf, "_rels/.rels")
        workbook = next((t for t, kind in root_rels.values() if kind.endswith("/officeDocument")), "")
        workbook = _resolve("", workbook) or "xl/workbook.xml"
        if workbook not in self.parts:
            raise damaged(name, "缺少工作簿 workbook.xml")
        base = posixpath.dirname(workbook)
        rels = _rels(zf, posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels"))
        wb = _parse(zf.read(workbook))
        pr = _find(wb, "workbookPr")
        self.epoch = (
            CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") else CALENDAR_WINDOWS_1900
        )
        self.sheets: list[tuple[str, str]] = []
        for sheet in _iter(wb, "sheet"):
            target, kind = rels.get(sheet.get(REL + "id") or sheet.get("{http://purl.oclc.org/ooxml/officeDocument/relationships}id") or "", ("", ""))
            if kind and not kind.endswith("/worksheet"):
                continue  # a chart sheet or a dialog sheet holds no cells
            self.sheets.append((sheet.get("name", ""), _resolve(base, target)))
        strings_part = next((t for t, kind in rels.values() if kind.endswith("/sharedStrings")), "")
        self.strings = _shared_strings(zf, _resolve(base, strings_part)) if strings_part else []
        formats: dict[int, str] = dict(BUILTIN_FORMATS)
        self.xf_formats: list[str] = []
        styles_part = next((t for t, kind in rels.values() if kind.endswith("/styles")), "")
        styles_path = _resolve(base, styles_part) if styles_part else ""
        if styles_path in self.parts:
            styles = _parse(zf.read(styles_path))
            for nf in _iter(styles, "numFmt"):
                formats[int(nf.get("numFmtId", "0"))] = nf.get("formatCode", "General")
            xfs = _find(styles, "cellXfs")
            if xfs is not None:
                self.xf_formats = [
                    formats.get(int(xf.get("numFmtId", "0")), "General") for xf in _children(xfs, "xf")
                ]
        self.dates = {i for i, f in enumerate(self.xf_formats) if is_date_format(f)}
        self.durations = {i for i in self.dates if is_timedelta_format(self.xf_formats[i])}

    def number_format(self, style: int) -> str:
        return self.xf_formats[style] if 0 <= style < len(self.xf_formats) else "General"


def _parse(xml: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(xml, parser)


def local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _iter(root: Any, name: str) -> Iterator[Any]:
    return (el for el in root.iter() if local(el.tag) == name)


def _find(root: Any, name: str) -> Any:
    return next(_iter(root, name), None)


def _children(root: Any, name: str) -> list[Any]:
    return [el for el in root if local(el.tag) == name]


def _rels(zf: Any, path: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (target, type) of one .rels part; none when the part is missing."""
    try:
        root = _parse(zf.read(path))
    except KeyError:
        return {}
    return {r.get("Id", ""): (r.get("Target", ""), r.get("Type", "")) for r in _iter(root, "Relationship")}


def _resolve(base: str, target: str) -> str:
    if not target:
        return ""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))


def text_of(el: Any) -> str:
    """The text of a string item (<si> or <is>): its <t> and its runs' <t>, without phonetic runs."""
    out = []
    for child in el:
        tag = local(child.tag)
        if tag == "t":
            out.append(child.text or "")
        elif tag == "r":
            out.extend(t.text or "" for t in child if local(t.tag) == "t")
    return "".join(out)


def _shared_strings(zf: Any, path: str) -> list[str]:
    from lxml import etree

    if path not in set(zf.namelist()):
        return []
    strings = []
    with zf.open(path) as fh:
        for _, el in etree.iterparse(fh, events=("end",), resolve_entities=False, no_network=True):
            if local(el.tag) == "si":
                strings.append(text_of(el).replace("x005F_", ""))
                el.clear()
    return strings


