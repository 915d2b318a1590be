"""Legacy and other office formats (.doc, .wps, .rtf, .odt, .ods, .et that xlrd can't read).

These are converted by LibreOffice (`soffice --headless --convert-to docx|xlsx`) into a temporary
folder and then read as .docx/.xlsx. Without LibreOffice on the machine the message says how to
convert the file by hand; with LibreOffice but without the component a file needs (Debian installs
Writer and Calc as separate packages), the message names the package to install, instead of
calling the file damaged.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from jixiao.formats import ReadError
from jixiao.formats.containers import extension, is_ole2, is_zip, ole2_streams, zip_names
from jixiao.formats.grid import Grid

# .et and .xls are the xls reader's, which hands them here when xlrd can't read them.
EXTENSIONS = (".doc", ".wps", ".rtf", ".odt", ".ods", ".ett", ".wpt")

SPREADSHEETS = (".et", ".ett", ".ods", ".xls")
TIMEOUT = 120  # seconds for one conversion

# The library of each LibreOffice component in its program folder (Linux, Windows, macOS names),
# and the Debian/Ubuntu package that installs it.
COMPONENTS = {
    "xlsx": ("Calc（电子表格）", ("libsclo.so", "sclo.dll", "libsclo.dylib"), "libreoffice-calc-nogui"),
    "docx": ("Writer（文字处理）", ("libswlo.so", "swlo.dll", "libswlo.dylib"), "libreoffice-writer-nogui"),
}


def detect(data: bytes, name: str) -> bool:
    """Legacy Word/WPS (an OLE2 file; the xls reader is asked first and takes workbooks), RTF, and
    OpenDocument (a zip with content.xml and mimetype; a head too short to list them: the extension)."""
    if is_ole2(data):
        return bool(ole2_streams(data)) or extension(name) in EXTENSIONS
    if is_zip(data):
        names, partial = zip_names(data)
        if "content.xml" in names and "mimetype" in names:
            return True
        return partial and extension(name) in EXTENSIONS and not any(n.startswith(("word/", "xl/")) for n in names)
    return data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x00").startswith(b"{\\rtf")


def soffice() -> str | None:
    """The LibreOffice program on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def missing_component(program: str, target: str) -> str:
    """The message for a LibreOffice without the component that converts to target, or "" if it is
    there (or the installation is laid out in a way not known here, when conversion just tries)."""
    folder = Path(os.path.realpath(program)).parent
    places = [folder, folder.parent / "Frameworks"]
    known = [lib for _, libs, _ in COMPONENTS.values() for lib in libs]
    if not any((place / lib).exists() for place in places for lib in known):
        return ""
    label, libs, package = COMPONENTS[target]
    if any((place / lib).exists() for place in places for lib in libs):
        return ""
    return (
        f"本机的 LibreOffice 缺少 {label} 组件，无法转换这种文件（文件本身没有问题）。"
        f"请管理员安装该组件（Debian/Ubuntu：apt-get install {package}），"
        f"或用 Office 或 WPS 打开后另存为 .{target} 再提交。"
    )


def read(data: bytes, name: str) -> list[Grid]:
    """Convert with LibreOffice, then read the result as .docx or .xlsx."""
    ext = extension(name) or ".doc"
    spreadsheet = ext in SPREADSHEETS or _ole2_workbook(data) or _opendocument_sheet(data)
    target = "xlsx" if spreadsheet else "docx"
    program = soffice()
    if program is None:
        kind = "Excel 工作簿（.xlsx）" if spreadsheet else "Word 文档（.docx）"
        raise ReadError(
            f"这是旧版或 WPS 格式（{ext}），本机没有安装 LibreOffice，无法自动转换。"
            f"请用 Office 或 WPS 打开后“另存为”{kind}再提交，或由管理员安装 LibreOffice。",
            name,
        )
    missing = missing_component(program, target)
    if missing:
        raise ReadError(missing, name)
    converted = convert(data, ext, target, program, name)
    reader = importlib.import_module(f"jixiao.formats.{target}")
    grids: list[Grid] = reader.read(converted, name)
    return grids


def _ole2_workbook(data: bytes) -> bool:
    return is_ole2(data) and any(s.lower() in ("workbook", "book") for s in ole2_streams(data))


def _opendocument_sheet(data: bytes) -> bool:
    """An OpenDocument spreadsheet, whatever its name: its mimetype member says so."""
    if not is_zip(data):
        return False
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet")
    except Exception:  # no mimetype member, or a damaged zip: the extension decided already
        return False


def convert(data: bytes, ext: str, target: str, program: str, name: str) -> bytes:
    """The file converted by LibreOffice to target ("docx" or "xlsx"), in a private temp folder."""
    with tempfile.TemporaryDirectory(prefix="jixiao-") as tmp:
        src = Path(tmp) / f"input{ext}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"  # a private profile: parallel conversions don't collide
        cmd = [
            program,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise ReadError(
                f"用 LibreOffice 转换超时（超过 {TIMEOUT} 秒）。请手工另存为 .{target} 后再提交。", name
            ) from None
        except OSError as exc:
            raise ReadError(
                f"无法启动 LibreOffice（{exc}）。请手工另存为 .{target} 后再提交。", name
            ) from None
        out = Path(tmp) / f"input.{target}"
        if not out.exists():
            raise ReadError(
                f"LibreOffice 无法转换这个文件（可能已损坏或加密）。请用 Office 或 WPS 打开后另存为 .{target} 再提交。",
                name,
            )
        return out.read_bytes()
