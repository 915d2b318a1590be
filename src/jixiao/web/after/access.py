"""Who may do what on the after-score side, on top of jixiao.web.services' scopes (which decide who sees a form)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from jixiao.web.models import Org, Role
from jixiao.web.services import memberships

User = AbstractBaseUser | AnonymousUser


def holds(user: User, role: str, org: Org) -> bool:
    """Whether the user has `role` for an org: exactly the org for 填报人, at or above it otherwise (or a superuser)."""
    if getattr(user, "is_superuser", False):
        return True
    for m in memberships(user):  # type: ignore[arg-type]
        if m.role != role:
            continue
        if role == Role.FILLER and m.org_id == org.pk:
            return True
        if role != Role.FILLER and org.path.startswith(m.org.path):
            return True
    return False


def holds_any(user: User, roles: Iterable[str], org: Org) -> bool:
    return any(holds(user, r, org) for r in roles)


def _cell(value: Any) -> Any:
    """A spreadsheet cell value; text Excel would run as a formula (=, +, -, @) is kept as text."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value


def workbook(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int] = ()) -> bytes:
    """One sheet with a bold header row, the rows below it, frozen under the header."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for n, width in enumerate(widths, 1):
        sheet.column_dimensions[sheet.cell(1, n).column_letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
