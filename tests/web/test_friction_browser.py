"""Issue 10's friction list, tried in a real browser as the person who met it (friction 3, 5, 1, 9…)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from web_helpers import SHOTS, login, require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402


def _clerks_form(project: str = "信息化建设") -> Any:
    from jixiao.web.models import PerformanceForm

    return PerformanceForm.objects.get(project=project)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"friction-{name}.png"), full_page=True)


def test_negative_spending_is_refused_next_to_the_field(live_server, demo_drafts_live, page):
    form = _clerks_form()
    login(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/forms/{form.pk}/edit/")
    page.locator("[name=fund-1-executed]").fill("-5")
    page.get_by_role("button", name="保存").click()
    error = page.locator("[name=fund-1-executed] ~ .field-error")
    expect(error).to_contain_text("不能为负数")
    shot(page, "3-negative-spending")
    assert _clerks_form().version == form.version  # nothing saved


def test_a_total_over_full_marks_gets_no_grade(live_server, demo_drafts_live, page):
    form = _clerks_form()
    login(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/forms/{form.pk}/edit/")
    expect(page.locator("#live-grade")).not_to_have_text("–")
    page.locator("[name=ind-0-weight]").fill("60")  # the weights now add up to more than 100: A05
    expect(page.locator("#live-grade")).to_contain_text("未评级")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#grade")).to_contain_text("未评级")
    assert _clerks_form().grade == ""


def _returned_with_a_cell_comment() -> Any:
    from django.contrib.auth.models import User

    from jixiao.web.review import workflow

    form = _clerks_form()
    workflow.transition(form, User.objects.get(username="clerk"), "submit", "已与主管部门核实")
    return workflow.transition(form, User.objects.get(username="reviewer"), "return", "请按批注修改。",
                               [workflow.Cell("indicators[2].score", "得分与完成值不符，请核对。")])


def test_the_clerk_sees_a_return_on_the_list_the_form_page_and_in_the_editor_and_submits_there(live_server, demo_drafts_live, page):
    form = _returned_with_a_cell_comment()
    login(page, live_server.url, "clerk")
    row = page.locator("tr", has=page.get_by_role("link", name="信息化建设"))
    expect(row).to_have_class(re.compile(r"\bstage-row-returned\b"))
    row.get_by_role("link", name="信息化建设").click()
    comments = page.locator("#returned-comments")
    expect(comments).to_contain_text("请按批注修改。")
    expect(comments).to_contain_text("得分与完成值不符，请核对。")
    expect(page.locator('td[data-field="indicators[2].score"]')).to_have_class(re.compile(r"\bmark-comment\b"))
    shot(page, "1-returned-on-the-form-page")
    page.get_by_role("link", name="修改", exact=True).click()
    expect(page.locator("#returned-comments")).to_contain_text("得分与完成值不符，请核对。")
    page.get_by_role("button", name="保存").click()
    page.get_by_label(re.compile("请说明原因后提交")).fill("已按批注核对。")
    page.locator("#do-submit").click()
    expect(page.locator("#stage")).to_have_text("已提交")
    assert _clerks_form().stage == "submitted" and form.pk == _clerks_form().pk


@pytest.mark.parametrize(("username", "shown", "hidden"), [
    ("finance", ["审核", "总览", "随机抽评"], ["新建", "导入"]),
    ("reviewer", ["审核", "总览"], ["新建", "导入", "随机抽评"]),
    ("clerk", ["新建", "导入", "填报任务"], ["审核", "总览", "随机抽评"]),
])
def test_menus_offer_only_what_the_role_can_do(live_server, demo, page, username, shown, hidden):
    login(page, live_server.url, username)
    page.goto(f"{live_server.url}/review/rounds/")  # a page with both the main and the review menu
    menus = page.locator("nav[aria-label=主菜单], nav[aria-label=审核菜单]")
    for name in shown:
        expect(menus.get_by_role("link", name=name, exact=True).first).to_be_visible()
    for name in hidden:
        expect(menus.get_by_role("link", name=name, exact=True)).to_have_count(0)
