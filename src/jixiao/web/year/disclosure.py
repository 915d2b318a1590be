"""Disclosure deadlines per kind (docs/cycle.md §6.7): approved targets are published with the budget (随预算公开),
self-evaluations and department-wide forms with the final accounts (随决算公开), each within the days of its rule
after its approval (预算法 art. 14 as commonly cited: 20 days; jixiao/data/year/publication.toml). The finance
bureau's list shows every approved form of each kind with its deadline, the overdue ones first."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jixiao.core.yearrules import PublicationRule
from jixiao.web.after.models import DeptSelfEvaluation
from jixiao.web.forms import access
from jixiao.web.models import PerformanceForm, Phase, Stage
from jixiao.web.review.publication import disclosure_times
from jixiao.web.year.models import TargetDecl, TargetStage
from jixiao.web.year.services import User, _require, is_finance
from jixiao.year_files import publication_rules

KIND_NAMES = {"target": "绩效目标申报表", "self": "项目支出绩效自评表", "dept": "部门整体支出绩效自评表"}


def _row(rule: PublicationRule, today: datetime.date, name: str, unit: str, url: str, start: Any,
         published: Any, is_published: bool, year: int | None = None) -> dict[str, Any]:
    start_day = timezone.localtime(start).date() if start else None
    deadline = start_day + datetime.timedelta(days=rule.days) if start_day else None
    published_day = timezone.localtime(published).date() if published else None
    status = ("published" if is_published and (deadline is None or published_day is None or published_day <= deadline)
              else "late" if is_published else "unknown" if deadline is None
              else "overdue" if deadline < today else "pending")
    return {"project": name, "unit": unit, "url": url, "year": year or "", "start": start_day.isoformat() if start_day else "",
            "deadline": deadline.isoformat() if deadline else "", "published": is_published,
            "published_on": published_day.isoformat() if published_day else "", "status": status,
            "status_label": {"published": "已按期公开", "late": "逾期后公开", "overdue": "逾期未公开",
                             "pending": "待公开", "unknown": "未记录批复时间"}[status]}


def _kind(rule: PublicationRule, rows: list[dict[str, Any]]) -> dict[str, Any]:
    # The overdue first, then the latest year's (a year without a recorded approval comes after those with one).
    rows.sort(key=lambda r: (r["status"] != "overdue", -int(r["year"] or 0), r["deadline"] or "9999"))
    published = sum(r["published"] for r in rows)
    share = Decimal(published) / Decimal(len(rows)) if rows else None
    return {"kind": rule.kind, "name": KIND_NAMES.get(rule.kind, rule.kind), "channel": rule.channel,
            "days": rule.days, "starts": rule.starts, "source": rule.source, "rows": rows,
            "overdue": [r for r in rows if r["status"] == "overdue"], "published": published,
            "share": f"{share:.2%}" if share is not None else "",
            "min_share": f"{rule.min_share:.0%}" if rule.min_share is not None else "",
            "short_of_share": share is not None and rule.min_share is not None and share < rule.min_share}


def publication_view(user: User, today: datetime.date | None = None) -> dict[str, Any]:
    """Each published kind's approved forms with their deadline: the finance bureau's list of overdue disclosure."""
    _require(is_finance(user), "只有财政局可以查看信息公开期限。")
    day = today or timezone.localdate()
    rules = publication_rules()
    orgs = access.visible_orgs(user)
    kinds = []
    if (rule := rules.rule("target")) is not None:
        targets = TargetDecl.objects.filter(stage=TargetStage.APPROVED, unit__in=orgs).select_related("unit")
        kinds.append(_kind(rule, [_row(rule, day, d.project, d.unit.name, f"/year/targets/{d.pk}/", d.approved_at,
                                       d.published_at, d.published, d.year) for d in targets]))
    if (rule := rules.rule("self")) is not None:
        forms = PerformanceForm.objects.filter(phase=Phase.SELF, unit__in=orgs,
                                               stage__in=[Stage.APPROVED, Stage.RECHECKED, Stage.PUBLISHED])
        times = disclosure_times(forms, rule.starts)
        kinds.append(_kind(rule, [_row(rule, day, f.project, f.unit.name, f"/review/forms/{f.pk}/",
                                       *times.get(f.pk, (None, None)), f.stage == Stage.PUBLISHED, f.year)
                                  for f in forms.select_related("unit")]))
    if (rule := rules.rule("dept")) is not None:
        depts = DeptSelfEvaluation.objects.filter(department__in=orgs, stage__in=[
            DeptSelfEvaluation.Stage.APPROVED, DeptSelfEvaluation.Stage.PUBLISHED]).select_related("department")
        kinds.append(_kind(rule, [_row(rule, day, f"{d.year}年度部门整体", d.department.name, f"/after/dept/{d.pk}/",
                                       d.approved_at, d.published_at, d.stage == DeptSelfEvaluation.Stage.PUBLISHED, d.year)
                                  for d in depts]))
    return {"today": day.isoformat(), "title": rules.title, "source": rules.source, "kinds": kinds}
