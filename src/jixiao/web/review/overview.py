"""The year at a glance: forms by stage, grade and execution-rate band, findings, unit totals against the
computed ones, a table per department and unit; every figure one database aggregate, kept under the data
version (jixiao.web.forms.kept) so that any change shows at once."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, DecimalField, F, Q, QuerySet, Sum
from django.db.models.functions import Abs

from jixiao.web.forms.access import User, scope_key, visible_forms
from jixiao.web.forms.evaluation import cents, decimal_text
from jixiao.web.forms.filters import DIFF_FILTERS, GRADES, RATE_BANDS, filter_forms, rate_q
from jixiao.web.forms.kept import data_version, digest, keep_seconds, kept
from jixiao.web.models import SEVERITY_LABELS, STAGE_LABELS, FormFinding, PerformanceForm, Stage


def years(user: User) -> list[int]:
    """The years of the forms a user sees, newest first (for the year filters)."""
    qs = visible_forms(user).order_by("-year").values_list("year", flat=True).distinct()
    return kept(data_version(), ("years", scope_key(user)), lambda: list(qs))


def with_dept(user: User, year: int, department: int | None = None, phase: str | None = None) -> dict[str, Any]:
    """overview() and, under "dept", the department-wide forms of the year (jixiao.web.after.queue.overview),
    as the page, the API and their exports show them; not kept with the overview (they change on their own)."""
    from jixiao.web.after import queue as dept_queue

    return {**overview(user, year, department, phase), "dept": dept_queue.overview(user, year, department)}


def overview(user: User, year: int, department: int | None = None, phase: str | None = None) -> dict[str, Any]:
    """The year at a glance, every figure one database aggregate (no loop over forms):
    forms by stage, grades, execution-rate bands, forms with errors, frequent finding codes, unit score
    vs computed, and a table per department and unit.

    Kept under the data version and the user's scope: any save, import or stage change drops it, so a
    stale overview is never shown, and a busy morning of people opening the same overview costs one
    small query each. `key` names the rendered page part, kept as long (keep_seconds; 0 keeps nothing).
    """
    params = {"year": str(year)}
    if department:
        params["department"] = str(department)
    if phase:
        params["phase"] = phase
    qs = filter_forms(user, params).order_by()
    seconds = keep_seconds()
    version = data_version() if seconds else None
    key = ("overview", scope_key(user), year, department or 0, phase or "")
    return kept(version, key, lambda: {**_overview(qs, year, department, phase), "key": digest(version, key),
                                       "cache_seconds": seconds if version is not None else 0})


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
    for c in codes:
        c["severity_label"] = SEVERITY_LABELS.get(c["severity"], c["severity"])
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
            "missing": figures["diff_missing"], "avg_printed": decimal_text(cents(figures["avg_printed"])),
            "avg_computed": decimal_text(cents(figures["avg_computed"])), "avg_abs_diff": decimal_text(cents(figures["avg_abs_diff"])),
        },
        "budget": decimal_text(figures["budget"]),
        "executed": decimal_text(figures["executed"]),
        "per_department": [_row(r) for r in per_department],
        "per_unit": [_row(r) for r in per_unit],
    }


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
        "avg_printed": decimal_text(cents(r["avg_printed"])),
        "avg_computed": decimal_text(cents(r["avg_computed"])),
        "budget": decimal_text(r["budget"]),
        "executed": decimal_text(r["executed"]),
        "execution_rate": None if rate is None else f"{rate * 100:.2f}%",
        "department__name": r.get("department__name") or "（无主管部门）",
    }


