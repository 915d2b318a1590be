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
        # select_related("org") as one fixed statement (every request reads it: building it cost more than running it)
        cached = list(Membership.objects.raw(_sql("memberships"), [user.pk]))
        for m in cached:
            m._state.fields_cache["org"] = _joined_org(m, "org", m.org_id)
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


def can_see(user: User, form: PerformanceForm) -> bool:
    """Whether `form` is among visible_forms(user), decided from the memberships already read: 填报人 its
    unit, any other role its org and everything under it (the same paths visible_forms filters by)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    unit_path = form.unit.path
    return any(m.org_id == form.unit_id if m.role == Role.FILLER else unit_path.startswith(m.org.path)
               for m in memberships(user))


def get_visible(user: User, form_id: int) -> PerformanceForm:
    """One form the user may see, with its unit, department and last editor, or NotFound (the same answer
    for a form that does not exist and one the user may not see). Read by its key and checked against the
    memberships in Python (can_see), in one fixed statement: on every form page, API read and save, the
    ORM's building of the scoped query with its joins cost more than running it."""
    try:
        key = int(form_id)
    except (TypeError, ValueError):
        key = None
    # A key no row can have (none, or out of the column's range, which SQLite would refuse) finds nothing.
    rows = list(PerformanceForm.objects.raw(_sql("form"), [key])) if key is not None and abs(key) < 2**63 else []
    if not rows:
        raise NotFound("没有找到这张表，或您无权查看。")
    form = rows[0]
    cache = form._state.fields_cache
    # What select_related("unit", "department", "updated_by") leaves, the editor with its name only (its other
    # fields are read if asked for).
    cache["unit"] = _joined_org(form, "unit", form.unit_id)
    cache["department"] = _joined_org(form, "department", form.department_id)
    editor, name = PerformanceForm._meta.get_field("updated_by").related_model, form.__dict__.pop("_editor_name")
    cache["updated_by"] = None if form.updated_by_id is None else editor.from_db(
        form._state.db, ["id", editor.USERNAME_FIELD], [form.updated_by_id, name])
    if not can_see(user, form):
        raise NotFound("没有找到这张表，或您无权查看。")
    return form


_ORG_FIELDS = ("id", "name", "kind", "parent_id", "path")
_SQL: dict[tuple[str, str], str] = {}


def _joined_org(row: Any, alias: str, org_id: int | None) -> Org | None:
    """The org whose columns a raw query joined under `alias` (_sql), taken off the row as an Org."""
    values = [row.__dict__.pop(f"_{alias}_{f}") for f in _ORG_FIELDS[1:]]
    return None if org_id is None else Org.from_db(row._state.db, list(_ORG_FIELDS), [org_id, *values])


def _sql(query: str) -> str:
    """The fixed statements of every request, built once per database from the models' tables and columns:
    "form" a form by key with its unit's and department's columns and its editor's name (get_visible),
    "memberships" a user's memberships with their orgs' columns (memberships)."""
    from django.db import connections, router

    model = PerformanceForm if query == "form" else Membership
    db = router.db_for_read(model)
    found = _SQL.get((query, db))
    if found is not None:
        return found
    q = connections[db].ops.quote_name
    table, orgs = q(model._meta.db_table), q(Org._meta.db_table)

    def org_columns(alias: str) -> list[str]:
        return [f"{alias}.{q(Org._meta.get_field(f.removesuffix('_id')).column)} AS _{alias}_{f}" for f in _ORG_FIELDS[1:]]

    columns = [f"{table}.{q(f.column)}" for f in model._meta.concrete_fields]
    if query == "form":
        editor = PerformanceForm._meta.get_field("updated_by").related_model
        columns += [*org_columns("unit"), *org_columns("department"),
                    f"editor.{q(editor._meta.get_field(editor.USERNAME_FIELD).column)} AS _editor_name"]
        sql = (f"SELECT {', '.join(columns)} FROM {table}"
               f" INNER JOIN {orgs} unit ON unit.id = {table}.unit_id"
               f" LEFT OUTER JOIN {orgs} department ON department.id = {table}.department_id"
               f" LEFT OUTER JOIN {q(editor._meta.db_table)} editor ON editor.id = {table}.updated_by_id"
               f" WHERE {table}.id = %s")
    else:
        sql = (f"SELECT {', '.join([*columns, *org_columns('org')])} FROM {table}"
               f" INNER JOIN {orgs} org ON org.id = {table}.org_id WHERE {table}.user_id = %s ORDER BY {table}.id")
    _SQL[(query, db)] = sql
    return sql


def user_or_none(user: User) -> Any:
    """The user to record as the author of a change (None for an anonymous one)."""
    return user if user.is_authenticated else None
