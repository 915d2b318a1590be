"""The demo's year (`jixiao serve --demo`): for each seed project an approved target and a July monitoring form,
and the next year's declarations under way.

The targets are taken from the seed's self-evaluations (funds, goals, indicators and their targets), submitted by
the unit's 填报人, approved by the 主管部门's 审核人 and the finance bureau with every review point graded 优,
and published with the budget;
the 2019 monitoring round (1-7月) holds each project's form, filled with execution to date and submitted (all
but the last few, still open), so that the finance bureau's view has its 预警. The next year's round
holds a declaration of the first projects in each state that jixiao/data/demo.toml's [year] table names: each
step taken by the account whose step it is, through the services the pages call. The messages those steps send
are kept for the next year's declarations only: the story's year is the 2019 self-evaluation and the 2020
declarations, and the year before's news (every 2019 target approved, every July 预警) would bury them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from jixiao.core import target as tgt
from jixiao.web.models import Membership, Org, PerformanceForm, Phase, Role
from jixiao.web.notify.models import Notification
from jixiao.web.year import monitoring
from jixiao.web.year import services as year
from jixiao.web.year.models import RoundKind, TargetDecl, YearRound
from jixiao.year_files import review_profile

JULY = Decimal(7) / Decimal(12)  # by July a unit has spent 7/12 of what its self-evaluation says it spent in the year


def target_from_self(record: dict[str, Any]) -> dict[str, Any]:
    """The declaration a self-evaluation was made against: its funds, planned goal, indicators and targets."""
    funds = [{"kind": f["kind"], "label": f["label"].rstrip("：:"), "amount": f["annual"] or f["initial"]}
             for f in record["funds"] if (f["annual"] or f["initial"]).strip()]
    return tgt.to_record(tgt.from_record({
        "year": record["year"], "version_note": "年初", "project": record["project"], "leader": record["leader"],
        "department": record["department"], "unit": record["unit"], "attribute": "延续",
        "funds": {"medium": [], "annual": funds}, "goals": {"medium": [], "annual": [record["goals"]["planned"]]},
        "indicators": [{"set": "annual", "level1": i["level1"], "level2": i["level2"], "name": i["name"],
                        "target": i["target"], "weight": i["weight"]} for i in record["indicators"] if i["name"]],
    }))


def _rate(executed: Decimal, budget: Decimal) -> str:
    return f"{(executed / budget * 100).quantize(Decimal('0.01'))}%" if budget else ""


def _holder(unit: Org, role: str, fallback: AbstractBaseUser) -> Any:
    """The first account with `role` at the unit or above it (the demo's clerk, reviewer, finance), else `fallback`."""
    ids = [int(i) for i in unit.path.strip("/").split("/") if i]
    found = Membership.objects.filter(org_id__in=ids, role=role).select_related("user").order_by("org__path", "id")
    if role == Role.FILLER:
        found = found.filter(org=unit)
    first = found.first()
    return first.user if first is not None else fallback


def _reviewed(decl: TargetDecl, steps: Sequence[str], admin: AbstractBaseUser, opinions: Mapping[str, str]
              ) -> TargetDecl:
    """The declaration submitted and graded as `steps` says (the 主管部门's grade, then the finance bureau's;
    none: a draft; "": waiting for that level), each level by its own account."""
    if not steps:
        return decl
    decl = year.submit_target(_holder(decl.unit, Role.FILLER, admin), decl)
    for grade, role in zip(steps, (Role.REVIEWER, Role.FINANCE), strict=False):
        if not grade or decl.stage not in year.REVIEW_LEVEL_OF_STAGE:
            break
        grades = dict.fromkeys(review_profile().point_names, grade)
        decl = year.review_target(_holder(decl.unit, role, admin), decl, grades, opinions.get(grade, "")).target
    return decl


def load_year(orgs: dict[str, Org], told: Mapping[str, Any]) -> int:
    """The seed projects' approved targets and July monitoring forms, and the next year's declarations, once, as
    `told` (the `year` part of the demo's story, jixiao/data/demo.toml) says; returns how many targets were added."""
    units = list(orgs.values())
    forms = list(PerformanceForm.objects.filter(unit__in=units, phase=Phase.SELF).order_by("id"))
    if not forms or TargetDecl.objects.filter(unit__in=units).exists():
        return 0
    admin = get_user_model().objects.filter(is_superuser=True).order_by("id").first()
    assert admin is not None
    before = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    first_year = forms[0].year
    round_ = YearRound.objects.create(kind=RoundKind.MONITOR, year=first_year, title=f"{first_year}年1-7月运行监控",
                                      to_month=7, deadline=datetime.date(first_year, 8, 15), created_by=admin)
    YearRound.objects.create(kind=RoundKind.TARGET, year=first_year, title=f"{first_year}年度绩效目标申报",
                             deadline=datetime.date(first_year - 1, 10, 31), created_by=admin)
    YearRound.objects.create(kind=RoundKind.TARGET, year=first_year + 1, title=f"{first_year + 1}年度绩效目标申报",
                             deadline=datetime.date(first_year, 10, 31), created_by=admin)
    for n, form in enumerate(forms):
        clerk = _holder(form.unit, Role.FILLER, admin)
        decl = _reviewed(year.save_target(clerk, target_from_self(form.record), unit=form.unit), ("优", "优"), admin,
                         told["opinions"])
        decl = year.publish_target(_holder(form.unit, Role.FINANCE, admin), decl)  # with the budget (public page)
        monitor = monitoring.open_monitor(clerk, decl, round_)
        record = dict(monitor.record)
        year_spent = {f["kind"]: f["executed"] or f["annual"] for f in form.record["funds"]}
        spent_rows = {row["kind"]: (Decimal(year_spent.get(row["kind"]) or 0) * JULY).quantize(Decimal("0.01"))
                      for row in record["funds"] if row["kind"] != "total"}
        for row in record["funds"]:
            budget = Decimal(row["initial"] or 0)
            spent = spent_rows.get(row["kind"], sum(spent_rows.values(), Decimal(0)))
            row.update(adjusted=row["initial"], executed=str(spent), rate=_rate(spent, budget), forecast=row["initial"])
        for ind in record["indicators"]:
            ind.update(forecast=ind["target"].lstrip("≥≤＝=＞＜><"), likelihood="确定能")
        monitor = monitoring.save_monitor(clerk, monitor, record)
        if n < len(forms) - told["unreported"] and not any(f["severity"] == "error" for f in monitor.findings):
            monitoring.submit_monitor(clerk, monitor, today=datetime.date(first_year, 8, 10))
    Notification.objects.filter(id__gt=before).delete()  # the year before's news (see above)
    for form, steps in zip(forms, told["next_year"], strict=False):
        record = {**target_from_self(form.record), "year": first_year + 1}
        _reviewed(year.save_target(_holder(form.unit, Role.FILLER, admin), record, unit=form.unit), steps, admin,
                  told["opinions"])
    return len(forms)
