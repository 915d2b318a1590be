"""The format registry: which reader reads a file, and where files come from.

In the style of tablib's formats registry: a format name maps to a module path, the module (with
its heavy library) is imported only when it is asked, and the registry asks each reader in turn
whether a file is its own (`detect(data, name)`), in the order of FORMATS; it never looks inside a
file itself, except to tell an archive or an encrypted Office file, which no reader reads. Each
reader's EXTENSIONS is the one list of the names it is given from folders and archives.

Sources expand folders and zip archives, with the limits of formats.limits against oversized files
and zip bombs. A file that is not read is never dropped in silence: a problem comes out as a
ReadError naming the file, and a file deliberately left out (unknown type, hidden, an unsafe name in
an archive) as a Skipped item that says why.
"""

from __future__ import annotations

import importlib
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Protocol, cast

from jixiao.formats import ReadError, Skipped
from jixiao.formats.containers import (  # noqa: F401  (re-exported: readers of other branches import them here)
    ZIP_ERRORS,
    check_ooxml,
    check_xml_prolog,
    extension,
    is_ole2,
    is_zip,
    ole2_streams,
    open_zip,
    prolog_is_safe,
    zip_holds,
)
from jixiao.formats.grid import Grid
from jixiao.formats.limits import (  # noqa: F401  (re-exported: current_limits is imported from here)
    DEFAULT_LIMITS,
    MB,
    Limits,
    current_limits,
    timed,
    using,
)


class Reader(Protocol):
    EXTENSIONS: tuple[str, ...]

    def detect(self, data: bytes, name: str) -> bool: ...

    def read(self, data: bytes, name: str) -> list[Grid]: ...


# Format name → module, in the order the readers are asked (the first that claims a file reads it):
# containers first (zip, OLE2), a Workbook stream before other OLE2 files, XML Spreadsheet 2003
# before web pages, and plain text, which accepts almost anything, last.
FORMATS: dict[str, str] = {
    "docx": "jixiao.formats.docx",
    "xlsx": "jixiao.formats.xlsx",
    "xls": "jixiao.formats.xls",
    "pdf": "jixiao.formats.pdf",
    "ofd": "jixiao.formats.ofd",  # GB/T 33190 fixed-layout documents, read as a PDF's pages are
    "scan": "jixiao.formats.scan",  # page images (PDFs without a text layer come here from pdf)
    "office": "jixiao.formats.office",  # .doc .wps .rtf .odt .ods via LibreOffice
    "html": "jixiao.formats.html",
    "delimited": "jixiao.formats.delimited",  # .csv, and a .tsv/.txt whose lines are rows
    "text": "jixiao.formats.text",
}
ARCHIVE_EXTENSIONS = (".zip",)

# Readers whose own detect still asks the registry back (and so can't be asked by it): the
# registry asks this instead until the reader has a detect of its own. xlsx.py belongs to the
# batch work; its detect becomes `zip_holds(data, name, "xl/", EXTENSIONS)` and this entry goes.
_INTERIM_DETECT: dict[str, Callable[[ModuleType, bytes, str], bool]] = {
    "xlsx": lambda module, data, name: zip_holds(data, name, "xl/", module.EXTENSIONS),
}


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


def _readers() -> Iterator[tuple[str, Reader]]:
    for fmt in FORMATS:
        try:
            yield fmt, get_format(fmt)
        except ReadError:  # a reader whose module is not there claims nothing
            continue


def extensions() -> dict[str, str]:
    """Extension → format, from the readers' own EXTENSIONS (the first reader to list one wins)."""
    found: dict[str, str] = {}
    for fmt, reader in _readers():
        for ext in reader.EXTENSIONS:
            found.setdefault(ext, fmt)
    return found


# ---------------------------------------------------------------------------------------------
# Detection


def detect_format(data: bytes, name: str) -> str | None:
    """The format of a file from its content (the whole file, or its head); None if no reader claims it.

    Besides the names in FORMATS: "zip" for an archive that no reader claims, "encrypted" for an
    Office file that needs a password (an OLE2 EncryptedPackage).
    """
    if is_ole2(data) and "encryptedpackage" in {s.lower() for s in ole2_streams(data)}:
        return "encrypted"
    for fmt, reader in _readers():
        interim = _INTERIM_DETECT.get(fmt)
        try:
            claimed = interim(cast(ModuleType, reader), data, name) if interim else reader.detect(data, name)
        except Exception:  # a detector must not fail a batch: not its file, not an error
            claimed = False
        if claimed:
            return fmt
    return "zip" if is_zip(data) else None


# ---------------------------------------------------------------------------------------------
# Reading

UNKNOWN_FORMAT = (
    "无法识别的文件格式。支持 Word（.docx/.doc/.wps）、Excel（.xlsx/.xls/.et）、PDF、OFD、"
    "网页（.html）、CSV 和制表符分隔的文本；请用 Office 或 WPS 另存为其中一种格式后再试。"
)


def read_grids(data: bytes, name: str, *, limits: Limits | None = None) -> list[Grid]:
    """Every table of one file as grids; ReadError (Chinese message naming the file) on failure."""
    with using(limits) as lim:
        if len(data) > lim.max_file_size:
            raise ReadError(_too_big(len(data), lim), name)
        if not data:
            raise ReadError("文件是空的（0 字节）。请检查文件是否完整上传。", name)
        fmt = detect_format(data, name)
        if fmt is None:
            raise ReadError(UNKNOWN_FORMAT, name)
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
            with timed():
                return reader.read(data, name)
        except ReadError as err:
            if fmt == "pdf" and err.message == getattr(reader, "NO_TEXT", None):  # a scan: its pages are images
                with timed(bounded=False):
                    return cast(ModuleType, get_format("scan")).read_pdf(data, name)  # type: ignore[no-any-return]
            if not err.file:
                err.file = name
            raise
        except MemoryError:
            raise ReadError("文件太大或结构异常，读取时内存不足。请拆分文件后再试。", name) from None
        except RecursionError:
            raise ReadError(
                "文件的结构嵌套过深，无法读取，不像一张正常的自评表。请用 Office 或 WPS 打开后另存一份再试。", name
            ) from None
        except Exception as exc:  # a library's own error on a damaged file
            raise ReadError(
                f"文件已损坏或格式不规范，无法读取（{type(exc).__name__}）。请用 Office 或 WPS 打开后另存一份再试。",
                name,
            ) from exc


def _too_big(size: int, lim: Limits) -> str:
    return (
        f"文件太大（{size / MB:.1f} MB），超过单个文件 {lim.max_file_size / MB:.0f} MB 的上限。"
        "请拆分文件或删除其中的图片后再试。"
    )


# ---------------------------------------------------------------------------------------------
# Sources: files, folders, archives

Input = tuple[str, bytes] | ReadError  # a ReadError item may be a Skipped one


def iter_inputs(paths: Iterable[str | Path], *, limits: Limits | None = None) -> Iterator[Input]:
    """(name, data) for every readable file under paths, expanding folders and zip archives.

    Folders are walked recursively in name order; inside folders and archives only files with a
    known extension are read, while a path given explicitly is always read. Files left out (hidden
    files and folders, Office lock files ~$x.docx, unknown types) come out as Skipped items that
    say why, and problems as ReadError items, not exceptions.
    """
    lim = limits or current_limits()
    known = _known_extensions()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file, reason in _walk(path, known):
                if reason:
                    yield Skipped(reason, str(file))
                else:
                    yield from _from_file(file, str(file), lim)
        elif path.exists():
            yield from _from_file(path, str(path), lim)
        else:
            yield ReadError("文件或文件夹不存在，请检查路径。", str(path))


def count_inputs(paths: Iterable[str | Path]) -> int:
    """How many files iter_inputs will give to read, from the names alone (for a progress bar).

    Folders are walked as iter_inputs walks them and a .zip archive's members are counted from its
    listing with the same rules; an archive inside one counts as one file, and one that can't be
    opened counts as one (its problem).
    """
    known = _known_extensions()
    total = 0
    for raw in paths:
        path = Path(raw)
        files = (f for f, reason in _walk(path, known) if not reason) if path.is_dir() else iter([path])
        total += sum(_files_in(file, known) for file in files)
    return total


def _files_in(file: Path, known: frozenset[str]) -> int:
    if extension(file.name) in ARCHIVE_EXTENSIONS:
        try:
            with zipfile.ZipFile(file) as zf:
                return sum(1 for info in zf.infolist() if not info.is_dir() and not _member(info, known)[1])
        except ZIP_ERRORS:
            pass
    return 1


def _walk(folder: Path, known: frozenset[str]) -> Iterator[tuple[Path, str]]:
    """(file, why it is left out or "") under a folder in path order, without following links (a link
    loop can't trap it); a hidden folder is named once, not descended into.

    Lazily, one folder's listing at a time: a folder's entries sorted by name, each subfolder's files
    given where its name sorts among them, which is the order of the sorted paths (their parts compared
    in turn). Nothing grows with the number of files but the listing of the largest single folder.
    """
    try:
        with os.scandir(folder) as listing:
            entries = sorted((entry.name, _is_folder(entry), entry.is_symlink()) for entry in listing)
    except OSError:  # a folder that can't be listed is passed over, as os.walk passed it over
        return
    for name, is_folder, is_link in entries:
        path = folder / name
        if not is_folder:
            yield path, _skip_reason((name,), known)
            continue
        reason = _skip_reason((name,), known, folder=True)
        if reason:
            yield path, reason
        elif not is_link:  # a link to a folder is not followed
            yield from _walk(path, known)


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # a link to a folder counts as a folder (and is then not followed)
    except OSError:
        return False


def _skip_reason(parts: tuple[str, ...], known: frozenset[str], *, folder: bool = False) -> str:
    """Why a file (or folder) of a folder or archive is not read, or "" to read it."""
    if any(p == ".." for p in parts):
        return "已跳过：名称中含有“..”（指向压缩包以外的路径，可能是恶意构造的压缩包），未读取。如确属自评表，请解压后单独提交。"
    if any(p == "__MACOSX" for p in parts):
        return "已跳过：这是苹果电脑压缩时附带的系统文件（__MACOSX），不是报表。"
    if any(p.startswith(".") for p in parts):
        what = "隐藏文件夹" if folder and len(parts) == 1 else "隐藏文件"
        return f"已跳过：{what}（名称以“.”开头），未读取。如确属自评表，请改名后再提交。"
    if parts[-1].startswith("~$"):
        return "已跳过：这是 Office 打开文件时留下的临时锁定文件（~$ 开头），不是报表。"
    if folder:
        return ""
    ext = extension(parts[-1])
    if ext not in known:
        shown = f"“{ext}”" if ext else "无扩展名"
        return (
            f"已跳过：不支持的文件类型（{shown}），未读取。支持 Word、Excel、PDF、网页、文本和 .zip 压缩包；"
            "如确属自评表，请另存为其中一种格式。"
        )
    return ""


def _known_extensions() -> frozenset[str]:
    return frozenset(extensions()) | frozenset(ARCHIVE_EXTENSIONS)


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
    with using(lim):
        if not is_zip(data) or detect_format(data, name) != "zip":
            yield name, data
            return
        if depth >= lim.max_depth:
            yield ReadError(f"压缩包嵌套超过 {lim.max_depth} 层，已拒绝解压。请解压后提交。", name)
            return
        try:
            zf = open_zip(data, name)
        except ReadError as err:
            yield err
            return
    known = _known_extensions()
    with zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            member, reason = _member(info, known)
            full = f"{name}!/{member}"
            if reason:
                yield Skipped(reason, full)
                continue
            if info.file_size > lim.max_file_size:
                yield ReadError(_too_big(info.file_size, lim), full)
                continue
            try:
                with zf.open(info) as fh:
                    content = fh.read(lim.max_file_size + 1)
            except ZIP_ERRORS as exc:
                yield ReadError(f"压缩包中的这个文件已损坏，无法解压（{exc}）。", full)
                continue
            yield from iter_data(content, full, limits=lim, depth=depth + 1)


def _member(info: zipfile.ZipInfo, known: frozenset[str]) -> tuple[str, str]:
    """An archive member's name, and why it is left out or "" to read it."""
    member = _member_name(info)
    parts = tuple(p for p in member.replace("\\", "/").split("/") if p)
    return member, _skip_reason(parts, known) if parts else "已跳过：压缩包中的条目没有名称，未读取。"


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
    """Grids of every file under paths; a file that can't be read becomes a ReadError item (a file
    left out, a Skipped one)."""
    for item in iter_inputs(paths, limits=limits):
        if isinstance(item, ReadError):
            yield item
            continue
        name, data = item
        try:
            yield name, read_grids(data, name, limits=limits)
        except ReadError as err:
            yield err
