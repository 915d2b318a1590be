"""The demo's year (`jixiao serve --demo`): for each seed project an approved target and a July monitoring form.

The targets are taken from the seed's self-evaluations (funds, goals, indicators and their targets), approved
with every review point graded 优; the 2019 monitoring round (1-7月) holds each project's form, filled with
execution to date and submitted, so that the finance bureau's view has its 预警.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from jixiao.core import target as tgt
from jixiao.web.models import Org, PerformanceForm, Phase
from jixiao.web.year import monitoring
from jixiao.web.year import services as year
from jixiao.web.year.models import TARGET_IN_REVIEW, RoundKind, TargetDecl, YearRound
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


def load_year(orgs: dict[str, Org]) -> int:
    """The seed projects' approved targets and July monitoring forms, once; returns how many targets were added."""
    units = list(orgs.values())
    forms = list(PerformanceForm.objects.filter(unit__in=units, phase=Phase.SELF).order_by("id"))
    if not forms or TargetDecl.objects.filter(unit__in=units).exists():
        return 0
    admin = get_user_model().objects.filter(is_superuser=True).order_by("id").first()
    assert admin is not None
    first_year = forms[0].year
    round_ = YearRound.objects.create(kind=RoundKind.MONITOR, year=first_year, title=f"{first_year}年1-7月运行监控",
                                      to_month=7, deadline=datetime.date(first_year, 8, 15), created_by=admin)
    YearRound.objects.create(kind=RoundKind.TARGET, year=first_year, title=f"{first_year}年度绩效目标申报",
                             deadline=datetime.date(first_year - 1, 10, 31), created_by=admin)
    grades = dict.fromkeys(review_profile().point_names, "优")
    for form in forms:
        decl = year.save_target(admin, target_from_self(form.record), unit=form.unit)
        # The seed's own errors aside: submitted as year.submit_target would send it, to its first review level.
        TargetDecl.objects.filter(pk=decl.pk).update(stage=year.first_review_stage(decl))
        decl.refresh_from_db()
        while decl.stage in TARGET_IN_REVIEW:  # the 主管部门's review, then the finance bureau's (review profile)
            decl = year.review_target(admin, decl, grades, "演示数据：审核通过").target
        monitor = monitoring.open_monitor(admin, decl, round_)
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
        monitor = monitoring.save_monitor(admin, monitor, record)
        if not any(f["severity"] == "error" for f in monitor.findings):
            monitoring.submit_monitor(admin, monitor, today=datetime.date(first_year, 8, 10))
    return len(forms)
