"""Legacy and other office formats (.doc, .wps, .rtf, .odt, .ods, .et that xlrd can't read).

These are converted by LibreOffice (`soffice --headless --convert-to docx|xlsx`) into a temporary
folder and then read as .docx/.xlsx. Without LibreOffice on the machine the message says how to
convert the file by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from jixiao.formats import ReadError
from jixiao.formats.grid import Grid

EXTENSIONS = (".doc", ".wps", ".rtf", ".odt", ".ods", ".et", ".ett", ".wpt")

SPREADSHEETS = (".et", ".ett", ".ods", ".xls")
TIMEOUT = 120  # seconds for one conversion


def detect(head: bytes, name: str) -> bool:
    from jixiao.formats.registry import detect_format

    return detect_format(head, name) == "office"


def soffice() -> str | None:
    """The LibreOffice program on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(data: bytes, name: str) -> list[Grid]:
    """Convert with LibreOffice, then read the result as .docx or .xlsx."""
    ext = os.path.splitext(name.rsplit("!/", 1)[-1])[1].lower() or ".doc"
    spreadsheet = ext in SPREADSHEETS or _ole2_workbook(data)
    target = "xlsx" if spreadsheet else "docx"
    program = soffice()
    if program is None:
        kind = "Excel 工作簿（.xlsx）" if spreadsheet else "Word 文档（.docx）"
        raise ReadError(
            f"这是旧版或 WPS 格式（{ext}），本机没有安装 LibreOffice，无法自动转换。"
            f"请用 Office 或 WPS 打开后“另存为”{kind}再提交，或由管理员安装 LibreOffice。",
            name,
        )
    converted = convert(data, ext, target, program, name)
    from jixiao.formats.registry import get_format

    return get_format(target).read(converted, name)


def _ole2_workbook(data: bytes) -> bool:
    from jixiao.formats.registry import ole2_streams

    if not data.startswith(b"\xd0\xcf\x11\xe0"):
        return False
    return any(s.lower() in ("workbook", "book") for s in ole2_streams(data))


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
