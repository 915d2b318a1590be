"""The year's rounds and monitoring: the finance bureau opens rounds; units fill and submit monitoring forms
opened from their approved targets; 预警 are raised on submission and answered by the unit by a deadline.

Built on year.services (who may do what, the approved target); nothing there imports this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import IntegerField, Q, Subquery
from django.utils import timezone

from jixiao.core import monitor as mon
from jixiao.core import monitor_checks
from jixiao.core.model import RecordError
from jixiao.web.forms import access, errors
from jixiao.web.models import Org, PerformanceForm, Phase, Stage
from jixiao.web.year.models import (
    Answer,
    MonitorForm,
    MonitorWarning,
    RoundKind,
    TargetDecl,
    TargetStage,
    YearRound,
)
from jixiao.web.year.services import (
    ANSWERS,
    User,
    _require,
    can_fill,
    findings_json,
    is_finance,
    parse_target,
)
from jixiao.web.year.signals import monitor_submitted, warning_answered
from jixiao.year_services import check_monitor

# ---------------------------------------------------------------- rounds


def create_round(user: User, kind: str, year: int, title: str, deadline: datetime.date, to_month: int | None = None,
                 answer_days: int = 14, departments: Sequence[int] = ()) -> YearRound:
    """A round for one kind of form; it covers the given 主管部门 (their units), or every one when none is given."""
    _require(is_finance(user), "只有财政局可以发起任务。")
    if kind not in RoundKind.values:
        raise errors.ServiceError(f"任务类型应为 {'、'.join(RoundKind.values)} 之一。")
    if kind == RoundKind.MONITOR and not (to_month and 1 <= to_month <= 12):
        raise errors.ServiceError("运行监控任务须指定监控截止月份（1–12）。", {"to_month": ["请填写 1–12 的月份。"]})
    covered = list(access.visible_orgs(user).filter(pk__in=list(departments), kind=Org.Kind.DEPARTMENT))
    if len(covered) != len(set(departments)):
        raise errors.ServiceError("所选的主管部门有误：只能选择您管辖范围内的主管部门。", {"departments": ["有误"]})
    with transaction.atomic():
        round_ = YearRound.objects.create(
            kind=kind, year=year, title=title.strip() or f"{year}年度{dict(RoundKind.choices)[kind]}",
            to_month=to_month if kind == RoundKind.MONITOR else None, deadline=deadline, answer_days=answer_days,
            created_by=user if user.is_authenticated else None)
        round_.departments.set(covered)
    return round_


def covers(round_: YearRound, unit: Org) -> bool:
    """Whether the round is the unit's: it names no 主管部门, or names the unit's."""
    named = {d.pk for d in round_.departments.all()}
    department = unit.department()
    return not named or (department is not None and department.pk in named)


class _Count(Subquery):
    """The number of rows of a queryset, as a scalar subquery (so that several counts are one query)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def coverage(round_: YearRound) -> dict[str, int]:
    """How far a round has got: the forms due in the units it covers, and those handed in — one query (with the
    round's departments prefetched), whatever the kind."""
    units = Org.objects.filter(kind=Org.Kind.UNIT)
    named = list(round_.departments.all())
    if named:
        under = Q()
        for d in named:
            under |= Q(path__startswith=d.path)
        units = units.filter(under)
    unit_ids = units.values("pk")
    due_targets = TargetDecl.objects.filter(year=round_.year, unit__in=unit_ids)
    if round_.kind == RoundKind.MONITOR:
        due = due_targets.filter(stage=TargetStage.APPROVED).values("pk")
        done = MonitorForm.objects.filter(round=round_, submitted=True, unit__in=unit_ids).values("pk")
    elif round_.kind == RoundKind.TARGET:
        due = due_targets.exclude(stage=TargetStage.SUPERSEDED).values("lineage").distinct()
        done = due_targets.filter(stage=TargetStage.APPROVED).values("lineage").distinct()
    else:
        selfs = PerformanceForm.objects.filter(year=round_.year, phase=Phase.SELF, unit__in=unit_ids)
        due, done = selfs.values("pk"), selfs.exclude(stage__in=[Stage.DRAFT, Stage.RETURNED]).values("pk")
    counted = YearRound.objects.filter(pk=round_.pk).annotate(
        n_units=_Count(unit_ids), n_due=_Count(due), n_done=_Count(done)).values("n_units", "n_due", "n_done").get()
    return {"units": counted["n_units"], "due": counted["n_due"], "done": counted["n_done"]}


def open_rounds(kind: str, year: int | None = None, unit: Org | None = None) -> list[YearRound]:
    """The rounds of a kind (and year), those that cover the unit when one is given."""
    qs = YearRound.objects.filter(kind=kind).prefetch_related("departments")
    rounds = list(qs.filter(year=year) if year is not None else qs)
    return [r for r in rounds if unit is None or covers(r, unit)]


# ---------------------------------------------------------------- monitoring


def open_monitor(user: User, decl: TargetDecl, round_: YearRound) -> MonitorForm:
    """A monitoring form opened from the approved target: indicators and 年度指标值 copied, period from the round."""
    _require(can_fill(user, decl.unit), "只有本单位的填报人可以填报运行监控表。")
    if decl.stage != TargetStage.APPROVED:
        raise errors.ServiceError("只能从已批复的绩效目标填报运行监控表。")
    if round_.kind != RoundKind.MONITOR or round_.year != decl.year:
        raise errors.ServiceError("所选任务不是本年度的运行监控任务。")
    if not covers(round_, decl.unit):
        raise errors.ServiceError(f"“{round_.title}”不含{decl.unit.name}所属的主管部门，不能在此任务中填报。", status=403)
    existing = MonitorForm.objects.filter(target__lineage=decl.lineage, round=round_).first()
    if existing is not None:
        return existing
    monitor = mon.from_target(parse_target(decl.record), round_.to_month or 7)
    form = MonitorForm(target=decl, round=round_, unit=decl.unit)
    _store_monitor(form, monitor)
    form.save()
    return form


def _store_monitor(form: MonitorForm, monitor: mon.Monitor) -> None:
    findings = check_monitor(monitor, parse_target(form.target.record))
    form.record = mon.to_record(monitor)
    form.findings = findings_json(findings)


def with_target_fixed(record: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """The posted record with what the approved target fixes put back: header, period, indicator names, 年度指标值."""
    merged = {**stored, **{k: record[k] for k in ("funds", "goals", "indicators") if k in record}}
    goals = merged.get("goals") or {}
    merged["goals"] = {"annual": stored.get("goals", {}).get("annual", ""), "progress": goals.get("progress", "")}
    kept = stored.get("indicators", [])
    posted = list(merged.get("indicators") or [])
    merged["indicators"] = [{**(posted[n] if n < len(posted) else {}),
                             **{k: ind[k] for k in ("level1", "level2", "name", "code", "target")}}
                            for n, ind in enumerate(kept)]
    funds = list(merged.get("funds") or [])
    merged["funds"] = [{**(funds[n] if n < len(funds) else {}), "kind": f["kind"], "label": f["label"],
                        "initial": f["initial"]} for n, f in enumerate(stored.get("funds", []))]
    return merged


def check_monitor_record(user: User, form: MonitorForm, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The live check of the monitoring editor: M-findings of the unsaved record against the approved target."""
    try:
        monitor = mon.from_record(with_target_fixed(record, form.record))
    except (RecordError, ValueError) as e:
        raise errors.ServiceError(f"监控表内容有误：{e}") from e
    return findings_json(check_monitor(monitor, parse_target(form.target.record)))


def save_monitor(user: User, form: MonitorForm, record: Mapping[str, Any]) -> MonitorForm:
    _require(can_fill(user, form.unit), "只有本单位的填报人可以填报运行监控表。")
    if form.submitted:
        raise errors.ServiceError("此监控表已报送，不能再修改。", status=403)
    try:
        monitor = mon.from_record(with_target_fixed(record, form.record))
    except RecordError as e:
        raise errors.ServiceError(f"监控表内容有误：{e}") from e
    _store_monitor(form, monitor)
    form.edit += 1
    form.save()
    return form


def submit_monitor(user: User, form: MonitorForm, today: datetime.date | None = None) -> MonitorForm:
    """报送: the form is locked and its 预警 are raised, each to be answered within the round's days."""
    _require(can_fill(user, form.unit), "只有本单位的填报人可以报送运行监控表。")
    if form.submitted:
        raise errors.ServiceError("此监控表已报送。")
    wrong = [f for f in form.findings if f["severity"] == "error"]
    if wrong:
        raise errors.ServiceError(f"监控表还有 {len(wrong)} 个错误，请改正后再报送：{wrong[0]['message']}")
    monitor = mon.from_record(form.record)
    warnings = monitor_checks.warnings_of(monitor, check_monitor(monitor, parse_target(form.target.record)))
    day = today or timezone.localdate()
    with transaction.atomic():
        form.submitted, form.submitted_at = True, timezone.now()
        form.save()
        raised = MonitorWarning.objects.bulk_create(
            MonitorWarning(monitor=form, kind=w.kind, message=w.message,
                           deadline=day + datetime.timedelta(days=form.round.answer_days)) for w in warnings)
        monitor_submitted.send(MonitorForm, form=form, warnings=raised, user=user)
    return form


def round_warnings(user: User, round_: YearRound, today: datetime.date | None = None) -> dict[str, Any]:
    """The finance bureau's monitoring view: every 预警 of the round's forms, the overdue answers apart."""
    _require(is_finance(user), "只有财政局可以查看全部监控预警。")
    day = today or timezone.localdate()
    rows = MonitorWarning.objects.filter(monitor__round=round_, monitor__unit__in=access.visible_orgs(user)) \
        .select_related("monitor__unit", "monitor__target")
    items = [warning_json(w, day) for w in rows]
    return {"round": round_json(round_), "warnings": items, "overdue": [w for w in items if w["overdue"]]}


def warning_json(w: MonitorWarning, today: datetime.date) -> dict[str, Any]:
    return {"id": w.pk, "monitor": w.monitor_id, "unit": w.monitor.unit.name, "project": w.monitor.target.project,
            "kind": w.kind, "kind_label": monitor_checks.WARNING_KINDS.get(w.kind, w.kind), "message": w.message,
            "deadline": w.deadline.isoformat(), "answer": w.answer, "answer_label": ANSWERS.get(w.answer, ""),
            "note": w.note, "overdue": not w.answer and w.deadline < today}


def answer_warning(user: User, warning: MonitorWarning, answer: str, note: str) -> MonitorWarning:
    _require(can_fill(user, warning.monitor.unit), "只有本单位的填报人可以答复预警。")
    if answer not in ANSWERS:
        raise errors.ServiceError(f"处理方式应为 {'、'.join(ANSWERS.values())} 之一。", {"answer": ["请选择处理方式。"]})
    if answer != Answer.CONTINUE and not note.strip():
        raise errors.ServiceError("选择调剂或取消时请写明说明。", {"note": ["请写明说明。"]})
    warning.answer, warning.note = answer, note.strip()
    warning.answered_by, warning.answered_at = user if user.is_authenticated else None, timezone.now()
    with transaction.atomic():
        warning.save()
        warning_answered.send(MonitorWarning, warning=warning, user=user)
    return warning


def get_warning(user: User, pk: int) -> MonitorWarning:
    found = MonitorWarning.objects.filter(pk=pk, monitor__unit__in=access.visible_orgs(user)) \
        .select_related("monitor__unit", "monitor__target").first()
    if found is None:
        raise errors.ServiceError("没有找到这条预警，或您无权查看。", status=404)
    return found


def round_json(r: YearRound) -> dict[str, Any]:
    return {"id": r.pk, "kind": r.kind, "year": r.year, "title": r.title, "to_month": r.to_month,
            "deadline": r.deadline.isoformat(), "answer_days": r.answer_days,
            "departments": [{"id": d.pk, "name": d.name} for d in r.departments.all()], "coverage": coverage(r)}
