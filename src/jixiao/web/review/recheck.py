"""The random re-check (随机抽评): drawing forms, stratified by department and reproducible from the seed,
and the finance bureau's own score and problems for a drawn form."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from jixiao.reports.layout import format_rate
from jixiao.web.forms.access import (
    User,
    holds,
    is_finance,
    require_role,
    user_or_none,
    visible_forms,
    visible_orgs,
)
from jixiao.web.forms.errors import NotFound, PermissionDenied, Refused, ServiceError
from jixiao.web.forms.evaluation import cents, decimal_text
from jixiao.web.forms.history import local_time
from jixiao.web.models import STAGE_LABELS, PerformanceForm, Phase, Role, Stage
from jixiao.web.review.models import Draw, DrawItem


def open_item(form: PerformanceForm) -> DrawItem | None:
    """The latest draw that picked this form in its year and phase, if any."""
    return (
        DrawItem.objects.filter(form=form, draw__year=form.year, draw__phase=form.phase)
        .order_by("-draw__created_at", "-id")
        .first()
    )


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
    require_role(user, Role.FINANCE)
    share_value = _share(share)
    if (share_value is None) == (count is None):
        raise ServiceError("请填写抽取比例或抽取数量（二选一）。", {"share": ["请填写抽取比例或抽取数量（二选一）。"]})
    if count is not None and count <= 0:
        raise ServiceError("抽取数量应大于 0。", {"count": ["抽取数量应大于 0。"]})
    seed = secrets_seed() if seed is None else int(seed)
    chosen_deps = list(visible_orgs(user).filter(pk__in=list(departments)))
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
            population=sorted(dep_of), created_by=user_or_none(user),
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
    form = PerformanceForm.objects.select_related("unit", "department").get(pk=form.pk)
    if not holds(user, Role.FINANCE, form):
        raise PermissionDenied("只有财政复核人员可以录入复核结果。")
    item = open_item(form)
    if item is None:
        raise Refused("此表未被抽中复核。")
    if form.stage not in RECORDABLE_STAGES:
        raise Refused(f"此表{STAGE_LABELS[form.stage]}，不能再修改复核结果。")
    try:
        value = Decimal(str(score).strip())
    except InvalidOperation:
        raise ServiceError("复核得分应为数字。", {"own_score": ["复核得分应为数字。"]}) from None
    if not 0 <= value <= 100:
        raise ServiceError("复核得分应在 0–100 之间。", {"own_score": ["复核得分应在 0–100 之间。"]})
    DrawItem.objects.filter(pk=item.pk).update(
        own_score=round(value, 2), problems=problems.strip(), recorded_by=user_or_none(user),
        recorded_at=timezone.now(),
    )
    item.refresh_from_db()
    return item


def draws_for(user: User) -> QuerySet[Draw]:
    """The draws a user may look at: the finance bureau's, nobody else's."""
    return Draw.objects.all() if is_finance(user) else Draw.objects.none()


def get_draw(user: User, pk: int) -> Draw:
    draw = draws_for(user).filter(pk=pk).first()
    if draw is None:
        raise NotFound("没有找到此次抽评，或您无权查看。")
    return draw


def item_dict(item: DrawItem, form: PerformanceForm) -> dict[str, Any]:
    unit = form.printed_total
    return {
        "draw": item.draw_id, "form": form.pk, "own_score": decimal_text(item.own_score), "problems": item.problems,
        "unit_score": decimal_text(unit), "computed": decimal_text(form.computed_total),
        "difference": decimal_text(unit - item.own_score) if unit is not None and item.own_score is not None else None,
        "recorded_at": local_time(item.recorded_at) if item.recorded_at else None,
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
        "share": decimal_text(draw.share), "share_label": "" if draw.share is None else format_rate(draw.share),
        "count": draw.count, "population": len(draw.population),
        "created_at": local_time(draw.created_at), "created_by": str(draw.created_by or ""),
        "departments": [d.name for d in draw.departments.all()],
        "items": [
            {"form": i.form_id, "project": i.form.project, "unit": i.form.unit.name,
             "department": i.department.name if i.department else "", "stage": i.form.stage,
             "stage_label": STAGE_LABELS[i.form.stage], "unit_score": decimal_text(i.form.printed_total),
             "computed": decimal_text(i.form.computed_total), "own_score": decimal_text(i.own_score), "difference": decimal_text(cents(i.difference)),
             "problems": i.problems}
            for i in items
        ],
    }


