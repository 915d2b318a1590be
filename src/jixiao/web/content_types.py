"""The one map of file extensions to content types, for every file the web app sends or stores: downloads
(jixiao.web.pages.download), the department-wide form's exports, the library's files, evidence uploads."""

from __future__ import annotations

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "doc": "application/msword",
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
UNKNOWN = "application/octet-stream"


def content_type(name: str) -> str:
    """The content type of a file name ("表.xlsx"), an extension (".xlsx") or a format ("xlsx")."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), UNKNOWN)
