"""Units and users from a workbook: the template, a dry run that lists what would be created and every row's
errors (sheet, row, column), and the commit, all or nothing (django-import-export's workflow: the dry run is
the same code inside a transaction that is rolled back)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from jixiao.web.accounts import services
from jixiao.web.forms.access import User
from jixiao.web.forms.errors import ServiceError
from jixiao.web.models import ROLE_LABELS, Org

ORG_SHEET, USER_SHEET = "单位", "用户"
ORG_COLUMNS = ("名称", "类型", "上级单位")
USER_COLUMNS = ("用户名", "姓名", "电子邮箱", "角色", "所属单位", "初始密码")
KIND_BY_LABEL = {label: kind for kind, label in services.KIND_LABELS.items()}
ROLE_BY_LABEL = {label: role for role, label in ROLE_LABELS.items()}
MAX_ROWS = 5000


def template() -> bytes:
    """The workbook to fill in: both sheets with their headers and one example row each."""
    from openpyxl import Workbook

    book = Workbook()
    orgs = book.active
    orgs.title = ORG_SHEET
    orgs.append(ORG_COLUMNS)
    orgs.append(("某某局下属单位", "实施单位", "某某局"))
    users = book.create_sheet(USER_SHEET)
    users.append(USER_COLUMNS)
    users.append(("zhangsan", "张三", "zhangsan@example.cn", "填报人", "某某局下属单位", ""))
    for sheet in (orgs, users):
        for column in "ABCDEF":
            sheet.column_dimensions[column].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """The rows of both sheets as {column: text} with their row number; a refusal when the file is no
    workbook or a sheet's header is not the template's."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ServiceError("文件不是 Excel 工作簿（.xlsx），请用下载的模板填写后上传。") from None
    rows: dict[str, list[dict[str, Any]]] = {}
    for sheet, columns in ((ORG_SHEET, ORG_COLUMNS), (USER_SHEET, USER_COLUMNS)):
        if sheet not in book.sheetnames:
            rows[sheet] = []
            continue
        found = list(book[sheet].iter_rows(values_only=True))
        header = tuple(str(c or "").strip() for c in (found[0] if found else ()))[:len(columns)]
        if found and header != columns:
            raise ServiceError(f"「{sheet}」表的第 1 行应为表头：{'、'.join(columns)}，请使用下载的模板。")
        rows[sheet] = [
            {"row": n, **{c: _text(v) for c, v in zip(columns, values, strict=False)}}
            for n, values in enumerate(found[1:], start=2) if any(_text(v) for v in values)
        ]
        if len(rows[sheet]) > MAX_ROWS:
            raise ServiceError(f"「{sheet}」表超过 {MAX_ROWS} 行，请分批导入。")
    if not rows[ORG_SHEET] and not rows[USER_SHEET]:
        raise ServiceError("工作簿中没有要导入的单位或用户，请在模板的「单位」「用户」表中填写后上传。")
    return rows


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


@dataclass
class Outcome:
    orgs: list[dict[str, str]] = field(default_factory=list)  # name, kind, parent
    users: list[dict[str, str]] = field(default_factory=list)  # username, name, role, org, password
    errors: list[str] = field(default_factory=list)  # "「用户」表第 3 行「角色」列：…"


class _Rollback(Exception):
    pass


def apply(user: User, rows: dict[str, list[dict[str, Any]]], commit: bool) -> Outcome:
    """Create the rows' units, then users, in one transaction: rolled back on any error or when not committing."""
    services.require_admin(user)
    outcome = Outcome()
    try:
        with transaction.atomic():
            for row in rows.get(ORG_SHEET, []):
                _org_row(user, row, outcome)
            for row in rows.get(USER_SHEET, []):
                _user_row(user, row, outcome, commit)
            if outcome.errors or not commit:
                raise _Rollback
    except _Rollback:
        pass
    return outcome


def _error(outcome: Outcome, sheet: str, row: dict[str, Any], column: str, message: str) -> None:
    outcome.errors.append(f"「{sheet}」表第 {row['row']} 行「{column}」列：{message}")


def _find_org(user: User, name: str) -> tuple[Org | None, str]:
    """The one managed org of that name, or why there is none."""
    found = list(services.managed_orgs(user).filter(name=name)[:2])
    if not found:
        return None, f"您管理的单位中没有「{name}」（上级单位须已存在，或在本表中写在前面）。"
    if len(found) > 1:
        return None, f"您管理的单位中有不止一个「{name}」，请在系统中改名区分后再导入。"
    return found[0], ""


def _org_row(user: User, row: dict[str, Any], outcome: Outcome) -> None:
    name, kind_label, parent_name = row.get("名称", ""), row.get("类型", ""), row.get("上级单位", "")
    bad = len(outcome.errors)
    if not name:
        _error(outcome, ORG_SHEET, row, "名称", "请填写单位名称。")
    if kind_label not in KIND_BY_LABEL:
        _error(outcome, ORG_SHEET, row, "类型", f"「{kind_label}」不是单位类型，可选：{'、'.join(KIND_BY_LABEL)}。")
    parent, why = _find_org(user, parent_name) if parent_name else (None, "")
    if why:
        _error(outcome, ORG_SHEET, row, "上级单位", why)
    elif not parent_name and not user.is_superuser:
        _error(outcome, ORG_SHEET, row, "上级单位", "请填写上级单位。")
    if len(outcome.errors) > bad:
        return
    try:
        services.add_org(user, name=name, kind=KIND_BY_LABEL[kind_label], parent=parent)
    except ServiceError as e:
        for column, messages in e.errors.items():
            _error(outcome, ORG_SHEET, row, {"name": "名称", "kind": "类型"}.get(column, "上级单位"), messages[0])
        return
    outcome.orgs.append({"name": name, "kind": kind_label, "parent": parent_name})


def _user_row(user: User, row: dict[str, Any], outcome: Outcome, commit: bool) -> None:
    username, role_label, org_name = row.get("用户名", ""), row.get("角色", ""), row.get("所属单位", "")
    bad = len(outcome.errors)
    if role_label not in ROLE_BY_LABEL:
        _error(outcome, USER_SHEET, row, "角色", f"「{role_label}」不是角色，可选：{'、'.join(ROLE_BY_LABEL)}。")
    org, why = _find_org(user, org_name) if org_name else (None, "请填写所属单位。")
    if why:
        _error(outcome, USER_SHEET, row, "所属单位", why)
    if len(outcome.errors) > bad or org is None:
        return
    password = row.get("初始密码", "")
    try:
        account, password = services.add_user(user, username=username, name=row.get("姓名", ""),
                                              email=row.get("电子邮箱", ""), role=ROLE_BY_LABEL[role_label],
                                              org=org, password=password, dry_run=not commit)
    except ServiceError as e:
        columns = {"username": "用户名", "role": "角色", "org": "所属单位", "password": "初始密码"}
        for column, messages in e.errors.items():
            _error(outcome, USER_SHEET, row, columns.get(column, "用户名"), "；".join(messages))
        return
    outcome.users.append({"username": account.username, "name": account.first_name, "role": role_label,
                          "org": org.name, "password": password if commit and not row.get("初始密码") else "",
                          "given": "是" if row.get("初始密码") else ""})

