"""Saving a stored form: evaluate it, check who may change it and whether it changed meanwhile, write
record, columns and findings, and keep the version and the fields that changed (its history)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.core.findings import Finding
from jixiao.core.model import FUND_CAPTIONS, Form, to_record
from jixiao.web import fixed_sql
from jixiao.web.forms.access import User, can_edit, read_form, user_or_none, writable_units
from jixiao.web.forms.errors import PermissionDenied, ServiceError
from jixiao.web.forms.evaluation import Evaluation, columns, evaluate, finding_rows, parse_record
from jixiao.web.forms.history import changes_since, diff_records
from jixiao.web.models import (
    EDITABLE_STAGES,
    STAGE_LABELS,
    FormFinding,
    Org,
    PerformanceForm,
    Stage,
)
from jixiao.web.review.models import FieldChange, FormVersion
from jixiao.web.signals import form_saved


class Conflict(ServiceError):
    """The form changed since the user loaded it (optimistic concurrency on `version`)."""

    def __init__(self, current: PerformanceForm) -> None:
        super().__init__(
            f"此表已被 {current.updated_by or '他人'} 于 {current.updated_at:%Y-%m-%d %H:%M} 修改（版本 {current.version}），"
            "您的修改未保存。请复制您的内容，刷新后重新填写。",
            status=409,
        )
        self.current = current


def _shown(value: str | None) -> str:
    return "（无）" if value is None else ("（空）" if value == "" else f"「{value}」")


class StaleEdit(Conflict):
    """A save based on an older version: refused, with what changed meanwhile and what the user typed."""

    def __init__(self, current: PerformanceForm, loaded: int, changes: list[dict[str, Any]], record: Any) -> None:
        super().__init__(current)
        who = current.updated_by or "他人"
        listed = "；".join(f"{c['label']}：{_shown(c['old'])} → {_shown(c['new'])}" for c in changes[:10])
        more = f"等 {len(changes)} 处" if len(changes) > 10 else ""
        self.message = (
            f"您打开的是第 {loaded} 版，此表之后已被 {who} 改为第 {current.version} 版，您的修改未保存。"
            f"期间的改动：{listed or '（状态变化）'}{more}。您填写的内容仍保留在页面上，请核对后重新保存。"
        )
        self.errors = {"": [self.message]}
        self.loaded = loaded
        self.changes = changes
        self.record = record


AMOUNT_COLUMNS = ("initial", "annual", "executed")


def _validate(form: Form) -> None:
    """What no form may be saved with: no project, no year or one out of range, a negative amount of money."""
    errors: dict[str, list[str]] = {}
    for n, row in enumerate(form.funds):
        for column in AMOUNT_COLUMNS:
            amount = row.amount(column)
            if amount is not None and amount < 0:
                errors[f"funds[{n}].{column}"] = [
                    f"{row.label or row.kind}的{FUND_CAPTIONS[column]}为 {getattr(row, column)}，金额不能为负数。"]
    if not form.project.strip():
        errors["project"] = ["请填写项目名称。"]
    if form.year is None:
        errors["year"] = ["请填写年度（如 2024）。"]
    elif not 1990 <= form.year <= 2100:
        errors["year"] = [f"年度 {form.year} 不在 1990–2100 之间。"]
    if errors:
        raise ServiceError("请更正标出的内容。", errors)


def _with_org_names(record: dict[str, Any], unit: Org, department: Org | None) -> dict[str, Any]:
    """The header's 实施单位 and 主管部门 are those of the org tree, whatever the record says: the unit a
    form belongs to comes from the account's scope, so no one prints another unit's name on a form (and
    on the public page)."""
    record["unit"] = unit.name
    if department is not None:
        record["department"] = department.name
    return record


def _check_rights(user: User, form: PerformanceForm | None, unit: Org | None) -> Org:
    if form is None and unit is None:
        raise ServiceError("请选择实施单位。", {"unit": ["请选择实施单位。"]})
    if form is not None:
        if not can_edit(user, form):
            raise PermissionDenied(locked_reason(form.stage) if form.stage not in EDITABLE_STAGES else "您无权修改此表。")
        if unit is not None and unit.pk != form.unit_id and not writable_units(user).filter(pk=unit.pk).exists():
            raise PermissionDenied("您不能把此表移到该单位。")
    elif unit is not None and not writable_units(user).filter(pk=unit.pk).exists():
        raise PermissionDenied("您不能为该单位填报。")
    return unit or form.unit  # type: ignore[union-attr]


# Checks other apps add to a stored form's findings: (form, unit, phase) → findings. The year app adds Y01
# (a self-evaluation that differs from its project's approved target).
EXTRA_CHECKS: list[Callable[[Form, Org, str], Sequence[Finding]]] = []


def save_form(
    user: User,
    record: Mapping[str, Any],
    *,
    unit: Org | None = None,
    form: PerformanceForm | None = None,
    phase: str | None = None,
    profile_override: str | None = None,
    version: int | None = None,
    stage: str | None = None,
    evaluation: Evaluation | None = None,
) -> PerformanceForm:
    """Create (`form` None) or update a stored form: evaluate it, store record, columns and findings.

    An update with `version` is refused (StaleEdit) when the form was saved by someone else since.
    """
    target_unit = _check_rights(user, form, unit)
    department = _department(target_unit, form)
    parsed = parse_record(_with_org_names(dict(record), target_unit, department))
    _validate(parsed)
    kept = form.profile_override if form else ""
    override = kept if profile_override is None else profile_override.strip()
    if override != kept:
        from jixiao.web.ops import profiles

        profiles.choose(override, target_unit, "profile_override")  # a name the server knows here, or 400
    if evaluation is None:
        evaluation = evaluate(parsed, override, target_unit)
    extra = [f for check in EXTRA_CHECKS for f in check(parsed, target_unit, phase or (form.phase if form else ""))]
    if extra:
        evaluation = replace(evaluation, findings=(*evaluation.findings, *extra))
    values = columns(parsed, evaluation)
    values.update(record=to_record(parsed), unit=target_unit, department=department, profile_override=override,
                  updated_by=user_or_none(user))
    if phase is not None:
        values["phase"] = phase
    if stage is not None:
        values["stage"] = stage
    with transaction.atomic():
        before = _lock(user, form, version, values["record"])
        if form is not None and _unchanged(before, values, target_unit):
            return form  # nothing to keep: no new version, no empty entry in the history
        if form is None:
            stored = PerformanceForm.objects.create(created_by=values["updated_by"], **values)
        else:
            stored = _update(form, values, version)
        FormFinding.objects.filter(form=stored).delete()
        stored_count = fixed_sql.insert(finding_rows(stored, evaluation))
        _record_version(user, before, stored)
        # `findings`: how many were stored (positions 0 to findings - 1), for the receivers that add their own.
        form_saved.send(sender=PerformanceForm, form=stored, findings=stored_count)
    return stored


def _department(unit: Org, form: PerformanceForm | None) -> Org | None:
    """The unit's 主管部门 (Org.department, one query); without that query the form's, read with it, when that is
    still the unit's parent: the nearest 主管部门 above a unit that is not one itself."""
    if (form is not None and form.unit_id == unit.pk and unit.kind != Org.Kind.DEPARTMENT
            and form.department_id is not None and form.department_id == unit.parent_id):
        known = form.department  # read with the form by get_visible (else one query, as department()'s)
        if known is not None and known.kind == Org.Kind.DEPARTMENT:
            return known
    return unit.department()


@dataclass
class _Before:
    """The stored form as it was before a save, for the history to diff against."""

    record: dict[str, Any] | None = None
    kept: dict[str, str] = field(default_factory=dict)


def locked_reason(stage: str) -> str:
    """Why a form in this stage (submitted or later) cannot be changed, and what would let it be."""
    if stage == Stage.SUBMITTED:
        return "此表已提交审核，在被退回（或由填报人撤回）之前不能修改。"
    if stage == Stage.PUBLISHED:
        return "此表已公开，不能修改；如需更正，请财政局先撤销公开，再退回给单位。"
    return f"此表{STAGE_LABELS[stage]}，在被退回之前不能修改。"


def _lock(user: User, form: PerformanceForm | None, version: int | None, record: Any) -> _Before:
    """Lock the row (PostgreSQL; SQLite's writes are serialised already), refuse a change to a form that is
    submitted or later, refuse a save based on an older version with the changes made since, and keep a
    baseline version so that the first change has something to be compared with."""
    if form is None:
        return _Before()
    current = read_form(form.pk, lock=True)  # one fixed statement: the row locked, whether its version is kept
    if current is None:
        raise PerformanceForm.DoesNotExist(form.pk)
    if current.stage not in EDITABLE_STAGES:
        raise PermissionDenied(locked_reason(current.stage))
    if version is not None and version != current.version:
        raise StaleEdit(current, version, changes_since(current, version), record)
    if not current._kept:
        keep_baseline(current, kept=False)
    return _Before(record=current.record, kept=_columns_kept(current))


def _unchanged(before: _Before, values: Mapping[str, Any], unit: Org) -> bool:
    """Whether a save would change nothing: the same record, unit, phase and chosen profile."""
    after = {"unit": unit.name, "phase": values.get("phase", before.kept.get("phase")),
             "profile_override": values["profile_override"]}
    return before.record == values["record"] and before.kept == after


def _columns_kept(form: PerformanceForm) -> dict[str, str]:
    """What a save can change outside the record: the unit it belongs to, its phase, its chosen profile."""
    return {"unit": form.unit.name, "phase": form.phase, "profile_override": form.profile_override}


def _update(form: PerformanceForm, values: dict[str, Any], version: int | None) -> PerformanceForm:
    """Write the new values if the row still has the version the user loaded (one conditional UPDATE, a fixed
    statement: the ORM's building of it, with its twenty columns, cost more than running it)."""
    where = {"id": form.pk} if version is None else {"id": form.pk, "version": version}
    if fixed_sql.update(PerformanceForm, {"updated_at": timezone.now(), **values}, where, increment=["version"]) == 0:
        raise Conflict(PerformanceForm.objects.select_related("updated_by").get(pk=form.pk))
    stored = read_form(form.pk)  # as the database gives it back (the record's JSON too), with unit and department
    assert stored is not None  # the row is locked (PostgreSQL) or the write serialised (SQLite)
    return stored


def _record_version(user: User, before: _Before, stored: PerformanceForm) -> list[FieldChange]:
    """Keep the new version and every field that changed."""
    author = user_or_none(user)
    kind = "create" if before.record is None else "edit"
    # Inside save_form's transaction, with the form's row locked: one INSERT that updates the row the version
    # already has, if any (update_or_create's SELECT and two savepoints cost more); fixed statements, as
    # bulk_create's building of them cost more than running them.
    fixed_sql.insert([FormVersion(form=stored, version=stored.version, record=stored.record, stage=stored.stage,
                                  phase=stored.phase, kind=kind, user=author)],
                     upsert=(["form", "version"], ["record", "stage", "phase", "kind", "user"]))
    if before.record is None:
        return []
    after = _columns_kept(stored)
    moved = [(k, v, after[k]) for k, v in before.kept.items() if v != after[k]]
    changes = [
        FieldChange(form=stored, version=stored.version, path=p, old=o, new=n, phase=stored.phase,
                    stage=stored.stage, user=author)
        for p, o, n in [*moved, *diff_records(before.record, stored.record)]
    ]
    fixed_sql.insert(changes)
    return changes


def keep_baseline(form: PerformanceForm, kept: bool | None = None) -> None:
    """Keep the record as it is now, if its version isn't kept yet (forms stored before history began);
    `kept`: whether it is, when the caller read that with the form."""
    if kept is None:
        kept = FormVersion.objects.filter(form=form, version=form.version).exists()
    if not kept:
        FormVersion.objects.create(
            form=form, version=form.version, record=form.record, stage=form.stage, phase=form.phase,
            kind="baseline" if form.version > 1 else "create", user=form.updated_by if form.updated_by_id else None,
        )


def record_step(form: PerformanceForm, user: User, version: int, kind: str, old_stage: str, new_stage: str) -> None:
    """Keep a stage change in the history: the field change of `stage` and a version without a record."""
    author = user_or_none(user)
    FieldChange.objects.create(form=form, version=version, path="stage", old=old_stage, new=new_stage,
                               phase=form.phase, stage=new_stage, user=author)
    FormVersion.objects.create(form=form, version=version, record=None, stage=new_stage, phase=form.phase,
                               kind=kind, user=author)
