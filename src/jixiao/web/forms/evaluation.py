"""A record's evaluation as the web stores and shows it: the profile chosen for it, the scorecard in
its one JSON shape (jixiao.services.plain), the denormalised columns and the finding rows."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from jixiao import services as core_services
from jixiao.core.model import Form, RecordError, from_record
from jixiao.core.values import parse_number
from jixiao.web.forms.errors import ServiceError
from jixiao.web.models import FormFinding, PerformanceForm, YearProfile

Evaluation = core_services.Evaluation


def profile_for(year: int | None, override: str = "") -> str:
    """The profile to score with: the form's override, else the year's, else detected from the form."""
    if override:
        return override
    if year is not None:
        chosen = YearProfile.objects.filter(year=year).values_list("profile", flat=True).first()
        if chosen:
            return chosen
    return "auto"


def parse_record(record: Any) -> Form:
    try:
        return from_record(record)
    except RecordError as e:
        raise ServiceError(f"表单内容格式不对：{e}", {"record": [str(e)]}) from e


def scorecard_json(evaluation: Evaluation) -> dict[str, Any]:
    """The scorecard as JSON: the shape of `jixiao check --format json` (Decimals as text)."""
    data: dict[str, Any] = core_services.plain(evaluation.scorecard)
    data["grade"] = grade(evaluation)
    data["grade_withheld"] = grade_withheld(evaluation)
    return data


def grade_withheld(evaluation: Evaluation) -> str:
    """Why a form with a total gets no grade yet, or "": its weights don't add up (A05), or its total is
    over the profile's full marks. A grade beside such a total would be read as meaning something."""
    sc = evaluation.scorecard
    if any(f.code == "A05" for f in evaluation.findings):
        return "分值合计不符（A05），改正后再评定等级"
    if sc.total is not None and sc.total > evaluation.profile.total:
        return f"总分 {sc.total.normalize():f} 超过满分 {evaluation.profile.total.normalize():f}，改正后再评定等级"
    return ""


def grade(evaluation: Evaluation) -> str:
    """The grade the web shows and stores: the scorecard's, unless withheld (grade_withheld)."""
    return "" if grade_withheld(evaluation) else evaluation.scorecard.grade


def severity_counts(evaluation: Evaluation) -> dict[str, int]:
    counts = dict.fromkeys(FormFinding.Severity.values, 0)
    for f in evaluation.findings:
        counts[f.severity.value] += 1
    return counts


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    """What the editor shows while the user types: scorecard and findings."""
    return {
        "profile": evaluation.profile.name,
        "profile_title": evaluation.profile.title,
        "scorecard": scorecard_json(evaluation),
        "findings": [f.as_dict() for f in evaluation.findings],
        "counts": severity_counts(evaluation),
    }


def evaluate(form: Form, override: str = "") -> Evaluation:
    return core_services.evaluate(form, profile_for(form.year, override))


def evaluate_record(record: Any, profile: str = "") -> dict[str, Any]:
    """Score and check a record that isn't stored (the editor's live evaluation)."""
    return evaluation_json(evaluate(parse_record(record), profile))


def evaluate_stored(stored: PerformanceForm) -> Evaluation:
    return evaluate(parse_record(stored.record), stored.profile_override)


def _money(form: Form, column: str) -> Decimal | None:
    """A fund column of the total row, or the sum of the sub-rows when the total row leaves it blank."""
    total = form.fund("total")
    if total is not None and total.amount(column) is not None:
        return total.amount(column)
    parts = [f.amount(column) for f in form.funds if f.kind != "total"]
    numbers = [p for p in parts if p is not None]
    return sum(numbers, Decimal(0)) if numbers else None


def _fits(value: Decimal | None, whole: int, places: int) -> Decimal | None:
    """A number rounded to its column, or None when a form prints one too large for it (a typo, not data)."""
    if value is None or not value.is_finite() or abs(value) >= Decimal(10) ** whole:
        return None
    return round(value, places)


def columns(form: Form, evaluation: Evaluation) -> dict[str, Any]:
    """The denormalised columns of a stored form, from its evaluation."""
    sc = evaluation.scorecard
    counts = severity_counts(evaluation)
    return {
        "year": form.year,
        "project": form.project.strip(),
        "profile": evaluation.profile.name,
        "scorecard": scorecard_json(evaluation),
        "budget": _fits(_money(form, "annual"), 12, 4),
        "executed": _fits(_money(form, "executed"), 12, 4),
        "execution_rate": _fits(sc.execution_rate, 4, 6),
        "fund_score": _fits(sc.fund_score, 6, 2),
        "printed_total": _fits(parse_number(form.total.score), 6, 2),
        "computed_total": _fits(sc.total, 6, 2),
        "grade": grade(evaluation),
        "indicator_count": len(form.indicators),
        "error_count": counts["error"],
        "warning_count": counts["warning"],
        "info_count": counts["info"],
    }


def finding_rows(stored: PerformanceForm, evaluation: Evaluation) -> list[FormFinding]:
    return [
        FormFinding(
            form=stored, position=n, code=f.code, severity=f.severity.value, location=f.location.as_dict(),
            found=f.found, expected=f.expected, message=f.message,
        )
        for n, f in enumerate(evaluation.findings)
    ]


def batch_evaluations(records: Sequence[Any]) -> list[Evaluation]:
    """Records evaluated as one batch, so that batch findings (P05) are found as in a read file."""
    return core_services.evaluate_batch([parse_record(r) for r in records]) if records else []


def decimal_text(value: Decimal | None) -> str | None:
    """A Decimal as JSON text (nothing rounded on the way), None as null."""
    return None if value is None else str(value)


def cents(value: Decimal | float | None) -> Decimal | None:
    """An aggregate (an average, a difference) to two decimals."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
