"""Who sees and changes what: the scopes of the organisation tree, in pages and API alike.

填报人 sees exactly its unit; 审核人, 财政复核 and 管理员 see their org and everything under it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from jixiao.web.forms.errors import NotFound, PermissionDenied
from jixiao.web.models import EDITABLE_STAGES, ROLE_LABELS, Membership, Org, PerformanceForm, Role

User = AbstractBaseUser | AnonymousUser


def memberships(user: User) -> list[Membership]:
    """The user's roles with their orgs, fetched once per user object."""
    if not user.is_authenticated:
        return []
    cached: list[Membership] | None = getattr(user, "_jixiao_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("org"))
        user._jixiao_memberships = cached  # type: ignore[union-attr]
    return cached


def roles(user: User) -> set[str]:
    return {m.role for m in memberships(user)} | ({Role.ADMIN.value} if user.is_superuser else set())


def _scope(user: User, field_path: str, fill_only: bool) -> Q | None:
    """A filter on orgs (through `field_path`) for what the user sees, or None for everything."""
    if user.is_superuser:
        return None
    q = Q(pk__in=[])
    for m in memberships(user):
        if m.role == Role.FILLER:
            q |= Q(**{f"{field_path}": m.org_id})
        elif not fill_only or m.role == Role.ADMIN:
            # A semi-join on the org ids under the node: cheaper than joining every form to its org.
            under = Org.objects.filter(path__startswith=m.org.path).values("pk")
            q |= Q(**{f"{field_path}__in": under})
    return q


def visible_forms(user: User) -> QuerySet[PerformanceForm]:
    """The forms a user may see (one query, whatever the tree's depth)."""
    qs = PerformanceForm.objects.all()
    if not user.is_authenticated:
        return qs.none()
    scope = _scope(user, "unit_id", fill_only=False)
    return qs if scope is None else qs.filter(scope)


def scope_key(user: User) -> tuple[Any, ...]:
    """Everything visible_forms and visible_orgs depend on besides the stored data: what is kept for a
    user (jixiao.web.forms.kept) is kept under this, never shared between different scopes."""
    if not user.is_authenticated:
        return ("anonymous",)
    return (bool(user.is_superuser), tuple(sorted((m.role, m.org_id, m.org.path) for m in memberships(user))))


def writable_units(user: User) -> QuerySet[Org]:
    """The units whose forms the user may create and change: 填报人 its unit, 管理员 its subtree."""
    qs = Org.objects.all()
    if not user.is_authenticated:
        return qs.none()
    scope = _scope(user, "pk", fill_only=True)
    return qs if scope is None else qs.filter(scope)


def can_fill(user: User) -> bool:
    """Whether the user fills in forms anywhere (has a unit to write to), without a query."""
    return user.is_superuser or any(m.role in (Role.FILLER, Role.ADMIN) for m in memberships(user))


def visible_orgs(user: User) -> QuerySet[Org]:
    """Orgs a user may filter by: those under the places where they have a role."""
    qs = Org.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    q = Q(pk__in=[])
    for m in memberships(user):
        q |= Q(pk=m.org_id) if m.role == Role.FILLER else Q(path__startswith=m.org.path)
    return qs.filter(q)


def holds(user: User, role: str, form: PerformanceForm) -> bool:
    """Whether the user has `role` at the form's unit: exactly its unit for 填报人, at or above it otherwise."""
    unit_path = form.unit.path
    for m in memberships(user):
        if m.role != role:
            continue
        if role == Role.FILLER and m.org_id == form.unit_id:
            return True
        if role != Role.FILLER and unit_path.startswith(m.org.path):
            return True
    return False


def holds_any(user: User, form: PerformanceForm) -> bool:
    """Whether the user has some role at the form (then a refusal is about the stage, not the person)."""
    return any(holds(user, r, form) for r in (Role.FILLER, Role.REVIEWER, Role.FINANCE))


def can_edit(user: User, form: PerformanceForm) -> bool:
    """The unit's 填报人 (or a 管理员 above it) may change a form while it is a draft or returned."""
    if form.stage not in EDITABLE_STAGES or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return holds(user, Role.FILLER, form) or holds(user, Role.ADMIN, form)


def is_finance(user: User) -> bool:
    """Whether the user draws samples and opens rounds: the finance bureau (or a superuser)."""
    return bool(user.is_superuser) or any(m.role == Role.FINANCE for m in memberships(user))


def require_role(user: User, role: str) -> None:
    if not any(m.role == role for m in memberships(user)) and not user.is_superuser:
        raise PermissionDenied(f"只有{ROLE_LABELS[role]}可以进行此操作。")


def get_visible(user: User, form_id: int) -> PerformanceForm:
    form = visible_forms(user).select_related("unit", "department", "updated_by").filter(pk=form_id).first()
    if form is None:
        raise NotFound("没有找到这张表，或您无权查看。")
    return form


def user_or_none(user: User) -> Any:
    """The user to record as the author of a change (None for an anonymous one)."""
    return user if user.is_authenticated else None
