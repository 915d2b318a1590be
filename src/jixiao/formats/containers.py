"""What the readers share about containers: zip safety, XML prologs, OLE2 stream names, sniffing.

Readers use these to detect and open their own files (a .docx is a zip holding word/, an .xls an
OLE2 file holding a Workbook stream); the registry uses them for archives. The zip checks apply the
limits in force (formats.limits): members, unpacked size, compression ratio, encryption.
"""

from __future__ import annotations

import io
import os
import zipfile

from jixiao.formats import ReadError
from jixiao.formats.limits import MB, current_limits

ZIP_MAGIC = b"PK\x03\x04"
ZIP_EMPTY = b"PK\x05\x06"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, KeyError)


def extension(name: str) -> str:
    """The lower-case extension of a file name, or of the last member of "a.zip!/b/c.docx"."""
    base = name.rsplit("!/", 1)[-1]
    return os.path.splitext(base)[1].lower()


def is_zip(data: bytes) -> bool:
    return data.startswith((ZIP_MAGIC, ZIP_EMPTY))


def zip_names(data: bytes) -> tuple[list[str], bool]:
    """The member names of a zip and whether the list is partial (only the head of the file, or a
    damaged central directory: then the names come from the local headers that are there)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.namelist(), False
    except Exception:  # BadZipFile, or a damaged header zipfile rejects in its own ways
        return [n.decode("utf-8", "replace") for n in _local_names(data)], True


def _local_names(head: bytes) -> list[bytes]:
    names: list[bytes] = []
    pos = 0
    while True:
        pos = head.find(ZIP_MAGIC, pos)
        if pos < 0 or pos + 30 > len(head):
            return names
        n = int.from_bytes(head[pos + 26 : pos + 28], "little")
        names.append(head[pos + 30 : pos + 30 + n])
        pos += 30 + n


def zip_holds(data: bytes, name: str, folder: str, extensions: tuple[str, ...]) -> bool:
    """A zip with parts under folder ("word/"); when only part of its list can be seen and no part
    tells, the extension decides."""
    if not is_zip(data):
        return False
    names, partial = zip_names(data)
    if any(n.startswith(folder) for n in names):
        return True
    if partial and not any(n.startswith(("word/", "xl/", "content.xml")) for n in names):
        return extension(name) in extensions
    return False


def ole2_streams(data: bytes) -> list[str]:
    """Names of the streams in an OLE2 compound file (legacy Office, WPS, encrypted OOXML)."""
    from xlrd import compdoc

    try:
        doc = compdoc.CompDoc(data, logfile=io.StringIO())
    except Exception:
        return []
    return [d.name for d in doc.dirlist if d.etype in (1, 2)]


def is_ole2(data: bytes) -> bool:
    return data.startswith(OLE2_MAGIC)


# ---------------------------------------------------------------------------------------------
# Zip safety (archives and the zip containers of .docx/.xlsx)


def open_zip(data: bytes, name: str, *, what: str = "压缩包") -> zipfile.ZipFile:
    """A ZipFile whose listing passed the bomb checks; nothing is unpacked here."""
    lim = current_limits()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except ZIP_ERRORS as exc:
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


def read_member(zf: zipfile.ZipFile, member: str, name: str) -> bytes:
    """One member of an opened container, a damaged one named in the error."""
    try:
        return zf.read(member)
    except ZIP_ERRORS as exc:
        raise ReadError(
            f"文件中的“{member}”已损坏，无法解压（{exc}）。请用 Office 或 WPS 打开后另存一份再提交。", name
        ) from None


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
        except ZIP_ERRORS as exc:
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
