"""The one vocabulary of form filters, for the list, the review list, the overview's links and the API.

year, department, unit: ids; phase; stage (one or several, comma-separated); grade (优/良/中/差, "none"
for none); errors (yes/no); rate (an execution-rate band of RATE_BANDS, "none"); code (a finding code);
diff (the unit's total against the computed one: higher/equal/lower/missing); sampled (yes); q (text in
the project or the unit's name). A value that is not one of these is refused with its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet

from jixiao.web.forms.access import User, scope_key, visible_forms
from jixiao.web.forms.errors import ServiceError
from jixiao.web.models import PHASE_LABELS, STAGE_LABELS, FormFinding, Org, PerformanceForm, Phase, Stage
from jixiao.web.review.models import DrawItem

FILTERS = ("year", "department", "unit", "phase", "stage", "grade", "errors", "rate", "code", "diff", "sampled", "q")
FILTER_LABELS = {
    "year": "年度", "department": "主管部门", "unit": "实施单位", "phase": "阶段", "stage": "状态", "grade": "等级",
    "errors": "错误", "rate": "执行率", "code": "问题代码", "diff": "填报与计算总分", "sampled": "抽评", "q": "搜索",
}
GRADES = ("优", "良", "中", "差")
YES_NO = {"yes": "有错误", "no": "无错误"}
RATE_BANDS: tuple[tuple[str, str, Decimal | None, Decimal | None], ...] = (
    # key, label, lower bound (inclusive), upper bound (exclusive); execution_rate is a ratio
    ("lt60", "60%以下", None, Decimal("0.6")),
    ("60-80", "60%–80%", Decimal("0.6"), Decimal("0.8")),
    ("80-90", "80%–90%", Decimal("0.8"), Decimal("0.9")),
    ("90-100", "90%–100%", Decimal("0.9"), Decimal("1")),
    ("100", "100%及以上", Decimal("1"), None),
)
DIFF_FILTERS = {
    "higher": Q(printed_total__gt=F("computed_total")),
    "equal": Q(printed_total=F("computed_total")),
    "lower": Q(printed_total__lt=F("computed_total")),
    "missing": Q(printed_total__isnull=True) | Q(computed_total__isnull=True),
}
DIFF_LABELS = {"higher": "填报高于计算", "equal": "两者相同", "lower": "填报低于计算", "missing": "无法比较"}


def rate_q(key: str) -> Q:
    """The filter of an execution-rate band ("none": no rate)."""
    if key == "none":
        return Q(execution_rate__isnull=True)
    for k, _, low, high in RATE_BANDS:
        if k == key:
            q = Q(execution_rate__isnull=False)
            if low is not None:
                q &= Q(execution_rate__gte=low)
            if high is not None:
                q &= Q(execution_rate__lt=high)
            return q
    raise _bad("rate", key)


def _bad(name: str, value: str) -> ServiceError:
    message = f"筛选条件「{FILTER_LABELS[name]}」（{name}）的取值「{value[:40]}」无效。"
    return ServiceError(message, {name: [message]})


def _id(params: Mapping[str, str], name: str) -> int:
    text = params[name]
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise _bad(name, text)
    return int(text)


def _choice(params: Mapping[str, str], name: str, allowed: Any) -> str:
    value = params[name]
    if value not in allowed:
        raise _bad(name, value)
    return value


def filter_forms(user: User, params: Mapping[str, str]) -> QuerySet[PerformanceForm]:
    """The forms the user sees, narrowed by the filters in `params` (unknown names are not filters)."""
    given = {k: str(params.get(k, "")).strip() for k in FILTERS if str(params.get(k, "")).strip()}
    qs = visible_forms(user)
    for name in ("year", "department", "unit"):
        if name in given:
            qs = qs.filter(**{"year" if name == "year" else f"{name}_id": _id(given, name)})
    if "phase" in given:
        qs = qs.filter(phase=_choice(given, "phase", Phase.values))
    if "stage" in given:
        stages = given["stage"].split(",")
        for s in stages:
            if s not in Stage.values:
                raise _bad("stage", s)
        qs = qs.filter(stage__in=stages)
    if "grade" in given:
        grade = _choice(given, "grade", (*GRADES, "none"))
        qs = qs.filter(grade="" if grade == "none" else grade)
    if "errors" in given:
        qs = qs.filter(error_count__gt=0) if _choice(given, "errors", YES_NO) == "yes" else qs.filter(error_count=0)
    if "rate" in given:
        qs = qs.filter(rate_q(given["rate"]))
    if "code" in given:
        qs = qs.filter(pk__in=FormFinding.objects.filter(code=given["code"][:10]).values("form_id"))
    if "diff" in given:
        qs = qs.filter(DIFF_FILTERS[_choice(given, "diff", DIFF_FILTERS)])
    if "sampled" in given:
        _choice(given, "sampled", ("yes",))
        qs = qs.filter(pk__in=DrawItem.objects.values("form_id"))
    if q := given.get("q", "")[:100]:
        # Chinese has no case: a plain LIKE is enough and much cheaper than upper() on every row.
        lookup = "icontains" if any(c.isascii() and c.isalpha() for c in q) else "contains"
        units = Org.objects.filter(**{f"name__{lookup}": q}).values("pk")
        qs = qs.filter(Q(**{f"project__{lookup}": q}) | Q(unit_id__in=units))
    return qs


def filter_key(user: User, params: Mapping[str, str]) -> tuple[Any, ...]:
    """What filter_forms' result depends on besides the stored data, to keep its count under."""
    return ("forms", scope_key(user), *(str(params.get(k, "")).strip() for k in FILTERS))


def chosen(params: Mapping[str, str]) -> dict[str, str]:
    """The filters given, by name, without the empty ones (for links and the list's caption)."""
    return {k: str(params[k]).strip() for k in FILTERS if str(params.get(k, "")).strip()}


def describe(params: Mapping[str, str]) -> str:
    """The filters given, as a reader says them: "状态：草稿、已退回；年度：2019"."""
    given = chosen(params)
    names = dict(Org.objects.filter(pk__in=[int(given[k]) for k in ("department", "unit")
                                            if given.get(k, "").isascii() and given.get(k, "").isdigit()])
                 .values_list("pk", "name"))
    values = {
        "stage": lambda v: "、".join(STAGE_LABELS.get(s, s) for s in v.split(",")),
        "phase": lambda v: PHASE_LABELS.get(v, v),
        "errors": lambda v: YES_NO.get(v, v),
        "grade": lambda v: "未评级" if v == "none" else v,
        "rate": lambda v: next((label for k, label, *_ in RATE_BANDS if k == v), "未填" if v == "none" else v),
        "diff": lambda v: DIFF_LABELS.get(v, v),
        "sampled": lambda v: "被抽中的表",
        "department": lambda v: names.get(int(v), v) if v.isdigit() else v,
        "unit": lambda v: names.get(int(v), v) if v.isdigit() else v,
    }
    return "；".join(f"{FILTER_LABELS[k]}：{values.get(k, str)(v)}" for k, v in given.items())
