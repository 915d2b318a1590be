"""Issue 10's friction on the review side: what the pages say in words, not in query text (friction 4)."""

from __future__ import annotations

from typing import Any

from jixiao.web.review import recheck, workflow


def test_the_review_list_says_its_filters_in_chinese(cast: Any) -> None:
    clerk = cast.page("clerk").get("/review/").content.decode()
    assert "（状态：草稿、已退回）" in clerk and "stage=" not in clerk
    page = cast.page("finance").get(f"/review/?year=2019&errors=yes&department={cast.department.pk}").content.decode()
    assert "（年度：2019；主管部门：鄂尔多斯市司法局；错误：有错误）" in page


def test_a_draw_by_share_says_its_percentage(cast: Any) -> None:
    for f in cast.forms:
        if f.error_count == 0 and f.unit_id == cast.department.pk:
            workflow.transition(f, cast.user("clerk"), "submit", "已说明")
    draw = recheck.draw_sample(cast.user("finance"), year=2019, share="0.5", seed=7)
    detail = cast.page("finance").get(f"/review/draws/{draw.pk}/").content.decode()
    assert "按比例 50%" in detail and "0.5000" not in detail
    listed = cast.page("finance").get("/review/draws/").content.decode()
    assert "比例 50%" in listed
