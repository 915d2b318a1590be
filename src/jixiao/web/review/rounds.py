"""Collection rounds (填报任务): a year and phase with a deadline for some or all departments, and what
each unit still owes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jixiao.web.forms.access import User, memberships, require_role, user_or_none, visible_orgs
from jixiao.web.forms.errors import ServiceError
from jixiao.web.models import Org, Phase, Role, Stage
from jixiao.web.review.models import Round


def create_round(
    user: User, *, year: int, phase: str, title: str, deadline: datetime.date,
    departments: Iterable[int] = (), note: str = "",
) -> Round:
    """Open a round (财政复核 only) for a year and phase with a deadline, for all or some departments."""
    require_role(user, Role.FINANCE)
    errors: dict[str, list[str]] = {}
    if phase not in Phase.values:
        errors["phase"] = ["请选择阶段。"]
    if not 1990 <= int(year) <= 2100:
        errors["year"] = ["年度应在 1990–2100 之间。"]
    if not title.strip():
        errors["title"] = ["请填写任务名称。"]
    chosen = list(visible_orgs(user).filter(pk__in=list(departments), kind=Org.Kind.DEPARTMENT))
    if len(chosen) != len(set(departments)):
        errors["departments"] = ["所选主管部门不存在或不在您的管辖范围内。"]
    if errors:
        raise ServiceError("请更正标出的内容。", errors)
    r = Round.objects.create(
        year=year, phase=phase, title=title.strip(), deadline=deadline, note=note, created_by=user_or_none(user)
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


