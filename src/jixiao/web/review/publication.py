"""Publication: what the public pages may show (published forms, nothing else)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from jixiao.web.forms.errors import NotFound
from jixiao.web.models import PerformanceForm, Stage


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


def public_record(form: PerformanceForm) -> dict[str, Any]:
    """The interchange record (docs/domain.md §8) of a published form, exactly as stored."""
    return dict(form.record)


