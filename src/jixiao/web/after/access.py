"""Who may do what on the after-score side, on top of jixiao.web.forms.access's scopes (which decide who sees a form)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from jixiao.web.forms.access import memberships
from jixiao.web.models import Org, Role

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


def orgs_with(user: User, role: str) -> QuerySet[Org]:
    """The orgs for which the user has `role` (as holds() decides), as one queryset."""
    if getattr(user, "is_superuser", False):
        return Org.objects.all()
    held = [m for m in memberships(user) if m.role == role]  # type: ignore[arg-type]
    if role == Role.FILLER:
        return Org.objects.filter(pk__in=[m.org_id for m in held])
    if not held:
        return Org.objects.none()
    below = Q()
    for m in held:
        below |= Q(path__startswith=m.org.path)
    return Org.objects.filter(below)


def holds_any(user: User, roles: Iterable[str], org: Org) -> bool:
    return any(holds(user, r, org) for r in roles)


def workbook(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int] = ()) -> bytes:
    """One sheet with a bold header row and the rows below it, frozen under the header; every cell through
    jixiao.reports.workbook (formula-like text stays text, Decimals are numbers)."""
    from openpyxl.utils import get_column_letter

    from jixiao.reports.workbook import append, new_book, styles, to_bytes

    book = new_book(title)
    sheet = book.create_sheet(title[:31])
    append(sheet, list(header))
    bold = styles()
    for cell in sheet[1]:
        cell.font, cell.alignment = bold["bold"], bold["center"]
    for row in rows:
        append(sheet, list(row))
    for n, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = "A2"
    return to_bytes(book)
