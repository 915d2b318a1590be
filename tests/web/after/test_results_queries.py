"""The 结果应用 list reads what weighs on its rows once for the year, not once per project: the number of
queries stays the same when the year has more projects with warnings, rectification items and re-checks."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jixiao.web.after import results
from jixiao.web.after.models import Rectification
from jixiao.web.forms.store import save_form
from jixiao.web.models import Phase, Stage


def _queries(cast: Any) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as seen:
        data = results.results_list(cast.user("finance"), 2019)
    return len(seen), len(data["rows"])


def _more_projects(cast: Any, n: int) -> None:
    """n more projects of the year, each with an overdue and a returned rectification item."""
    base = cast.form("信息化建设")
    for i in range(n):
        form = save_form(cast.user("clerk"), {**base.record, "project": f"加测项目{i}"}, unit=base.unit,
                         phase=Phase.SELF, stage=Stage.DRAFT)
        for status in (Rectification.Status.ISSUED, Rectification.Status.RETURNED):
            Rectification.objects.create(form=form, unit=form.unit, source="fin_eval", problem="问题",
                                         requirement="整改", deadline=datetime.date(2020, 1, 1), status=status)


def test_the_results_list_costs_the_same_queries_for_more_projects(cast: Any) -> None:
    cast.rechecked()
    before, rows_before = _queries(cast)
    _more_projects(cast, 5)
    after, rows_after = _queries(cast)
    assert rows_after == rows_before + 5
    assert after == before, f"{rows_before} 个项目 {before} 次查询，{rows_after} 个项目 {after} 次查询"


def test_the_rows_still_weigh_the_rectification_items(cast: Any) -> None:
    _more_projects(cast, 1)
    row = next(r for r in results.results_list(cast.user("finance"), 2019)["rows"] if r["project"] == "加测项目0")
    assert any("整改逾期" in reason for reason in row["reasons"])
