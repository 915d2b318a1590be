"""A declaration's page never leaves its 操作 section empty: a user with no step to take reads who takes the
next one (the 主管部门 waits for the finance bureau, the unit for its reviewer)."""

from __future__ import annotations

from typing import Any

from jixiao.web.year import services as year
from jixiao.year_files import review_profile


def _stands(client: Any, pk: int) -> str:
    page = client.get(f"/year/targets/{pk}/").content.decode()
    start = page.find('id="where-it-stands">')
    return page[start:page.find("</p>", start)] if start >= 0 else ""


def test_who_waits_reads_whose_step_it_is(web_cast: Any, target_record: dict[str, Any]) -> None:
    decl = year.submit_target(web_cast.clerk_a, year.save_target(web_cast.clerk_a, target_record, unit=web_cast.unit_a))
    assert "等待主管部门审核" in _stands(web_cast.client("clerk_a"), decl.pk)
    assert _stands(web_cast.client("reviewer"), decl.pk) == ""  # the reviewer has the review form instead
    decl = year.review_target(web_cast.reviewer, decl, dict.fromkeys(review_profile().point_names, "优")).target
    assert "等待财政局审核" in _stands(web_cast.client("reviewer"), decl.pk)
    assert _stands(web_cast.client("finance"), decl.pk) == ""
