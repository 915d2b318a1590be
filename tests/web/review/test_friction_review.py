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


def _drawn_and_approved(cast: Any) -> Any:
    form = cast.form("信息化建设")
    workflow.transition(form, cast.user("clerk"), "submit", "已说明")
    recheck.draw_sample(cast.user("finance"), year=2019, share="100%", seed=5)
    return workflow.transition(form, cast.user("reviewer"), "approve")


def test_a_wrong_recheck_score_is_refused_beside_the_field_and_the_problems_stay(cast: Any) -> None:
    form = _drawn_and_approved(cast)
    response = cast.page("finance").post(f"/review/forms/{form.pk}/recheck/",
                                         {"own_score": "九十", "problems": "满意度无问卷佐证", "finish": "1"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="own_score-error"' in page and "复核得分应为数字。" in page
    assert ">满意度无问卷佐证</textarea>" in page and 'value="九十"' in page
    assert "无法完成" not in page  # the review page, not the error page
    assert recheck.open_item(form).problems == ""  # nothing half-saved
