"""Helpers of the writer tests: sample records, and scorecards made by hand for rescoring."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from jixiao.core.model import Form
from jixiao.core.scoring import IndicatorScore, Scorecard

SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"


def records(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def scorecard(
    form: Form,
    *,
    rate: str | None = None,
    fund: str | None = None,
    scores: Mapping[int, str] | None = None,
    total: str | None = None,
    grade: str = "优",
) -> Scorecard:
    """A scorecard that gives the printed scores except where told otherwise."""
    scores = scores or {}
    indicators = tuple(
        IndicatorScore(
            index=n,
            weight=None,
            score=Decimal(scores[n]) if n in scores else _number(i.score),
            formula="",
            met=None,
        )
        for n, i in enumerate(form.indicators)
    )
    return Scorecard(
        profile="local-2019",
        execution_rate=Decimal(rate) if rate is not None else None,
        execution_formula="",
        fund_score=Decimal(fund) if fund is not None else None,
        fund_formula="",
        indicators=indicators,
        indicator_sum=Decimal(0),
        total=Decimal(total) if total is not None else None,
        total_formula="",
        grade=grade,
    )


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except ArithmeticError:
        return None


def first_form_scorecard(form: Form) -> Scorecard:
    """Seed form 1 as the rules score it: 质量 24 (printed 23), 总分 99 (printed 98), rate and fund agree."""
    return scorecard(form, rate="0.756", fund="7.56", scores={1: "24.00"}, total="99.00")


def long_form(indicators: int = 60) -> Form:
    """A MoF 2020 form too long for one page: many level-2 runs, long names and reasons."""
    from dataclasses import replace

    from jixiao.core.model import Indicator, from_record

    base = from_record(records("mof2020-a")[1])
    rows = []
    for n in range(indicators):
        level1 = ("产出指标", "效益指标", "满意度指标")[min(n * 3 // indicators, 2)]
        rows.append(
            Indicator(
                level1=level1,
                level2=f"第{n // 4 + 1}类指标",
                name=f"指标{n + 1}:完成第{n + 1}项重点工作任务的数量和质量情况",
                weight="1.5",
                target=f"≥{90 + n % 10}%",
                actual=f"{85 + n % 15}%",
                score="1.5" if n % 15 >= 5 else "1.4",
                reason="" if n % 15 >= 5 else "受疫情影响进度滞后，下一步加强调度，确保按期完成。",
            )
        )
    return replace(base, project="超长表单测试项目", indicators=tuple(rows))


def record_texts(record: dict[str, Any]) -> dict[str, str]:
    """Record key → text of every value a writer prints as it is (level-1 names carry their points)."""
    out = {k: record[k] for k in ("project", "leader", "department", "unit")}
    for n, f in enumerate(record["funds"]):
        for k in ("label", "initial", "annual", "executed", "weight", "rate", "score"):
            out[f"funds[{n}].{k}"] = f[k]
    out["goals.planned"] = record["goals"]["planned"]
    out["goals.achieved"] = record["goals"]["achieved"]
    for n, i in enumerate(record["indicators"]):
        for k in ("name", "weight", "target", "actual", "score", "reason"):
            out[f"indicators[{n}].{k}"] = i[k]
    out["total.score"] = record["total"]["score"]
    out["total.weight"] = record["total"]["weight"]
    return out


def odd_form() -> Form:
    """Seed form 1 with the texts that trip writers up: Latin words and blanks in narrow cells,
    full-width signs, quotes, a long reason, a value with blanks between operator, number and unit."""
    from dataclasses import replace

    from jixiao.core.model import from_record

    form = from_record(records("seed")[0])
    rows = list(form.indicators)
    rows[0] = replace(rows[0], name="Windows Server 2019 system upgrade rate of all county offices",
                      target="≧ 735 人次", actual="735 人次")
    rows[1] = replace(rows[1], name="“12348”法律服务热线（含微信、网站）接通率", target="＝100%",
                      reason="由于“四项制度”落实不到位，部分旗县区（市）未按期完成；下一步将加强督导检查，"
                             "确保2020年6月底前全部完成整改任务。")
    rows[2] = replace(rows[2], name="A/B test of e-government portal (phase II)", actual="完成 80% 以上",
                      reason="The county offices upgrade plan was delayed by procurement approval")
    return replace(form, indicators=tuple(rows), project="Smart Court 智慧法院 phase 2 项目",
                   unit="鄂尔多斯市 司法局", leader="张三 0477-8888888")
