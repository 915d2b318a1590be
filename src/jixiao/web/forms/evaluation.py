"""A record's evaluation as the web stores and shows it: the profile chosen for it, the scorecard in
its one JSON shape (jixiao.services.plain), the denormalised columns and the finding rows."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from jixiao import services as core_services
from jixiao.core.model import Form, RecordError, from_record
from jixiao.core.profile_set import ProfileSet
from jixiao.core.profiles import Profile
from jixiao.core.values import parse_number
from jixiao.web import fixed_sql
from jixiao.web.forms.errors import ServiceError
from jixiao.web.forms.finding_sql import FINDING_FIELDS
from jixiao.web.models import FormFinding, Org, PerformanceForm, YearProfile

Evaluation = core_services.Evaluation


def profile_for(year: int | None, override: str = "", unit: Org | None = None) -> Profile | ProfileSet:
    """The profile to score with: the form's override, else the year's, else the one detected from the
    form among those the server knows for its unit (built-in and uploaded: jixiao.web.ops.profiles).

    Only names are looked up, never paths; a name whose profile is gone falls back to the next rule,
    so a stored form whose profile was deleted still exports and saves.
    """
    from jixiao.web.ops import profiles

    if override and (chosen := profiles.stored(override)) is not None:
        return chosen
    if year is not None:
        name = _year_profile(year)
        if name and (chosen := profiles.stored(name)) is not None:
            return chosen
    return profiles.profile_set(unit)


_YEAR_PROFILE = fixed_sql.Statement(YearProfile, lambda connection: (
    f"SELECT {fixed_sql.column(connection, YearProfile, 'profile')} FROM {fixed_sql.table(connection, YearProfile)}"
    f" WHERE {fixed_sql.column(connection, YearProfile, 'year')} = %s"))  # year is unique


def _year_profile(year: int) -> str | None:
    """The profile name set for a year, if any (one fixed statement, on every form page and save)."""
    rows = _YEAR_PROFILE.rows([year])
    return str(rows[0][0]) if rows else None


def user_profiles(user: Any) -> ProfileSet:
    """The profiles an import, a check or a live evaluation by this user may be scored under."""
    from jixiao.web.forms.access import visible_orgs, writable_units
    from jixiao.web.ops import profiles

    return profiles.profile_set(writable_units(user).first() or visible_orgs(user).first())


@cache
def _record_validator() -> Any:
    import json
    from importlib import resources

    from jsonschema import Draft202012Validator

    text = resources.files("jixiao.schema").joinpath("jixiao.form-1.schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)  # a list of forms: one record is its items' schema
    record = {k: v for k, v in schema.items() if k not in ("type", "items")}
    return Draft202012Validator({**record, "$ref": "#/$defs/form"})


def parse_record(record: Any) -> Form:
    """A record from a request as a Form: checked against the interchange schema first, so that a value
    of the wrong type or shape is refused (400) with the place it was found, never reaches the core."""
    problem = next(iter(_record_validator().iter_errors(record)), None) if isinstance(record, dict) else None
    if problem is not None:
        import json

        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in problem.absolute_path).lstrip(".")
        message = f"{where or '记录'} 的值 {json.dumps(problem.instance, ensure_ascii=False)[:60]} 不符合 jixiao.form/1 格式"
        raise ServiceError(f"表单内容格式不对：{message}。", {"record": [message]})
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


def evaluate(form: Form, override: str = "", unit: Org | None = None) -> Evaluation:
    return core_services.evaluate(form, profile_for(form.year, override, unit))


def evaluate_record(record: Any, profile: str = "", user: Any = None) -> dict[str, Any]:
    """Score and check a record that isn't stored (the editor's live evaluation); `profile` is a name
    the server knows ("" or "auto": by year and evidence), never a path."""
    from jixiao.web.ops import profiles

    form = parse_record(record)
    chosen: Profile | ProfileSet | None = profiles.choose(profile)
    if chosen is None:
        chosen = profile_for(form.year)
        if isinstance(chosen, ProfileSet) and user is not None:
            chosen = user_profiles(user)
    return evaluation_json(core_services.evaluate(form, chosen))


def stored_profile(stored: PerformanceForm) -> Profile | ProfileSet:
    """The profile a stored form is scored under now (profile_for of its year, override and unit)."""
    return profile_for(stored.year, stored.profile_override, stored.unit)


def evaluate_stored(stored: PerformanceForm, profile: Profile | ProfileSet | None = None) -> Evaluation:
    """A stored form's evaluation (under `profile`, else stored_profile's). Its record passed the schema when it
    was saved (save_form), so it is not validated again: that took more than half of this call's time on every
    form page."""
    return core_services.evaluate(from_record(stored.record), profile or stored_profile(stored))


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




def _findings_sql(connection: Any) -> str:
    selected = ", ".join(fixed_sql.column(connection, FormFinding, f) for f in FINDING_FIELDS)
    return (f"SELECT {selected} FROM {fixed_sql.table(connection, FormFinding)}"
            f" WHERE {fixed_sql.column(connection, FormFinding, 'form')} = %s ORDER BY position, id")


_FINDINGS = fixed_sql.Statement(FormFinding, _findings_sql)


def stored_findings(form_id: int) -> list[dict[str, Any]]:
    """A stored form's findings in their order, as form.findings.values(*FINDING_FIELDS) gives them: one fixed
    statement (every form page, API read and save shows them)."""
    fields = [FormFinding._meta.get_field(f) for f in FINDING_FIELDS]
    return [dict(zip(FINDING_FIELDS, row, strict=True)) for row in _FINDINGS.rows([form_id], fields)]


def findings_of(form: PerformanceForm) -> list[dict[str, Any]]:
    """A stored form's findings (stored_findings): those read with it (read_form(findings=True)), else one query."""
    read: list[dict[str, Any]] | None = getattr(form, "_findings", None)
    return stored_findings(form.pk) if read is None else read


def finding_rows(stored: PerformanceForm, evaluation: Evaluation) -> list[FormFinding]:
    return [
        FormFinding(
            form=stored, position=n, code=f.code, severity=f.severity.value, location=f.location.as_dict(),
            found=f.found, expected=f.expected, message=f.message,
        )
        for n, f in enumerate(evaluation.findings)
    ]


def batch_evaluations(records: Sequence[Any], profiles: ProfileSet | None = None) -> list[Evaluation]:
    """Records evaluated as one batch, so that batch findings (P05) are found as in a read file."""
    if not records:
        return []
    return core_services.evaluate_batch([parse_record(r) for r in records], profiles or "auto")


def decimal_text(value: Decimal | None) -> str | None:
    """A Decimal as JSON text (nothing rounded on the way), None as null."""
    return None if value is None else str(value)


def cents(value: Decimal | float | None) -> Decimal | None:
    """An aggregate (an average, a difference) to two decimals."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
