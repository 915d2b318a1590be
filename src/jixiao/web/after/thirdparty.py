"""第三方 evaluators (docs/cycle.md §6.6, 财预〔2021〕6号): the finance bureau grants a person of a firm one round; the
evaluator sees the forms of that round only, through these functions (not the units' scopes), and records its
own re-check of them, kept apart from the finance bureau's and marked with the firm and the person. The unit's
figures are never theirs to change."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from jixiao.web.after.access import User, holds
from jixiao.web.after.models import ThirdPartyGrant, ThirdPartyRecheck
from jixiao.web.after.rectify import problems_of
from jixiao.web.forms.errors import ServiceError
from jixiao.web.models import Org, PerformanceForm, Role
from jixiao.web.review.models import Round


def _finance_root(user: User) -> Org | None:
    return next((o for o in Org.objects.filter(kind=Org.Kind.FINANCE) if holds(user, Role.FINANCE, o)), None)


def grant(user: User, round_id: int, username: str, firm: str) -> ThirdPartyGrant:
    """The finance bureau grants a round to an evaluator's account."""
    if _finance_root(user) is None:
        raise ServiceError("只有财政复核人员可以授权第三方机构。", status=403)
    found = Round.objects.filter(pk=round_id).first()
    evaluator = get_user_model().objects.filter(username=username.strip()).first()
    if found is None or evaluator is None:
        raise ServiceError("没有找到该填报任务或账号，请核对后再授权。", status=404)
    if evaluator.memberships.exists():  # type: ignore[attr-defined]
        raise ServiceError(f"账号“{username}”在本系统中已有单位岗位；第三方评价人员应与被评价单位相互独立（财预〔2021〕6号），"
                           "请使用第三方机构的专用账号。")
    if not firm.strip():
        raise ServiceError("请填写第三方机构名称。", {"firm": ["请填写第三方机构名称"]})
    made, _ = ThirdPartyGrant.objects.update_or_create(
        user=evaluator, round=found, defaults={"firm": firm.strip(), "granted_by": user})
    return made


def _round_forms(r: Round) -> QuerySet[PerformanceForm]:
    forms = PerformanceForm.objects.filter(year=r.year, phase=r.phase)
    departments = list(r.departments.values_list("pk", flat=True))
    return forms.filter(department_id__in=departments) if departments else forms


def granted_forms(user: User) -> list[tuple[ThirdPartyGrant, PerformanceForm]]:
    """The forms of the evaluator's rounds, with the grant each is seen under."""
    if not user.is_authenticated:
        return []
    rows = []
    for g in ThirdPartyGrant.objects.filter(user=user).select_related("round"):
        rows += [(g, f) for f in _round_forms(g.round).select_related("unit").order_by("pk")]
    return rows


def granted_form(user: User, form_id: int) -> tuple[ThirdPartyGrant, PerformanceForm]:
    found = next(((g, f) for g, f in granted_forms(user) if f.pk == form_id), None)
    if found is None:
        raise ServiceError("没有找到这张表，或它不在授权给您的评价任务中。", status=404)
    return found


def record(user: User, form_id: int, score: Any, problems: str) -> ThirdPartyRecheck:
    """The evaluator's own score and problems for a form of its round."""
    g, form = granted_form(user, form_id)
    try:
        value = Decimal(str(score).strip())
    except InvalidOperation:
        raise ServiceError("复核得分应为数字。", {"score": ["复核得分应为数字"]}) from None
    if not 0 <= value <= 100:
        raise ServiceError("复核得分应在 0–100 之间。", {"score": ["复核得分应在 0–100 之间"]})
    made, _ = ThirdPartyRecheck.objects.update_or_create(
        grant=g, form=form, defaults={"score": round(value, 2), "problems": problems.strip()})
    return made


def rechecks_of(form: PerformanceForm) -> list[dict[str, Any]]:
    """The third parties' re-checks of a form, each marked with its firm and person."""
    return rechecks_by_form([form]).get(form.pk, [])


def rechecks_by_form(forms: Sequence[PerformanceForm]) -> dict[int, list[dict[str, Any]]]:
    """The third parties' re-checks of several forms by form id, read in one query."""
    found: dict[int, list[dict[str, Any]]] = {}
    for r in (ThirdPartyRecheck.objects.filter(form__in=[f.pk for f in forms]).select_related("grant__user")
              .order_by("recorded_at", "pk")):
        found.setdefault(r.form_id, []).append({
            "firm": r.grant.firm, "by": r.grant.user.get_username(), "score": str(r.score),
            "problems": problems_of(r.problems), "at": timezone.localtime(r.recorded_at).strftime("%Y-%m-%d %H:%M")})
    return found


def grants_page(user: User) -> dict[str, Any]:
    if _finance_root(user) is None:
        raise ServiceError("只有财政复核人员可以管理第三方授权。", status=403)
    grants = ThirdPartyGrant.objects.select_related("user", "round").order_by("-granted_at")
    done = ThirdPartyRecheck.objects.select_related("grant__user", "form").order_by("-recorded_at")
    return {"grants": grants, "rounds": Round.objects.order_by("-year", "deadline"), "rechecks": done}
