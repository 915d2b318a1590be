"""Publication: what the public pages may show (published forms, nothing else)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from jixiao.web.forms.errors import NotFound
from jixiao.web.forms.history import local_time
from jixiao.web.models import PerformanceForm, Stage
from jixiao.web.review.models import ReviewEvent


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
        raise NotFound("没有找到此公开表。")
    return form


def withdrawals(form_id: int) -> list[dict[str, Any]]:
    """When and why a form's publication was withdrawn, oldest first (the reasons stay on record)."""
    events = ReviewEvent.objects.filter(form_id=form_id, action="unpublish").order_by("at", "id")
    return [{"at": local_time(e.at), "reason": e.comment} for e in events]


def withdrawal(form_id: int) -> dict[str, Any] | None:
    """A form once published and no longer: its name and the last withdrawal's time and reason."""
    form = PerformanceForm.objects.exclude(stage=Stage.PUBLISHED).select_related("unit").filter(pk=form_id).first()
    past = withdrawals(form_id) if form is not None else []
    if form is None or not past:
        return None
    return {"project": form.project, "unit": form.unit.name, "year": form.year, **past[-1]}


def public_record(form: PerformanceForm) -> dict[str, Any]:
    """The interchange record (docs/domain.md §8) of a published form, exactly as stored."""
    return dict(form.record)




def disclosure_times(forms: QuerySet[PerformanceForm], starts: str) -> dict[int, tuple[Any, Any]]:
    """(when a form's disclosure deadline starts, when it was last published) by form id, in one query.

    `starts` is a publication rule's (jixiao/data/year/publication.toml, docs/cycle.md §6.7): "approved" — its
    last 审核通过; "settled" — the finance bureau's last step before publication (复核完成 if it was drawn).
    """
    actions = ("approve", "publish") if starts == "approved" else ("approve", "recheck", "publish")
    found: dict[int, list[Any]] = {}
    events = ReviewEvent.objects.filter(form__in=forms.values("pk"), action__in=actions).order_by("at", "id")
    for form_id, action, at in events.values_list("form_id", "action", "at"):
        times = found.setdefault(form_id, [None, None])
        times[1 if action == "publish" else 0] = at
    return {pk: (start, published) for pk, (start, published) in found.items()}
