"""The format registry: which module reads a file, found by content, and where files come from.

In the style of tablib's formats registry: a format name maps to a module path, and the module
(with its heavy library) is imported only when a file of that format is read. Detection looks at
the content; the file name's extension only breaks ties (a .xls that is really an HTML table is
read as HTML). Sources expand folders and zip archives, with limits against oversized files and
zip bombs; every failure is a ReadError whose Chinese message names the file and says what to do.
"""

from __future__ import annotations

import importlib
import io
import os
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Protocol, cast

from jixiao.formats import ReadError
from jixiao.formats.grid import Grid

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Safety limits for untrusted files (uploads, archives from e-mail)."""

    max_file_size: int = 50 * MB  # one input file, or one member of an archive
    max_unpacked_size: int = 500 * MB  # all members of one zip (archive, docx or xlsx) together
    max_ratio: int = 200  # uncompressed / compressed size of a member larger than 1 MB
    max_members: int = 10_000  # entries in one zip
    max_depth: int = 3  # zip inside zip inside zip


DEFAULT_LIMITS = Limits()
_limits: ContextVar[Limits] = ContextVar("jixiao_read_limits", default=DEFAULT_LIMITS)


def current_limits() -> Limits:
    """The limits in force for the read under way (set by read_grids / iter_inputs)."""
    return _limits.get()


@contextmanager
def _using(limits: Limits | None) -> Iterator[None]:
    token = _limits.set(limits or _limits.get())
    try:
        yield
    finally:
        _limits.reset(token)


class Reader(Protocol):
    EXTENSIONS: tuple[str, ...]

    def detect(self, head: bytes, name: str) -> bool: ...

    def read(self, data: bytes, name: str) -> list[Grid]: ...


# Format name → module. Order matters only for display.
FORMATS: dict[str, str] = {
    "docx": "jixiao.formats.docx",
    "xlsx": "jixiao.formats.xlsx",
    "xls": "jixiao.formats.xls",
    "pdf": "jixiao.formats.pdf",
    "html": "jixiao.formats.html",
    "text": "jixiao.formats.text",
    "office": "jixiao.formats.office",  # .doc .wps .et .rtf .odt .ods via LibreOffice
    "scan": "jixiao.formats.scan",  # page images, and PDFs without a text layer, by OCR
}

EXTENSIONS: dict[str, str] = {
    ".docx": "docx",
    ".docm": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".et": "xls",  # WPS spreadsheets are BIFF8 inside; office.py converts when xlrd can't
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".mht": "html",
    ".mhtml": "html",
    ".txt": "text",
    ".tsv": "text",
    ".doc": "office",
    ".wps": "office",
    ".rtf": "office",
    ".odt": "office",
    ".ods": "office",
    ".ett": "office",
    ".wpt": "office",
    ".png": "scan",
    ".jpg": "scan",
    ".jpeg": "scan",
    ".tif": "scan",
    ".tiff": "scan",
    ".bmp": "scan",
}
ARCHIVE_EXTENSIONS = (".zip",)

_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_EMPTY = b"PK\x05\x06"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def get_format(name: str) -> Reader:
    """The reader module of a format, imported on first use."""
    try:
        path = FORMATS[name]
    except KeyError:
        raise ReadError(f"不支持的格式“{name}”。") from None
    try:
        module: ModuleType = importlib.import_module(path)
    except ImportError as exc:
        raise ReadError(
            f"读取“{name}”格式所需的组件没有安装（{exc.name or exc}）。请联系管理员安装完整的 jixiao。"
        ) from exc
    return cast(Reader, module)


def extension(name: str) -> str:
    base = name.rsplit("!/", 1)[-1]
    return os.path.splitext(base)[1].lower()


# ---------------------------------------------------------------------------------------------
# Detection


def detect_format(head: bytes, name: str) -> str | None:
    """The format of a file from its first bytes (the whole file where possible); None if unknown.

    Besides the names in FORMATS: "zip" for an archive that is neither a Word nor an Excel
    document, "encrypted" for an Office file that needs a password (an OLE2 EncryptedPackage).
    """
    ext = extension(name)
    if head.startswith((_ZIP_MAGIC, _ZIP_EMPTY)):
        return _detect_zip(head, ext)
    if head.startswith(_OLE2_MAGIC):
        return _detect_ole2(head, ext)
    stripped = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    if stripped.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if importlib.import_module("jixiao.formats.scan").detect(head, name):
        return "scan"
    if stripped.startswith(b"{\\rtf"):
        return "office"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head[:4096] and b"<Workbook" in head[:4096]:
        return "xls"  # XML Spreadsheet 2003, which finance systems export as .xls
    if _looks_like_html(head) or (
        b"MIME-Version" in head[:1024] and b"multipart/related" in head[:4096].lower()
    ):
        return "html"  # a web page, or a "single file web page" (.mht) holding one
    text = _text_module()
    try:
        if text is not None and text.detect(head, name):
            return "text"
    except Exception:  # a detector must not fail a batch: unknown, not an error
        pass
    if ext in (".txt", ".tsv") and text is not None:
        return "text"
    return None


def _detect_zip(head: bytes, ext: str) -> str | None:
    partial = False
    names: list[str]
    try:
        with zipfile.ZipFile(io.BytesIO(head)) as zf:
            names = zf.namelist()
    except Exception:  # BadZipFile, or a damaged header zipfile rejects in its own ways
        # Only the head of the file: look at the names in the local headers it holds.
        partial = True
        names = [n.decode("utf-8", "replace") for n in _local_names(head)]
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        return "office"  # OpenDocument (.odt/.ods): LibreOffice converts it
    if partial:
        # The parts that tell may lie beyond the head: the extension decides.
        return EXTENSIONS.get(ext, "zip")
    return "zip"


def _local_names(head: bytes) -> list[bytes]:
    names: list[bytes] = []
    pos = 0
    while True:
        pos = head.find(_ZIP_MAGIC, pos)
        if pos < 0 or pos + 30 > len(head):
            return names
        n = int.from_bytes(head[pos + 26 : pos + 28], "little")
        names.append(head[pos + 30 : pos + 30 + n])
        pos += 30 + n


def ole2_streams(data: bytes) -> list[str]:
    """Names of the streams in an OLE2 compound file (legacy Office, WPS, encrypted OOXML)."""
    from xlrd import compdoc

    try:
        doc = compdoc.CompDoc(data, logfile=io.StringIO())
    except Exception:
        return []
    return [d.name for d in doc.dirlist if d.etype in (1, 2)]


def _detect_ole2(head: bytes, ext: str) -> str | None:
    streams = {s.lower() for s in ole2_streams(head)}
    if "encryptedpackage" in streams:
        return "encrypted"
    if "workbook" in streams or "book" in streams:
        return "xls"
    if "worddocument" in streams:
        return "office"
    if ext in (".xls", ".et"):
        return "xls"
    if ext in (".doc", ".wps"):
        return "office"
    return "office" if streams else EXTENSIONS.get(ext)


def _looks_like_html(head: bytes) -> bool:
    sample = head[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            sample = sample.decode("utf-16").encode("ascii", "ignore")
        except UnicodeDecodeError:
            return False
    low = sample.lower()
    return any(tag in low for tag in (b"<html", b"<table", b"<!doctype html", b"<body"))


def _text_module() -> Reader | None:
    try:
        return get_format("text")
    except ReadError:  # the plain-text reader is not there
        return None


# ---------------------------------------------------------------------------------------------
# Reading


def read_grids(data: bytes, name: str, *, limits: Limits | None = None) -> list[Grid]:
    """Every table of one file as grids; ReadError (Chinese message naming the file) on failure."""
    with _using(limits):
        lim = current_limits()
        if len(data) > lim.max_file_size:
            raise ReadError(_too_big(len(data), lim), name)
        if not data:
            raise ReadError("文件是空的（0 字节）。请检查文件是否完整上传。", name)
        fmt = detect_format(data, name)
        if fmt is None:
            raise ReadError(
                "无法识别的文件格式。支持 Word（.docx/.doc/.wps）、Excel（.xlsx/.xls/.et）、PDF、"
                "网页（.html）和制表符分隔的文本；请用 Office 或 WPS 另存为其中一种格式后再试。",
                name,
            )
        if fmt == "encrypted":
            raise ReadError(
                "文件已加密（设置了打开密码），无法读取。请在 Office 或 WPS 中打开并取消密码后另存，再重新提交。",
                name,
            )
        if fmt == "zip":
            raise ReadError(
                "这是一个压缩包，不是单个报表文件；请直接提交压缩包让系统逐个读取其中的文件。", name
            )
        reader = get_format(fmt)
        try:
            grids = reader.read(data, name)
        except ReadError as err:
            if not err.file:
                err.file = name
            raise
        except MemoryError:
            raise ReadError("文件太大或结构异常，读取时内存不足。请拆分文件后再试。", name) from None
        except Exception as exc:  # a library's own error on a damaged file
            raise ReadError(
                f"文件已损坏或格式不规范，无法读取（{type(exc).__name__}）。请用 Office 或 WPS 打开后另存一份再试。",
                name,
            ) from exc
        return grids


def _too_big(size: int, lim: Limits) -> str:
    return (
        f"文件太大（{size / MB:.1f} MB），超过单个文件 {lim.max_file_size / MB:.0f} MB 的上限。"
        "请拆分文件或删除其中的图片后再试。"
    )


# ---------------------------------------------------------------------------------------------
# Zip safety (archives and the zip containers of .docx/.xlsx)


def open_zip(data: bytes, name: str, *, what: str = "压缩包") -> zipfile.ZipFile:
    """A ZipFile whose listing passed the bomb checks; nothing is unpacked here."""
    lim = current_limits()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ReadError(f"{what}已损坏，无法打开（{exc}）。请重新下载或重新保存后再试。", name) from None
    if len(infos) > lim.max_members:
        raise ReadError(f"{what}内的条目太多（{len(infos)} 个，上限 {lim.max_members}），已拒绝读取。", name)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ReadError(
                f"{what}已加密（设置了密码），无法读取。请解除密码后重新打包或另存，再提交。", name
            )
        total += info.file_size
        if info.file_size > 1 * MB and info.file_size > lim.max_ratio * max(info.compress_size, 1):
            raise ReadError(
                f"{what}中的“{info.filename}”压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍），"
                "疑似压缩炸弹，已拒绝解压。如确属正常文件，请解压后逐个提交。",
                name,
            )
    if total > lim.max_unpacked_size:
        raise ReadError(
            f"{what}解压后共 {total / MB:.0f} MB，超过 {lim.max_unpacked_size / MB:.0f} MB 的上限，"
            "疑似压缩炸弹，已拒绝解压。请拆分后再提交。",
            name,
        )
    return zf


def check_xml_prolog(zf: zipfile.ZipFile, name: str) -> None:
    """Refuse XML parts that declare a DTD: entity expansion ("billion laughs") and external entities.

    Office never writes a DOCTYPE into OOXML parts, so any DTD is refused outright, before any
    XML parser (openpyxl's, python-docx's or ours) sees it.
    """
    for info in zf.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as fh:
                head = fh.read(4096)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise ReadError(
                f"文件中的“{info.filename}”已损坏，无法解压（{exc}）。请用 Office 或 WPS 打开后另存一份再提交。",
                name,
            ) from None
        if not prolog_is_safe(head):
            raise ReadError(
                f"文件中的“{info.filename}”含有 DTD/实体声明（可能是恶意构造的文件），已拒绝读取。"
                "请用 Office 或 WPS 打开后另存一份再提交。",
                name,
            )


def prolog_is_safe(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    low = head.lower()
    pos = 0
    while True:
        lt = low.find(b"<", pos)
        if lt < 0 or lt + 1 >= len(low):
            return b"<!doctype" not in low and b"<!entity" not in low
        nxt = low[lt + 1 : lt + 2]
        if nxt == b"?" or low.startswith(b"<!--", lt):
            end = low.find(b"?>" if nxt == b"?" else b"-->", lt)
            if end < 0:
                return b"<!doctype" not in low and b"<!entity" not in low
            pos = end + 2
            continue
        # The root element starts here, after which no DTD can follow.
        return not (low.startswith(b"<!doctype", lt) or low.startswith(b"<!entity", lt))


def check_ooxml(data: bytes, name: str, what: str) -> zipfile.ZipFile:
    """Open a .docx/.xlsx container with the zip-bomb and DTD checks applied."""
    zf = open_zip(data, name, what=what)
    check_xml_prolog(zf, name)
    return zf


# ---------------------------------------------------------------------------------------------
# Sources: files, folders, archives

Input = tuple[str, bytes] | ReadError


def iter_inputs(paths: Iterable[str | Path], *, limits: Limits | None = None) -> Iterator[Input]:
    """(name, data) for every readable file under paths, expanding folders and zip archives.

    Folders are walked recursively in name order, skipping hidden files and Office lock files
    (~$x.docx); inside folders and archives only files with a known extension are taken, while a
    path given explicitly is always taken. Problems come out as ReadError items, not exceptions.
    """
    lim = limits or current_limits()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in _walk(path):
                yield from _from_file(file, str(file), lim)
        elif path.exists():
            yield from _from_file(path, str(path), lim)
        else:
            yield ReadError("文件或文件夹不存在，请检查路径。", str(path))


def _walk(folder: Path) -> Iterator[Path]:
    """Files under a folder in path order, without following links (a link loop can't trap it)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not _skipped((d,))]
        found.extend(Path(root) / n for n in files if not _skipped((n,)) and _known(n))
    yield from sorted(found)


def _skipped(parts: tuple[str, ...]) -> bool:
    return any(p.startswith((".", "~$", "__MACOSX")) for p in parts)


def _known(name: str) -> bool:
    ext = extension(name)
    return ext in EXTENSIONS or ext in ARCHIVE_EXTENSIONS


def _from_file(path: Path, name: str, lim: Limits) -> Iterator[Input]:
    try:
        size = path.stat().st_size
        if size > lim.max_file_size:
            yield ReadError(_too_big(size, lim), name)
            return
        data = path.read_bytes()
    except OSError as exc:
        yield ReadError(f"无法读取文件（{exc.strerror or exc}）。请检查文件权限或是否被其他程序占用。", name)
        return
    yield from iter_data(data, name, limits=lim)


def iter_data(data: bytes, name: str, *, limits: Limits | None = None, depth: int = 0) -> Iterator[Input]:
    """The file itself, or the members of a zip archive (recursively, named "a.zip!/dir/x.docx")."""
    lim = limits or current_limits()
    if len(data) > lim.max_file_size:
        yield ReadError(_too_big(len(data), lim), name)
        return
    if not data.startswith((_ZIP_MAGIC, _ZIP_EMPTY)) or detect_format(data, name) != "zip":
        yield name, data
        return
    if depth >= lim.max_depth:
        yield ReadError(f"压缩包嵌套超过 {lim.max_depth} 层，已拒绝解压。请解压后提交。", name)
        return
    with _using(lim):
        try:
            zf = open_zip(data, name)
        except ReadError as err:
            yield err
            return
    with zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            member = _member_name(info)
            parts = tuple(p for p in member.split("/") if p)
            if not parts or _skipped(parts) or not _known(parts[-1]):
                continue
            full = f"{name}!/{member}"
            if info.file_size > lim.max_file_size:
                yield ReadError(_too_big(info.file_size, lim), full)
                continue
            try:
                with zf.open(info) as fh:
                    content = fh.read(lim.max_file_size + 1)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                yield ReadError(f"压缩包中的这个文件已损坏，无法解压（{exc}）。", full)
                continue
            yield from iter_data(content, full, limits=lim, depth=depth + 1)


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; Windows zips store Chinese names in GBK without saying so."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def read_all(
    paths: Iterable[str | Path], *, limits: Limits | None = None
) -> Iterator[tuple[str, list[Grid]] | ReadError]:
    """Grids of every file under paths; a file that can't be read becomes a ReadError item."""
    for item in iter_inputs(paths, limits=limits):
        if isinstance(item, ReadError):
            yield item
            continue
        name, data = item
        try:
            yield name, read_grids(data, name, limits=limits)
        except ReadError as err:
            yield err
