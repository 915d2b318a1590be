"""The library as a file (JSON, CSV, xlsx) and back: export, and import as a dry run rolled back unless confirmed.

Columns of CSV and xlsx are the Chinese captions of jixiao.core.library.FIELDS (their record keys are read as
well). Text that a spreadsheet would take for a formula is written as text (xlsx) or behind a "'" (CSV), and
that "'" is dropped again on import.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from jixiao.core import library as core
from jixiao.web.forms.errors import ServiceError
from jixiao.web.library.models import Entry, EntryChange, Usage
from jixiao.web.library.services import apply, record_of, require_manager

FORMATS = ("json", "csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@")
_BY_CAPTION = {caption: key for key, caption in core.FIELDS} | {key: key for key, _ in core.FIELDS}
MAX_ROWS = 20000


def _cell_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "；".join(value)
    return "" if value is None else value


def _rows() -> list[dict[str, Any]]:
    return [record_of(e) for e in Entry.objects.order_by("code")]


def export(fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(_rows(), ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([caption for _, caption in core.FIELDS])
        for r in _rows():
            cells = [str(_cell_text(r[k])) for k, _ in core.FIELDS]
            writer.writerow(["'" + c if c.startswith(_FORMULA_START) else c for c in cells])
        return out.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 CSV with a BOM as UTF-8
    if fmt == "xlsx":
        return _xlsx([[c for _, c in core.FIELDS]] + [[_cell_text(r[k]) for k, _ in core.FIELDS] for r in _rows()],
                     "指标库")
    raise ServiceError(f"不支持的格式“{fmt}”：请选择 {'、'.join(FORMATS)}。")


def _xlsx(rows: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            cell = sheet.cell(r, c, value if value != "" else None)
            if isinstance(value, str) and value.startswith(_FORMULA_START):
                cell.data_type, cell.quotePrefix = "s", True  # text, never a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_xlsx(header: list[str], rows: list[list[Any]], title: str) -> bytes:
    """A one-sheet workbook (the benchmark's data)."""
    return _xlsx([header, *rows], title)


# ---------------------------------------------------------------- reading


class FileError(ServiceError):
    pass


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'") and value[1:2] in _FORMULA_START:
        return value[1:]
    return value


def _from_table(rows: list[list[Any]], name: str) -> list[tuple[str, dict[str, Any]]]:
    if not rows:
        raise FileError(f"{name}：文件是空的。")
    header = [str(h or "").strip() for h in rows[0]]
    keys = [_BY_CAPTION.get(h) for h in header]
    if "code" not in keys or "name" not in keys:
        raise FileError(f"{name}：第1行应为表头，至少包含“指标代码”和“三级指标名称”两列；"
                        f"实际为 {'、'.join(h for h in header if h) or '（空）'}。")
    result = []
    for n, row in enumerate(rows[1:], 2):
        if not any(str(c or "").strip() for c in row):
            continue
        record = {k: _unquote(c) for k, c in zip(keys, row, strict=False) if k}
        result.append((f"{name} 第{n}行", record))
    return result


def read(name: str, data: bytes) -> list[tuple[str, dict[str, Any]]]:
    """(where, record) for every row of an uploaded file; FileError says what is wrong with the file itself."""
    fmt = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if fmt == "json":
        try:
            items = json.loads(data.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as e:
            raise FileError(f"{name}：不是有效的 UTF-8 JSON（{e}）。") from e
        if not isinstance(items, list):
            raise FileError(f"{name}：JSON 应为指标记录的列表 [ {{…}}, … ]。")
        return [(f"{name} 第{n}条", item) for n, item in enumerate(items, 1)]
    if fmt == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")  # Excel on Chinese Windows saves CSV in GBK
        return _from_table(list(csv.reader(io.StringIO(text))), name)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many kinds for a damaged file
            raise FileError(f"{name}：无法作为 xlsx 读取（{type(e).__name__}），请用 Excel 另存为 .xlsx 后再上传。") from e
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        return _from_table(rows, name)
    raise FileError(f"{name}：不支持的文件类型，请上传 .json、.csv 或 .xlsx。")


# ---------------------------------------------------------------- import: dry run, then confirm


@dataclass
class RowResult:
    where: str
    code: str
    name: str
    action: str  # 新增 / 修改 / 不变 / 错误
    error: str = ""
    changed: list[str] = field(default_factory=list)  # captions of the fields that change


@dataclass
class ImportReport:
    rows: list[RowResult]
    confirmed: bool
    linked_before: int = 0
    linked_after: int = 0

    @property
    def errors(self) -> int:
        return sum(r.action == "错误" for r in self.rows)

    def count(self, action: str) -> int:
        return sum(r.action == action for r in self.rows)


class _DryRun(Exception):
    pass


def import_entries(user: Any, name: str, data: bytes, confirm: bool = False) -> ImportReport:
    """Apply every row inside one transaction; roll it back unless confirmed and error-free (atomic either way)."""
    require_manager(user)
    rows = read(name, data)
    if len(rows) > MAX_ROWS:
        raise FileError(f"{name}：一次最多导入 {MAX_ROWS} 条指标，文件中有 {len(rows)} 条，请分批导入。")
    report = ImportReport([], confirmed=False, linked_before=Usage.objects.exclude(entry=None).count())
    try:
        with transaction.atomic():
            seen: set[str] = set()
            for where, record in rows:
                report.rows.append(_import_row(user, name, where, record, seen))
            report.linked_after = Usage.objects.exclude(entry=None).count()
            if not confirm or report.errors:
                raise _DryRun
    except _DryRun:
        return report
    report.confirmed = True
    return report


def _import_row(user: Any, name: str, where: str, record: Any, seen: set[str]) -> RowResult:
    try:
        parsed = core.entry_from_record(record if isinstance(record, dict) else {}, where)
    except core.EntryError as e:
        code = str(record.get("code", "")) if isinstance(record, dict) else ""
        return RowResult(where, code, "", "错误", str(e))
    if parsed.code in seen:
        return RowResult(where, parsed.code, parsed.name, "错误", f"{where}：指标代码 {parsed.code} 在文件中重复出现")
    seen.add(parsed.code)
    new = core.entry_to_record(parsed)
    existing = Entry.objects.filter(code=parsed.code).first()
    old = record_of(existing) if existing else None
    if old == new:
        return RowResult(where, parsed.code, parsed.name, "不变")
    with transaction.atomic():
        entry, before = apply(new, "", where)
        EntryChange.objects.create(
            entry=entry, code=entry.code, action=EntryChange.Action.ADD if before is None else EntryChange.Action.CHANGE,
            record=new, before=before, reason=f"导入 {name}", status=EntryChange.Status.APPROVED,
            proposed_by=user, decided_by=user, decided_at=entry.updated_at, comment="导入时预览确认")
    changed = [core.CAPTIONS[k] for k, _ in core.FIELDS if old and old.get(k) != new.get(k)]
    return RowResult(where, parsed.code, parsed.name, "新增" if before is None else "修改", changed=changed)
