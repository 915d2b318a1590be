"""The finance bureau's side, as functions: stage changes, the edit lock and history, rounds and deadlines,
the random re-check, the year's overview and publication.

Pages, the API and the tests call these; views only parse input and render. Permissions are those of
jixiao.web.services (who sees what); this module adds who may take which review step.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import os
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Avg, Count, DecimalField, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Abs
from django.utils import timezone

from jixiao.core.model import FUND_CAPTIONS, INDICATOR_CAPTIONS
from jixiao.web.models import EDITABLE_STAGES, FormFinding, Org, PerformanceForm, Phase, Role, Stage
from jixiao.web.review.models import Draw, DrawItem, FieldChange, FormVersion, ReviewEvent, Round
from jixiao.web.services import (
    Conflict,
    PermissionDenied,
    ServiceError,
    User,
    memberships,
    visible_forms,
    visible_orgs,
)

# ---------------------------------------------------------------- the stage machine

ACTIONS = ("submit", "return", "approve", "recheck", "publish")
ACTION_LABELS = {
    "submit": "提交",
    "return": "退回",
    "approve": "审核通过",
    "recheck": "复核完成",
    "publish": "公开",
    "create": "创建",
    "edit": "修改",
    "baseline": "建档",
}
# action → (stages it starts from, the stage it leads to, the role that takes it)
STEPS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "submit": ((Stage.DRAFT, Stage.RETURNED), Stage.SUBMITTED, Role.FILLER),
    "return": ((Stage.SUBMITTED,), Stage.RETURNED, Role.REVIEWER),
    "approve": ((Stage.SUBMITTED,), Stage.APPROVED, Role.REVIEWER),
    "recheck": ((Stage.APPROVED,), Stage.RECHECKED, Role.FINANCE),
    "publish": ((Stage.APPROVED, Stage.RECHECKED), Stage.PUBLISHED, Role.FINANCE),
}
# The finance bureau may also send back a form it re-checks and finds wanting.
FINANCE_RETURNS_FROM = (Stage.APPROVED, Stage.RECHECKED)
STAGE_LABELS = dict(Stage.choices)
WHO = {Role.FILLER: "本表所属单位的填报人", Role.REVIEWER: "本表主管部门的审核人", Role.FINANCE: "财政局的复核人员"}
PHASE_LABELS = dict(Phase.choices)
ROLE_LABELS = dict(Role.choices)


class Refused(ServiceError):
    """A stage change the rules don't allow; `items` lists what stands in the way (findings to fix…)."""

    def __init__(self, message: str, items: Sequence[Mapping[str, Any]] = (), status: int = 400) -> None:
        super().__init__(message, status=status)
        self.items = list(items)


def _holds(user: User, role: str, form: PerformanceForm) -> bool:
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


def allowed_actions(user: User, form: PerformanceForm) -> list[str]:
    """The actions the user may take on the form in its current stage (for buttons and the API)."""
    return [a for a in ACTIONS if _refusal(user, form, a) is None]


def _refusal(user: User, form: PerformanceForm, action: str) -> str | None:
    """Why the user may not take `action` now, or None when they may (findings are checked later)."""
    if action not in STEPS:
        return f"未知的操作「{action}」，可选：{'、'.join(ACTIONS)}。"
    sources, _, role = STEPS[action]
    finance_return = action == "return" and form.stage in FINANCE_RETURNS_FROM
    if finance_return:
        role = Role.FINANCE
    elif form.stage not in sources:
        return f"此表当前状态为「{STAGE_LABELS[form.stage]}」，不能{ACTION_LABELS[action]}。"
    if not _holds(user, role, form):
        return f"只有{WHO[role]}可以{ACTION_LABELS[action]}此表。"
    if action == "recheck" or (action == "publish" and form.stage == Stage.APPROVED):
        item = _open_item(form)
        if action == "publish" and item is not None:
            return "此表已被抽中复核，请先完成复核再公开。"
        if action == "recheck" and item is None:
            return "此表未被抽中复核，不需要复核；可直接公开。"
        if action == "recheck" and item is not None and item.own_score is None:
            return "请先录入复核得分和发现的问题，再完成复核。"
    return None


def _open_item(form: PerformanceForm) -> DrawItem | None:
    """The latest draw that picked this form in its year and phase, if any."""
    return (
        DrawItem.objects.filter(form=form, draw__year=form.year, draw__phase=form.phase)
        .order_by("-draw__created_at", "-id")
        .first()
    )


def _findings(form: PerformanceForm, severity: str) -> list[dict[str, Any]]:
    rows = FormFinding.objects.filter(form=form, severity=severity).order_by("position")
    return [
        {"code": f.code, "severity": f.severity, "message": f.message, "location": f.location,
         "field": finding_field(f.location), "found": f.found, "expected": f.expected}
        for f in rows
    ]


def finding_field(location: Mapping[str, Any]) -> str:
    """The record path of a finding's cell ("indicators[2].score"), or "" when it isn't one cell."""
    block, key, index = location.get("block", ""), location.get("field", ""), location.get("index")
    if block in ("indicators", "funds") and index is not None and key:
        return f"{block}[{index}].{key}"
    if block == "total" and key:
        return f"total.{key}"
    return ""


@dataclass
class Cell:
    field: str
    comment: str


def transition(
    form: PerformanceForm,
    user: User,
    action: str,
    comment: str = "",
    cells: Sequence[Cell] = (),
) -> PerformanceForm:
    """Move a form one step through draft → submitted → returned/approved → rechecked → published.

    Who may take each step is in STEPS; a submission with error-level findings is refused with their
    list, one with warnings needs an explanation (the comment), a return needs a comment. The change is
    one conditional UPDATE on (stage, version), so of two concurrent transitions only one can win.
    """
    form = _fresh(form)
    why = _refusal(user, form, action)
    if why is not None:
        raise Refused(why, status=400 if action in STEPS and _holds_any(user, form) else 403)
    warnings: list[dict[str, Any]] = []
    comment = (comment or "").strip()
    if action == "submit":
        errors = _findings(form, FormFinding.Severity.ERROR)
        if errors:
            raise Refused(f"此表有 {len(errors)} 处错误，请改正后再提交。", errors)
        warnings = _findings(form, FormFinding.Severity.WARNING)
        if warnings and not comment:
            raise Refused(f"此表有 {len(warnings)} 条警告，请在说明中解释原因后再提交。", warnings)
    checked = [_checked_cell(form, c) for c in cells if c.comment.strip()]
    if action == "return" and not comment and not checked:
        raise Refused("退回时请填写意见，说明需要修改的地方。")
    target = STEPS[action][1]
    with transaction.atomic():
        claimed = PerformanceForm.objects.filter(pk=form.pk, stage=form.stage, version=form.version).update(
            stage=target, version=F("version") + 1, updated_at=timezone.now(), updated_by=_user_or_none(user)
        )
        if claimed == 0:
            now = PerformanceForm.objects.get(pk=form.pk)
            raise Refused(
                f"此表刚被他人处理，现为「{STAGE_LABELS[now.stage]}」（第 {now.version} 版），请刷新后再操作。",
                status=409,
            )
        _baseline(form, user)
        version = form.version + 1
        ReviewEvent.objects.create(
            form=form, action=action, from_stage=form.stage, to_stage=target, phase=form.phase, version=version,
            user=_user_or_none(user), comment=comment, cells=[c.__dict__ for c in checked], warnings=warnings,
        )
        FieldChange.objects.create(
            form=form, version=version, path="stage", old=form.stage, new=target, phase=form.phase, stage=target,
            user=_user_or_none(user),
        )
        FormVersion.objects.create(
            form=form, version=version, record=None, stage=target, phase=form.phase, kind=action,
            user=_user_or_none(user),
        )
    return _fresh(form)


def _holds_any(user: User, form: PerformanceForm) -> bool:
    """Whether the user has some role at the form (then a refusal is about the stage, not the person)."""
    return any(_holds(user, r, form) for r in (Role.FILLER, Role.REVIEWER, Role.FINANCE))


def _fresh(form: PerformanceForm) -> PerformanceForm:
    return PerformanceForm.objects.select_related("unit", "department").get(pk=form.pk)


def _user_or_none(user: User) -> Any:
    return user if user.is_authenticated else None


CELL_PATH = re.compile(r"^(?:(indicators|funds)\[(\d+)\]\.(\w+)|(total|goals)\.(\w+)|(project|leader|year|title))$")


def _checked_cell(form: PerformanceForm, cell: Cell) -> Cell:
    """A cell comment whose path names a cell of this form's record; else a refusal naming the path."""
    if field_label(form.record, cell.field) is None:
        raise Refused(f"单元格「{cell.field}」不在此表中，请重新选择要批注的单元格。")
    return Cell(cell.field, cell.comment.strip())


def field_label(record: Mapping[str, Any], path: str) -> str | None:
    """A reader's name for a record path ("第3行「培训人次」的得分"), or None when the path isn't in it."""
    m = CELL_PATH.match(path or "")
    if not m:
        return None
    block, index, key, part, part_key, top = m.groups()
    if top:
        return {"project": "项目名称", "leader": "项目负责人", "year": "年度", "title": "标题"}[top]
    if part == "total":
        return {"weight": "总分分值", "score": "总分得分"}.get(part_key)
    if part == "goals":
        return {"planned": "年初设定目标", "achieved": "目标完成情况"}.get(part_key)
    rows = record.get(block) or []
    n = int(index)
    if n >= len(rows):
        return None
    if block == "indicators":
        caption = INDICATOR_CAPTIONS.get(key)
        return None if caption is None else f"第{n + 1}项指标「{rows[n].get('name', '')}」的{caption}"
    caption = FUND_CAPTIONS.get(key, {"label": "项目"}.get(key))
    return None if caption is None else f"资金「{rows[n].get('label', '')}」的{caption}"


def record_cells(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every commentable cell of a record as (path, label), in the order the form prints them."""
    paths = ["project", "year"]
    paths += [f"funds[{n}].{k}" for n, _ in enumerate(record.get("funds") or []) for k in FUND_CAPTIONS]
    paths += ["goals.planned", "goals.achieved"]
    paths += [
        f"indicators[{n}].{k}"
        for n, _ in enumerate(record.get("indicators") or [])
        for k in ("weight", "target", "actual", "score", "reason")
    ]
    paths += ["total.score"]
    return [(p, field_label(record, p) or p) for p in paths]


# ---------------------------------------------------------------- the edit lock, versions and history


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


def _local(moment: datetime.datetime) -> str:
    """A moment in the configured time zone (Asia/Shanghai by default), to the second."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _shown(value: str | None) -> str:
    return "（无）" if value is None else ("（空）" if value == "" else f"「{value}」")


@dataclass
class SaveContext:
    """What before_save saw, for after_save to diff against."""

    record: dict[str, Any] | None = None
    version: int = 0
    user: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def before_save(user: User, form: PerformanceForm | None, version: int | None, record: Any = None) -> SaveContext:
    """Called by jixiao.web.services.save_form inside its transaction, before it writes.

    Locks the row (PostgreSQL; SQLite's writes are serialised already), refuses a unit's change to a
    form that is submitted or later, refuses a save based on an older version with the changes made
    since, and keeps a baseline version so that the first change has something to be compared with.
    """
    if form is None:
        return SaveContext(user=user)
    current = PerformanceForm.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=form.pk)
    if current.stage not in EDITABLE_STAGES:
        raise PermissionDenied(
            f"此表{STAGE_LABELS[current.stage]}，在被退回之前不能修改。"
            if current.stage != Stage.SUBMITTED
            else "此表已提交审核，在被退回之前不能修改。"
        )
    if version is not None and version != current.version:
        raise StaleEdit(current, version, changes_since(current, version), record)
    _baseline(current, user)
    return SaveContext(record=current.record, version=current.version, user=user, extra=_columns_kept(current))


def _columns_kept(form: PerformanceForm) -> dict[str, str]:
    """What a save can change outside the record: the unit it belongs to, its phase, its chosen profile."""
    return {"unit": form.unit.name, "phase": form.phase, "profile_override": form.profile_override}


def after_save(context: SaveContext, stored: PerformanceForm) -> list[FieldChange]:
    """Called by save_form after it wrote: record the new version and every field that changed."""
    user = _user_or_none(context.user)
    kind = "create" if context.record is None else "edit"
    FormVersion.objects.update_or_create(
        form=stored, version=stored.version,
        defaults={"record": stored.record, "stage": stored.stage, "phase": stored.phase, "kind": kind, "user": user},
    )
    if context.record is None:
        return []
    after = _columns_kept(stored)
    moved = [(k, v, after[k]) for k, v in context.extra.items() if v != after[k]]
    changes = [
        FieldChange(form=stored, version=stored.version, path=p, old=o, new=n, phase=stored.phase,
                    stage=stored.stage, user=user)
        for p, o, n in [*moved, *diff_records(context.record, stored.record)]
    ]
    return FieldChange.objects.bulk_create(changes)


def _baseline(form: PerformanceForm, user: User) -> None:
    """Keep the record as it is now, if its version isn't kept yet (forms stored before history began)."""
    if not FormVersion.objects.filter(form=form, version=form.version).exists():
        FormVersion.objects.create(
            form=form, version=form.version, record=form.record, stage=form.stage, phase=form.phase,
            kind="baseline" if form.version > 1 else "create", user=form.updated_by if form.updated_by_id else None,
        )


def flatten(record: Mapping[str, Any] | None) -> dict[str, str]:
    """A record as {path: text}: "project", "funds[0].annual", "indicators[2].score", "category_points.产出指标"."""
    flat: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(value, list):
            for n, v in enumerate(value):
                walk(v, f"{path}[{n}]")
        else:
            flat[path] = "" if value is None else str(value)

    walk(dict(record or {}), "")
    flat.pop("schema", None)
    return flat


def diff_records(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[tuple[str, str | None, str | None]]:
    """(path, old, new) of every field that differs; None where a field is absent (a row added or removed)."""
    a, b = flatten(old), flatten(new)
    paths = list(a) + [p for p in b if p not in a]
    return [(p, a.get(p), b.get(p)) for p in paths if a.get(p) != b.get(p)]


COLUMN_LABELS = {"stage": "状态", "unit": "实施单位（所属）", "phase": "阶段", "profile_override": "指定评分规则"}


def _label(record: Mapping[str, Any], path: str) -> str:
    return COLUMN_LABELS.get(path) or field_label(record, path) or path


def _change_dict(c: FieldChange, record: Mapping[str, Any]) -> dict[str, Any]:
    is_stage = c.path == "stage"
    return {
        "version": c.version,
        "path": c.path,
        "label": _label(record, c.path),
        "old": STAGE_LABELS.get(c.old or "", c.old) if is_stage else c.old,
        "new": STAGE_LABELS.get(c.new or "", c.new) if is_stage else c.new,
        "user": str(c.user) if c.user_id else "",
        "at": _local(c.at),
        "phase": c.phase,
        "stage": c.stage,
    }


def changes_since(form: PerformanceForm, version: int) -> list[dict[str, Any]]:
    """The field changes made after `version` (what a stale editor didn't see)."""
    rows = FieldChange.objects.filter(form=form, version__gt=version).select_related("user").order_by("version", "id")
    return [_change_dict(c, form.record) for c in rows]


def timeline(form: PerformanceForm) -> list[dict[str, Any]]:
    """Every version of a form, newest first, with who, when, what action, comment and changed fields."""
    versions = list(FormVersion.objects.filter(form=form).defer("record").select_related("user").order_by("-version"))
    changes: dict[int, list[dict[str, Any]]] = {}
    for c in FieldChange.objects.filter(form=form).select_related("user").order_by("version", "id"):
        changes.setdefault(c.version, []).append(_change_dict(c, form.record))
    events = {e.version: e for e in ReviewEvent.objects.filter(form=form)}
    out = []
    for v in versions:
        event = events.get(v.version)
        out.append(
            {
                "version": v.version,
                "kind": v.kind,
                "label": ACTION_LABELS.get(v.kind, v.kind),
                "user": str(v.user) if v.user_id else "",
                "at": _local(v.at),
                "stage": v.stage,
                "stage_label": STAGE_LABELS.get(v.stage, v.stage),
                "phase": v.phase,
                "phase_label": PHASE_LABELS.get(v.phase, v.phase),
                "comment": event.comment if event else "",
                "cells": [{**c, "label": _label(form.record, c["field"])} for c in event.cells] if event else [],
                "changes": changes.get(v.version, []),
            }
        )
    return out


def version_diff(form: PerformanceForm, a: int, b: int) -> list[dict[str, Any]]:
    """What differs between two kept versions of a form (path, label, value in a, value in b)."""
    kept = {v.version: v for v in FormVersion.objects.filter(form=form, version__in=[a, b]).defer("record")}
    missing = [n for n in (a, b) if n not in kept]
    if missing:
        raise ServiceError(f"没有第 {missing[0]} 版的记录。", status=404)
    old, new = _record_at(form, a), _record_at(form, b)
    rows = diff_records(old, new)
    if kept[a].stage != kept[b].stage:
        rows.insert(0, ("stage", STAGE_LABELS[kept[a].stage], STAGE_LABELS[kept[b].stage]))
    return [{"path": p, "label": _label(new, p), "old": o, "new": n} for p, o, n in rows]


def _record_at(form: PerformanceForm, version: int) -> dict[str, Any]:
    """The record as it was at a version: that of the latest version up to it that kept one."""
    kept = (
        FormVersion.objects.filter(form=form, version__lte=version, record__isnull=False)
        .order_by("-version").values_list("record", flat=True).first()
    )
    return dict(kept or {})


def review_state(form: PerformanceForm, user: User) -> dict[str, Any]:
    """What the review page and API show beside a form: events, open cell comments, warnings and their
    explanation, the re-check, and the actions the user may take."""
    events = list(ReviewEvent.objects.filter(form=form).select_related("user").order_by("at", "id"))
    last_submit = next((e for e in reversed(events) if e.action == "submit"), None)
    # The comments of the last return stand while the form is returned; afterwards they are history.
    last_return = events[-1] if events and events[-1].action == "return" and form.stage == Stage.RETURNED else None
    item = _open_item(form)
    return {
        "stage": form.stage,
        "stage_label": STAGE_LABELS[form.stage],
        "version": form.version,
        "actions": allowed_actions(user, form),
        "events": [
            {"action": e.action, "label": ACTION_LABELS[e.action], "from": e.from_stage, "to": e.to_stage,
             "user": str(e.user) if e.user_id else "", "at": _local(e.at), "comment": e.comment,
             "cells": [{**c, "label": _label(form.record, c["field"])} for c in e.cells]}
            for e in events
        ],
        "returned_cells": (
            [{**c, "label": _label(form.record, c["field"])} for c in last_return.cells] if last_return else []
        ),
        "return_comment": last_return.comment if last_return else "",
        "warnings": _findings(form, FormFinding.Severity.WARNING),
        "errors": _findings(form, FormFinding.Severity.ERROR),
        "explanation": last_submit.comment if last_submit else "",
        "recheck": _item_dict(item, form) if item else None,
        "can_record": item is not None and _holds(user, Role.FINANCE, form) and form.stage in RECORDABLE_STAGES,
    }


# ---------------------------------------------------------------- rounds and deadlines


def _require(user: User, role: str) -> None:
    if not any(m.role == role for m in memberships(user)) and not user.is_superuser:
        raise PermissionDenied(f"只有{ROLE_LABELS[role]}可以进行此操作。")


def _finance_scope(user: User) -> QuerySet[Org]:
    return visible_orgs(user)


def create_round(
    user: User, *, year: int, phase: str, title: str, deadline: datetime.date,
    departments: Iterable[int] = (), note: str = "",
) -> Round:
    """Open a round (财政复核 only) for a year and phase with a deadline, for all or some departments."""
    _require(user, Role.FINANCE)
    errors: dict[str, list[str]] = {}
    if phase not in Phase.values:
        errors["phase"] = ["请选择阶段。"]
    if not 1990 <= int(year) <= 2100:
        errors["year"] = ["年度应在 1990–2100 之间。"]
    if not title.strip():
        errors["title"] = ["请填写任务名称。"]
    chosen = list(_finance_scope(user).filter(pk__in=list(departments), kind=Org.Kind.DEPARTMENT))
    if len(chosen) != len(set(departments)):
        errors["departments"] = ["所选主管部门不存在或不在您的管辖范围内。"]
    if errors:
        raise ServiceError("请更正标出的内容。", errors)
    r = Round.objects.create(
        year=year, phase=phase, title=title.strip(), deadline=deadline, note=note, created_by=_user_or_none(user)
    )
    r.departments.set(chosen)
    return r


def days_left(deadline: datetime.date, today: datetime.date | None = None) -> int:
    """Days from today to the deadline: 0 on the day itself, negative once overdue."""
    return (deadline - (today or timezone.localdate())).days


OWED_STAGES = (Stage.DRAFT, Stage.RETURNED)


def _round_units(r: Round) -> QuerySet[Org]:
    """The orgs that fill forms in a round: units under its departments (or all), and departments that fill."""
    deps = list(r.departments.all())
    qs = Org.objects.exclude(kind=Org.Kind.FINANCE)
    if deps:
        q = Q(pk__in=[])
        for d in deps:
            q |= Q(path__startswith=d.path)
        qs = qs.filter(q)
    fills = Q(kind=Org.Kind.UNIT) | Q(memberships__role=Role.FILLER) | Q(forms__year=r.year)
    return qs.filter(fills).distinct()


def round_status(r: Round, user: User, today: datetime.date | None = None) -> dict[str, Any]:
    """Per unit of a round (that the user sees): forms by stage, what is still owed, days left, overdue.

    One aggregate query over the units: counts are Count(filter=…) on the forms of the round's year and phase.
    """
    in_round = Q(forms__year=r.year, forms__phase=r.phase)
    stage_counts = {s: Count("forms", filter=in_round & Q(forms__stage=s)) for s in Stage.values}
    units = (
        # The units as a subquery: joining memberships here would multiply the counted forms.
        Org.objects.filter(pk__in=_round_units(r).values("pk")).filter(pk__in=visible_orgs(user).values("pk"))
        .annotate(total=Count("forms", filter=in_round), **stage_counts)
        .order_by("path")
    )
    left = days_left(r.deadline, today)
    rows = []
    for u in units.values("pk", "name", "path", "kind", "total", *Stage.values):
        # A unit with no form at all for the round still owes one.
        pending = sum(u[s] for s in OWED_STAGES)
        owed = pending + (1 if u["total"] == 0 else 0)
        rows.append({**u, "owed": owed, "done": u["total"] - pending,
                     "overdue": owed > 0 and left < 0})
    return {
        "round": round_dict(r, today),
        "units": rows,
        "owed": sum(u["owed"] for u in rows),
        "overdue_units": sum(1 for u in rows if u["overdue"]),
    }


def round_dict(r: Round, today: datetime.date | None = None) -> dict[str, Any]:
    left = days_left(r.deadline, today)
    return {
        "id": r.pk, "year": r.year, "phase": r.phase, "phase_label": dict(Phase.choices)[r.phase],
        "title": r.title, "deadline": r.deadline.isoformat(), "days_left": left, "overdue": left < 0,
        "days_overdue": max(0, -left),
        "departments": [{"id": d.pk, "name": d.name} for d in r.departments.all()], "note": r.note,
    }


def rounds_for(user: User) -> QuerySet[Round]:
    """Rounds that concern the user: all for the finance bureau; those naming (or not limiting) their department."""
    qs = Round.objects.prefetch_related("departments")
    if user.is_superuser or any(m.role == Role.FINANCE for m in memberships(user)):
        return qs
    paths = [m.org.path for m in memberships(user)]
    q = Q(departments__isnull=True)
    for p in paths:
        # A department above the user's place, or under it (a reviewer above several departments).
        ids = [int(i) for i in p.strip("/").split("/") if i]
        q |= Q(departments__in=ids) | Q(departments__path__startswith=p)
    return qs.filter(q).distinct()


def obligations(user: User, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """What the user's units owe, round by round: forms not yet submitted, deadline and days left."""
    out = []
    for r in rounds_for(user):
        status = round_status(r, user, today)
        if status["units"]:
            out.append(status)
    return out


# ---------------------------------------------------------------- random re-check (随机抽评)

DRAW_STAGES = (Stage.SUBMITTED, Stage.APPROVED)
RECORDABLE_STAGES = (Stage.SUBMITTED, Stage.APPROVED, Stage.RETURNED)


def _allocate(sizes: Mapping[int, int], total: int) -> dict[int, int]:
    """Split `total` over strata in proportion to their sizes (largest remainder), at most a stratum's size."""
    whole = sum(sizes.values())
    if whole == 0:
        return dict.fromkeys(sizes, 0)
    exact = {k: total * n / whole for k, n in sizes.items()}
    alloc = {k: min(sizes[k], math.floor(v)) for k, v in exact.items()}
    for k in sorted(sizes, key=lambda k: (-(exact[k] - math.floor(exact[k])), k)):
        if sum(alloc.values()) >= total:
            break
        if alloc[k] < sizes[k]:
            alloc[k] += 1
    return alloc


def sample_ids(population: Mapping[int, Sequence[int]], seed: int, *, share: Decimal | None, count: int | None) -> list[int]:
    """The forms drawn: per department (stratum, sorted by id), share → ⌈share × n⌉, count → allocated in
    proportion; random.Random(seed) on the sorted ids, so the same seed and population give the same draw."""
    strata = {k: sorted(v) for k, v in sorted(population.items())}
    if share is not None:
        wanted = {k: min(len(v), math.ceil(Decimal(len(v)) * share)) for k, v in strata.items()}
    else:
        wanted = _allocate({k: len(v) for k, v in strata.items()}, count or 0)
    rng = random.Random(seed)
    chosen: list[int] = []
    for k, ids in strata.items():
        chosen += sorted(rng.sample(ids, wanted[k]))
    return chosen


def draw_sample(
    user: User, *, year: int, phase: str = Phase.SELF, share: Decimal | str | None = None, count: int | None = None,
    seed: int | None = None, departments: Iterable[int] = (),
) -> Draw:
    """Draw forms for re-check (财政复核 only) from the submitted and approved forms of a year and phase not
    drawn before, stratified by department; the seed (random if not given) is kept with the draw."""
    _require(user, Role.FINANCE)
    share_value = _share(share)
    if (share_value is None) == (count is None):
        raise ServiceError("请填写抽取比例或抽取数量（二选一）。", {"share": ["请填写抽取比例或抽取数量（二选一）。"]})
    if count is not None and count <= 0:
        raise ServiceError("抽取数量应大于 0。", {"count": ["抽取数量应大于 0。"]})
    seed = secrets_seed() if seed is None else int(seed)
    chosen_deps = list(_finance_scope(user).filter(pk__in=list(departments)))
    forms = visible_forms(user).filter(year=year, phase=phase, stage__in=DRAW_STAGES).exclude(
        draw_items__draw__year=year, draw_items__draw__phase=phase
    )
    if chosen_deps:
        forms = forms.filter(department__in=chosen_deps)
    population: dict[int, list[int]] = {}
    for pk, dep in forms.values_list("pk", "department_id").order_by("pk"):
        population.setdefault(dep or 0, []).append(pk)
    if not population:
        raise ServiceError("没有可抽取的表：抽取范围是已提交或已审核、且未被抽过的表。")
    ids = sample_ids(population, seed, share=share_value, count=count)
    dep_of = {pk: dep for dep, pks in population.items() for pk in pks}
    with transaction.atomic():
        draw = Draw.objects.create(
            year=year, phase=phase, share=share_value, count=count, seed=seed,
            population=sorted(dep_of), created_by=_user_or_none(user),
        )
        draw.departments.set(chosen_deps)
        DrawItem.objects.bulk_create(
            DrawItem(draw=draw, form_id=pk, department_id=dep_of[pk] or None) for pk in ids
        )
    return draw


def secrets_seed() -> int:
    import secrets

    return secrets.randbelow(2**31)


def _share(share: Decimal | str | None) -> Decimal | None:
    if share in (None, ""):
        return None
    try:
        text = str(share).strip()
        value = Decimal(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except InvalidOperation:
        raise ServiceError("抽取比例应为数字，如 0.2 或 20%。", {"share": ["抽取比例应为数字，如 0.2 或 20%。"]}) from None
    if not 0 < value <= 1:
        raise ServiceError("抽取比例应在 0 到 100% 之间。", {"share": ["抽取比例应在 0 到 100% 之间。"]})
    return value


def record_recheck(user: User, form: PerformanceForm, score: Decimal | str, problems: str) -> DrawItem:
    """The finance bureau's own score and problems for a drawn form."""
    form = _fresh(form)
    if not _holds(user, Role.FINANCE, form):
        raise PermissionDenied("只有财政复核人员可以录入复核结果。")
    item = _open_item(form)
    if item is None:
        raise Refused("此表未被抽中复核。")
    if form.stage not in RECORDABLE_STAGES:
        raise Refused(f"此表{STAGE_LABELS[form.stage]}，不能再修改复核结果。")
    try:
        value = Decimal(str(score).strip())
    except InvalidOperation:
        raise ServiceError("复核得分应为数字。", {"score": ["复核得分应为数字。"]}) from None
    if not 0 <= value <= 100:
        raise ServiceError("复核得分应在 0–100 之间。", {"score": ["复核得分应在 0–100 之间。"]})
    DrawItem.objects.filter(pk=item.pk).update(
        own_score=round(value, 2), problems=problems.strip(), recorded_by=_user_or_none(user),
        recorded_at=timezone.now(),
    )
    item.refresh_from_db()
    return item


def is_finance(user: User) -> bool:
    """Whether the user draws samples and opens rounds: the finance bureau (or a superuser)."""
    return bool(user.is_superuser) or any(m.role == Role.FINANCE for m in memberships(user))


def draws_for(user: User) -> QuerySet[Draw]:
    """The draws a user may look at: the finance bureau's, nobody else's."""
    return Draw.objects.all() if is_finance(user) else Draw.objects.none()


def get_draw(user: User, pk: int) -> Draw:
    draw = draws_for(user).filter(pk=pk).first()
    if draw is None:
        raise ServiceError("没有找到此次抽评，或您无权查看。", status=404)
    return draw


def _item_dict(item: DrawItem, form: PerformanceForm) -> dict[str, Any]:
    unit = form.printed_total
    return {
        "draw": item.draw_id, "form": form.pk, "own_score": _t(item.own_score), "problems": item.problems,
        "unit_score": _t(unit), "computed": _t(form.computed_total),
        "difference": _t(unit - item.own_score) if unit is not None and item.own_score is not None else None,
        "recorded_at": _local(item.recorded_at) if item.recorded_at else None,
    }


def draw_detail(draw: Draw, user: User) -> dict[str, Any]:
    """A draw with its forms: unit score, computed score, own score and the difference (one query)."""
    items = (
        draw.items.filter(form__in=visible_forms(user))
        .select_related("form", "form__unit", "department")
        .annotate(difference=F("form__printed_total") - F("own_score"))
        .order_by("department__path", "form_id")
    )
    return {
        "id": draw.pk, "year": draw.year, "phase": draw.phase, "seed": draw.seed,
        "share": _t(draw.share), "count": draw.count, "population": len(draw.population),
        "created_at": _local(draw.created_at), "created_by": str(draw.created_by or ""),
        "departments": [d.name for d in draw.departments.all()],
        "items": [
            {"form": i.form_id, "project": i.form.project, "unit": i.form.unit.name,
             "department": i.department.name if i.department else "", "stage": i.form.stage,
             "stage_label": STAGE_LABELS[i.form.stage], "unit_score": _t(i.form.printed_total),
             "computed": _t(i.form.computed_total), "own_score": _t(i.own_score), "difference": _t(_q2(i.difference)),
             "problems": i.problems}
            for i in items
        ],
    }


def _t(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# ---------------------------------------------------------------- the overview

RATE_BANDS: tuple[tuple[str, str, Decimal | None, Decimal | None], ...] = (
    # key, label, lower bound (inclusive), upper bound (exclusive); execution_rate is a ratio
    ("lt60", "60%以下", None, Decimal("0.6")),
    ("60-80", "60%–80%", Decimal("0.6"), Decimal("0.8")),
    ("80-90", "80%–90%", Decimal("0.8"), Decimal("0.9")),
    ("90-100", "90%–100%", Decimal("0.9"), Decimal("1")),
    ("100", "100%及以上", Decimal("1"), None),
)
GRADES = ("优", "良", "中", "差")


def rate_q(key: str) -> Q:
    """The filter of an execution-rate band ("none": no rate)."""
    if key == "none":
        return Q(execution_rate__isnull=True)
    for k, _, low, high in RATE_BANDS:
        if k == key:
            q = Q(execution_rate__isnull=False)
            if low is not None:
                q &= Q(execution_rate__gte=low)
            if high is not None:
                q &= Q(execution_rate__lt=high)
            return q
    raise ServiceError(f"未知的执行率区间「{key}」。")


DIFF_FILTERS = {
    "higher": Q(printed_total__gt=F("computed_total")),
    "equal": Q(printed_total=F("computed_total")),
    "lower": Q(printed_total__lt=F("computed_total")),
    "missing": Q(printed_total__isnull=True) | Q(computed_total__isnull=True),
}


def filtered_forms(user: User, params: Mapping[str, str]) -> QuerySet[PerformanceForm]:
    """The forms behind an overview number: year, department, unit, phase, stage, grade, rate band,
    errors, finding code, unit-vs-computed, search."""
    qs = visible_forms(user)
    if params.get("year"):
        qs = qs.filter(year=_int(params["year"], "year"))
    if params.get("department"):
        qs = qs.filter(department_id=_int(params["department"], "department"))
    if params.get("unit"):
        qs = qs.filter(unit_id=_int(params["unit"], "unit"))
    if params.get("phase"):
        qs = qs.filter(phase=params["phase"])
    if params.get("stage"):
        qs = qs.filter(stage__in=params["stage"].split(","))
    if "grade" in params:
        qs = qs.filter(grade=params["grade"] if params["grade"] != "none" else "")
    if params.get("rate"):
        qs = qs.filter(rate_q(params["rate"]))
    if params.get("errors") == "1":
        qs = qs.filter(error_count__gt=0)
    if params.get("errors") == "0":
        qs = qs.filter(error_count=0)
    if params.get("code"):
        qs = qs.filter(pk__in=FormFinding.objects.filter(code=params["code"]).values("form_id"))
    if params.get("diff"):
        if params["diff"] not in DIFF_FILTERS:
            raise ServiceError(f"未知的比较条件「{params['diff']}」。")
        qs = qs.filter(DIFF_FILTERS[params["diff"]])
    if params.get("sampled") == "1":
        qs = qs.filter(pk__in=DrawItem.objects.values("form_id"))
    if params.get("q"):
        qs = qs.filter(Q(project__icontains=params["q"]) | Q(unit__name__icontains=params["q"]))
    return qs


def years(user: User) -> list[int]:
    """The years of the forms a user sees, newest first (for the year filters; kept a minute in the cache,
    since a distinct over every form is the dearest query of a kept overview page)."""
    qs = visible_forms(user).order_by("-year").values_list("year", flat=True).distinct()
    key = "review-years:" + hashlib.sha256(str(qs.query).encode()).hexdigest()
    found: list[int] | None = cache.get(key)
    if found is None:
        found = list(qs)
        cache.set(key, found, 60)
    return found


def _int(text: str, name: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise ServiceError(f"参数 {name} 应为整数。", status=400) from None


def overview(user: User, year: int, department: int | None = None, phase: str | None = None) -> dict[str, Any]:
    """The year at a glance, every figure one database aggregate (no loop over forms):
    forms by stage, grades, execution-rate bands, forms with errors, frequent finding codes, unit score
    vs computed, and a table per department and unit.

    The figures are kept in the cache under the forms' stamp (how many, the sum of their versions, the
    latest change): every save and stage change bumps a version, so a stale overview is never shown, and
    a busy spring morning of people opening the same overview costs one small query each.
    """
    params = {"year": str(year)}
    if department:
        params["department"] = str(department)
    if phase:
        params["phase"] = phase
    qs = filtered_forms(user, params).order_by()
    seconds = overview_cache_seconds()
    if not seconds:
        return {**_overview(qs, year, department, phase), "key": "", "cache_seconds": 0}
    stamp = qs.aggregate(n=Count("pk"), versions=Sum("version"), last=Max("updated_at"))
    key = hashlib.sha256(f"{qs.query}|{sorted(stamp.items())}".encode()).hexdigest()
    data: dict[str, Any] | None = cache.get("review-overview:" + key)
    if data is None:
        # `key` also names the rendered page fragment, which the template keeps as long.
        data = {**_overview(qs, year, department, phase), "key": key, "cache_seconds": seconds}
        cache.set("review-overview:" + key, data, seconds)
    return data


def overview_cache_seconds() -> int:
    """How long an overview is kept (JIXIAO_OVERVIEW_CACHE_SECONDS, default 300; 0 computes every time)."""
    return int(getattr(settings, "JIXIAO_OVERVIEW_CACHE_SECONDS", os.environ.get("JIXIAO_OVERVIEW_CACHE_SECONDS", 300)))


def _overview(qs: QuerySet[PerformanceForm], year: int, department: int | None, phase: str | None) -> dict[str, Any]:
    money = DecimalField(max_digits=10, decimal_places=2)
    figures = qs.aggregate(
        total=Count("pk"),
        **{f"stage_{s}": Count("pk", filter=Q(stage=s)) for s in Stage.values},
        **{f"grade_{g}": Count("pk", filter=Q(grade=g)) for g in GRADES},
        grade_none=Count("pk", filter=Q(grade="")),
        **{f"rate_{k}": Count("pk", filter=rate_q(k)) for k, *_ in RATE_BANDS},
        rate_none=Count("pk", filter=Q(execution_rate__isnull=True)),
        with_errors=Count("pk", filter=Q(error_count__gt=0)),
        with_warnings=Count("pk", filter=Q(warning_count__gt=0)),
        **{f"diff_{k}": Count("pk", filter=q) for k, q in DIFF_FILTERS.items()},
        avg_printed=Avg("printed_total", output_field=money),
        avg_computed=Avg("computed_total", output_field=money),
        avg_abs_diff=Avg(Abs(F("printed_total") - F("computed_total")), output_field=money),
        budget=Sum("budget"),
        executed=Sum("executed"),
    )
    codes = list(
        FormFinding.objects.filter(form__in=qs.values("pk"))
        .values("code", "severity")
        .annotate(findings=Count("pk"), forms=Count("form", distinct=True))
        .order_by("-findings", "code")[:10]
    )
    per_unit = list(
        qs.values("department_id", "department__name", "unit_id", "unit__name")
        .annotate(**_row_aggregates())
        .order_by("department__name", "unit__name")
    )
    per_department = list(
        qs.values("department_id", "department__name").annotate(**_row_aggregates()).order_by("department__name")
    )
    return {
        "year": year,
        "year_text": str(year),
        "department": department,
        "phase": phase,
        "total": figures["total"],
        "stages": [{"key": s, "label": STAGE_LABELS[s], "count": figures[f"stage_{s}"]} for s in Stage.values],
        "grades": [{"key": g, "label": g, "count": figures[f"grade_{g}"]} for g in GRADES]
        + [{"key": "none", "label": "未评级", "count": figures["grade_none"]}],
        "rates": [{"key": k, "label": label, "count": figures[f"rate_{k}"]} for k, label, *_ in RATE_BANDS]
        + [{"key": "none", "label": "未填", "count": figures["rate_none"]}],
        "with_errors": figures["with_errors"],
        "with_warnings": figures["with_warnings"],
        "codes": codes,
        "scores": {
            "higher": figures["diff_higher"], "equal": figures["diff_equal"], "lower": figures["diff_lower"],
            "missing": figures["diff_missing"], "avg_printed": _t(_q2(figures["avg_printed"])),
            "avg_computed": _t(_q2(figures["avg_computed"])), "avg_abs_diff": _t(_q2(figures["avg_abs_diff"])),
        },
        "budget": _t(figures["budget"]),
        "executed": _t(figures["executed"]),
        "per_department": [_row(r) for r in per_department],
        "per_unit": [_row(r) for r in per_unit],
    }


def _q2(value: Decimal | float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _row_aggregates() -> dict[str, Any]:
    money = DecimalField(max_digits=10, decimal_places=2)
    return {
        "forms": Count("pk"),
        **{s: Count("pk", filter=Q(stage=s)) for s in Stage.values},
        "with_errors": Count("pk", filter=Q(error_count__gt=0)),
        "avg_printed": Avg("printed_total", output_field=money),
        "avg_computed": Avg("computed_total", output_field=money),
        "budget": Sum("budget"),
        "executed": Sum("executed"),
        "excellent": Count("pk", filter=Q(grade="优")),
    }


def _row(r: dict[str, Any]) -> dict[str, Any]:
    rate = r["executed"] / r["budget"] if r.get("budget") and r.get("executed") is not None else None
    return {
        **r,
        # Text ids, so that templates can build the links of the row with |add.
        "department_text": "" if r.get("department_id") is None else str(r["department_id"]),
        "unit_text": str(r.get("unit_id", "")),
        "avg_printed": _t(_q2(r["avg_printed"])),
        "avg_computed": _t(_q2(r["avg_computed"])),
        "budget": _t(r["budget"]),
        "executed": _t(r["executed"]),
        "execution_rate": None if rate is None else f"{rate * 100:.2f}%",
        "department__name": r.get("department__name") or "（无主管部门）",
    }


# ---------------------------------------------------------------- publication


def published_forms() -> QuerySet[PerformanceForm]:
    """What the public pages may show: published forms, and nothing else."""
    return PerformanceForm.objects.filter(stage=Stage.PUBLISHED)


def public_years() -> list[dict[str, Any]]:
    return list(published_forms().values("year").annotate(forms=Count("pk")).order_by("-year"))


def public_departments(year: int) -> list[dict[str, Any]]:
    return list(
        published_forms().filter(year=year).values("department_id", "department__name")
        .annotate(forms=Count("pk")).order_by("department__name")
    )


def public_form(form_id: int) -> PerformanceForm:
    form = published_forms().select_related("unit", "department").filter(pk=form_id).first()
    if form is None:
        raise ServiceError("没有找到此公开表。", status=404)
    return form


def public_record(form: PerformanceForm) -> dict[str, Any]:
    """The interchange record (docs/domain.md §8) of a published form, exactly as stored."""
    return dict(form.record)


# ---------------------------------------------------------------- overview exports


def _overview_tables(data: Mapping[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The overview as titled tables (caption, header, rows), shared by the .xlsx and the .pdf."""
    s = data["scores"]
    return [
        ("按状态", ["状态", "表数"], [[x["label"], x["count"]] for x in data["stages"]]),
        ("按等级", ["等级", "表数"], [[x["label"], x["count"]] for x in data["grades"]]),
        ("按预算执行率", ["执行率", "表数"], [[x["label"], x["count"]] for x in data["rates"]]),
        ("复核发现", ["项目", "表数"], [["有错误的表", data["with_errors"]], ["有警告的表", data["with_warnings"]]]),
        ("最常见的问题代码", ["代码", "级别", "条数", "涉及表数"],
         [[c["code"], {"error": "错误", "warning": "警告", "info": "提示"}.get(c["severity"], c["severity"]),
           c["findings"], c["forms"]] for c in data["codes"]]),
        ("填报总分与计算总分", ["项目", "值"],
         [["填报高于计算", s["higher"]], ["两者相同", s["equal"]], ["填报低于计算", s["lower"]],
          ["无法比较", s["missing"]], ["填报总分平均", s["avg_printed"] or ""],
          ["计算总分平均", s["avg_computed"] or ""], ["平均绝对差", s["avg_abs_diff"] or ""]]),
        ("按单位", ["主管部门", "实施单位", "表数", "草稿", "已提交", "已退回", "已审核", "已复核", "已公开", "有错误",
                  "填报总分平均", "计算总分平均", "执行率"],
         [[r["department__name"], r["unit__name"], r["forms"], r["draft"], r["submitted"], r["returned"],
           r["approved"], r["rechecked"], r["published"], r["with_errors"], r["avg_printed"] or "",
           r["avg_computed"] or "", r["execution_rate"] or ""] for r in data["per_unit"]]),
    ]


def overview_xlsx(data: Mapping[str, Any]) -> bytes:
    """The overview as a workbook: one sheet of figures, one per unit."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "总览"
    sheet.append([f"{data['year']} 年度绩效自评总览（共 {data['total']} 张表）"])
    sheet["A1"].font = Font(bold=True, size=13)
    tables = _overview_tables(data)
    for caption, header, rows in tables[:-1]:
        sheet.append([])
        sheet.append([caption])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.append(header)
        for row in rows:
            sheet.append([_cell_value(v) for v in row])
    sheet.column_dimensions["A"].width = 22
    caption, header, rows = tables[-1]
    units = book.create_sheet(caption)
    units.append(header)
    for row in rows:
        units.append([_cell_value(v) for v in row])
    units.column_dimensions["A"].width = 24
    units.column_dimensions["B"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell_value(value: Any) -> Any:
    """Numbers as numbers in the sheet; text stays text."""
    if isinstance(value, str):
        try:
            return float(value) if re.fullmatch(r"-?\d+(\.\d+)?", value) else value
        except ValueError:
            return value
    return value


def overview_pdf(data: Mapping[str, Any]) -> bytes:
    """The overview as a printable A4 PDF: fpdf2 with the reports' CJK font (jixiao.reports.fonts), cut to
    the characters used, so that the text stays readable by PDF readers (pdfplumber included)."""
    import tempfile
    from pathlib import Path

    from fpdf import FPDF
    from fpdf.fonts import FontFace

    from jixiao.reports.fonts import truetype_subset

    title = f"{data['year']} 年度绩效自评总览（共 {data['total']} 张表）"
    tables = _overview_tables(data)
    text = title + "".join(c + "".join(h) + "".join(str(v) for r in rows for v in r) for c, h, rows in tables)
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    with tempfile.TemporaryDirectory(prefix="jixiao-overview-") as folder:
        font = Path(folder) / "cjk.ttf"
        font.write_bytes(truetype_subset(text))
        pdf.add_font("cjk", "", str(font))
        pdf.add_page()
        pdf.set_font("cjk", size=15)
        pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT", align="C")
        for caption, header, rows in tables:
            pdf.set_font("cjk", size=11)
            pdf.cell(0, 8, caption, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("cjk", size=8 if len(header) > 6 else 9)
            with pdf.table(col_widths=_widths(len(header), pdf.epw), text_align="LEFT", line_height=5.5,
                           headings_style=FontFace(emphasis="", fill_color=(238, 242, 246))) as table:
                for row in [header, *rows]:
                    cells = table.row()
                    for value in row:
                        cells.cell(str(value))
            pdf.ln(3)
        return bytes(pdf.output())


def _widths(columns: int, total: float) -> tuple[float, ...]:
    if columns <= 4:
        return tuple([total / 4] * columns)
    first = (total * 0.16, total * 0.2)
    rest = (total - sum(first)) / (columns - 2)
    return (*first, *([rest] * (columns - 2)))
