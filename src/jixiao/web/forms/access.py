"""Who sees and changes what: the scopes of the organisation tree, in pages and API alike.

填报人 sees exactly its unit; 审核人, 财政复核 and 管理员 see their org and everything under it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from jixiao.web import fixed_sql
from jixiao.web.forms.errors import NotFound, PermissionDenied
from jixiao.web.forms.finding_sql import findings_column, findings_read
from jixiao.web.models import EDITABLE_STAGES, ROLE_LABELS, Membership, Org, PerformanceForm, Role

User = AbstractBaseUser | AnonymousUser


def memberships(user: User) -> list[Membership]:
    """The user's roles with their orgs, fetched once per user object."""
    if not user.is_authenticated:
        return []
    cached: list[Membership] | None = getattr(user, "_jixiao_memberships", None)
    if cached is None:
        # select_related("org") as one fixed statement (every request reads it: building it cost more than running it)
        cached = _MEMBERSHIPS.objects([user.pk])
        for m in cached:
            m._state.fields_cache["org"] = _joined_org(m, "org", m.org_id)
        user._jixiao_memberships = cached  # type: ignore[union-attr]
    return cached


_MEMBERSHIP_FIELDS = ("id", "org_id", "role")


def memberships_joined(connection: Any, user_table: str) -> tuple[list[str], str]:
    """What a fixed statement reading a user adds to read the user's memberships with their orgs in the same
    query (one row per membership, one with NULLs for none; ordered by the caller on the membership's id,
    `_m.id`): the columns, and the joins after its FROM."""
    table, orgs = fixed_sql.table(connection, Membership), fixed_sql.table(connection, Org)
    selected = [f"_m.{fixed_sql.column(connection, Membership, f.removesuffix('_id'))} AS _m_{f}"
                for f in _MEMBERSHIP_FIELDS]
    joins = (f" LEFT OUTER JOIN {table} _m ON _m.{fixed_sql.column(connection, Membership, 'user')} = {user_table}.id"
             f" LEFT OUTER JOIN {orgs} org ON org.id = _m.{fixed_sql.column(connection, Membership, 'org')}")
    return [*selected, *_org_columns(connection, "org")], joins


def keep_joined_memberships(rows: list[Any]) -> Any:
    """The user of rows read with memberships_joined (the first; the others are its copies, one per membership),
    its memberships with their orgs kept on it as memberships() keeps them, the joined columns taken off."""
    user = rows[0]
    kept = []
    for row in rows:
        values = [row.__dict__.pop(f"_m_{f}") for f in _MEMBERSHIP_FIELDS]
        org = _joined_org(row, "org", values[1])
        if values[0] is not None:
            m = Membership.from_db(user._state.db, ["id", "user_id", "org_id", "role"],
                                   [values[0], user.pk, values[1], values[2]])
            m._state.fields_cache["org"] = org
            kept.append(m)
    user._jixiao_memberships = kept
    return user


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


def get_visible(user: User, form_id: int, findings: bool = False) -> PerformanceForm:
    """One form the user may see, with its unit, department and last editor, or NotFound (the same answer
    for a form that does not exist and one the user may not see). Read by its key and checked against the
    memberships in Python (can_see), in one fixed statement: on every form page, API read and save, the
    ORM's building of the scoped query with its joins cost more than running it. `findings`: its findings read
    in the same statement (evaluation.findings_of)."""
    try:
        key = int(form_id)
    except (TypeError, ValueError):
        key = None
    # A key no row can have (none, or out of the column's range, which SQLite would refuse) finds nothing.
    form = read_form(key, findings=findings) if key is not None and abs(key) < 2**63 else None
    if form is None:
        raise NotFound("没有找到这张表，或您无权查看。")
    if not can_see(user, form):
        raise NotFound("没有找到这张表，或您无权查看。")
    return form


_ORG_FIELDS = ("id", "name", "kind", "parent_id", "path")


def _joined_org(row: Any, alias: str, org_id: int | None) -> Org | None:
    """The org whose columns a fixed statement joined under `alias` (_org_columns), taken off the row as an Org."""
    values = [row.__dict__.pop(f"_{alias}_{f}") for f in _ORG_FIELDS[1:]]
    return None if org_id is None else Org.from_db(row._state.db, list(_ORG_FIELDS), [org_id, *values])


def _org_columns(connection: Any, alias: str) -> list[str]:
    return [f"{alias}.{fixed_sql.column(connection, Org, f.removesuffix('_id'))} AS _{alias}_{f}"
            for f in _ORG_FIELDS[1:]]


def _form_sql(connection: Any, lock: bool, findings: bool = False) -> str:
    """A form by key with its unit's and department's columns and its editor's name; `lock`: the form's row
    locked (where the database locks rows) and whether its version is kept in the history (_kept); `findings`:
    its findings too (evaluation.findings_column)."""
    from jixiao.web.review.models import FormVersion

    table, orgs = fixed_sql.table(connection, PerformanceForm), fixed_sql.table(connection, Org)
    editor = PerformanceForm._meta.get_field("updated_by").related_model
    selected = [*fixed_sql.columns(connection, PerformanceForm), *_org_columns(connection, "unit"),
                *_org_columns(connection, "department"),
                f"editor.{fixed_sql.column(connection, editor, editor.USERNAME_FIELD)} AS _editor_name"]
    if findings:
        selected.append(f"{findings_column(connection, table)} AS _findings")
    if lock:
        versions = fixed_sql.table(connection, FormVersion)
        selected.append(f"EXISTS (SELECT 1 FROM {versions} kept WHERE kept.form_id = {table}.id"
                        f" AND kept.version = {table}.version) AS _kept")
    sql = (f"SELECT {', '.join(selected)} FROM {table}"
           f" INNER JOIN {orgs} unit ON unit.id = {table}.unit_id"
           f" LEFT OUTER JOIN {orgs} department ON department.id = {table}.department_id"
           f" LEFT OUTER JOIN {fixed_sql.table(connection, editor)} editor ON editor.id = {table}.updated_by_id"
           f" WHERE {table}.id = %s")
    if lock and connection.features.has_select_for_update_of:
        sql += f" FOR UPDATE OF {table}"
    return sql


def _memberships_sql(connection: Any) -> str:
    """A user's memberships with their orgs' columns, in the order they were made."""
    table = fixed_sql.table(connection, Membership)
    return (f"SELECT {', '.join([*fixed_sql.columns(connection, Membership), *_org_columns(connection, 'org')])}"
            f" FROM {table} INNER JOIN {fixed_sql.table(connection, Org)} org ON org.id = {table}.org_id"
            f" WHERE {table}.user_id = %s ORDER BY {table}.id")


_FORM = fixed_sql.Statement(PerformanceForm, lambda connection: _form_sql(connection, lock=False))
_LOCKED_FORM = fixed_sql.Statement(PerformanceForm, lambda connection: _form_sql(connection, lock=True))
_FORM_WITH_FINDINGS = fixed_sql.Statement(PerformanceForm,
                                          lambda connection: _form_sql(connection, lock=False, findings=True))
_MEMBERSHIPS = fixed_sql.Statement(Membership, _memberships_sql)


def read_form(key: int, lock: bool = False, findings: bool = False) -> PerformanceForm | None:
    """A form by its key with its unit, department and last editor (what select_related("unit", "department",
    "updated_by") leaves, the editor with its name only: its other fields are read if asked for), in one fixed
    statement; None when there is none. `lock` (inside a transaction): its row locked for an update, and
    `form._kept` whether its version is kept in the history (jixiao.web.forms.store). `findings` (without
    `lock`): its findings read with it, for evaluation.findings_of."""
    rows = (_LOCKED_FORM if lock else _FORM_WITH_FINDINGS if findings else _FORM).objects([key])
    if not rows:
        return None
    form: PerformanceForm = rows[0]
    cache = form._state.fields_cache
    cache["unit"] = _joined_org(form, "unit", form.unit_id)
    cache["department"] = _joined_org(form, "department", form.department_id)
    editor, name = PerformanceForm._meta.get_field("updated_by").related_model, form.__dict__.pop("_editor_name")
    cache["updated_by"] = None if form.updated_by_id is None else editor.from_db(
        form._state.db, ["id", editor.USERNAME_FIELD], [form.updated_by_id, name])
    if lock:
        form._kept = bool(form.__dict__.pop("_kept"))
    elif findings:
        form._findings = findings_read(form.__dict__.pop("_findings"))  # type: ignore[attr-defined]
    return form


def user_or_none(user: User) -> Any:
    """The user to record as the author of a change (None for an anonymous one)."""
    return user if user.is_authenticated else None
