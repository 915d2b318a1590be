"""Issue 10's friction 13, 7 and 6 in a real browser (Debian's chromium), as the people who met them: the
reviewer approves several forms in one go, the clerk withdraws a submission and deletes a draft, the finance
bureau unpublishes with a reason the public sees, a wrong re-check score keeps what was typed, and the import
preview says which form cannot be replaced. Screenshots: artifacts/screenshots/friction-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from web_helpers import PASSWORD, SEED, SHOTS, require_browser

require_browser()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_as(browser: Browser, live_server: Any) -> Iterator[Any]:
    """open_as(username) → a logged-in page of its own window."""
    contexts = []

    def open_as(username: str | None) -> Page:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base = live_server.url  # type: ignore[attr-defined]
        if username:
            page.goto(f"{live_server.url}/login/")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(PASSWORD)
            page.keyboard.press("Enter")
            page.wait_for_url(lambda url: "/login/" not in url)
        return page

    yield open_as
    for context in contexts:
        context.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"friction-{name}.png"), full_page=True)


def _submitted(cast: Any, n: int) -> list[Any]:
    from jixiao.web.review import workflow

    ready = [f for f in cast.forms if f.error_count == 0 and f.unit_id == cast.department.pk][:n]
    return [workflow.transition(f, cast.user("clerk"), "submit", "已说明") for f in ready]


def _published(cast: Any) -> Any:
    from jixiao.web.review import workflow

    (form,) = _submitted(cast, 1)
    workflow.transition(form, cast.user("reviewer"), "approve")
    return workflow.transition(form, cast.user("finance"), "publish")


def test_the_reviewer_approves_three_forms_in_one_go(cast: Any, open_as: Any) -> None:
    from jixiao.web.models import PerformanceForm

    forms = _submitted(cast, 4)
    page = open_as("reviewer")
    page.goto(f"{page.base}/review/")
    expect(page.locator("#batch-approve")).to_be_disabled()  # nothing ticked yet
    for f in forms[:3]:
        page.locator(f".batch-pick[value='{f.pk}']").check()
    expect(page.locator("#batch-count")).to_have_text("3")
    page.get_by_label("意见（对每张表相同；退回时必填）").fill("同意。")
    page.locator("#batch-approve").click()
    expect(page.locator(".messages")).to_contain_text("批量审核通过：成功 3 张。")
    shot(page, "13-batch-approved")
    assert [PerformanceForm.objects.get(pk=f.pk).stage for f in forms] == ["approved"] * 3 + ["submitted"]
    # A return with no comment is refused on each form, named in the one message; nothing changes.
    page.locator("#batch-all").check()
    page.locator("#batch-return").click()
    expect(page.locator(".messages")).to_contain_text(f"批量退回：成功 0 张，失败 1 张——「{forms[3].project}」")
    expect(page.locator(".messages")).to_contain_text("退回时请填写意见")


def test_the_clerk_withdraws_a_submission_and_deletes_a_draft(cast: Any, open_as: Any) -> None:
    from jixiao.web.models import PerformanceForm

    (form,) = _submitted(cast, 1)
    page = open_as("clerk")
    page.goto(f"{page.base}/forms/{form.pk}/")
    page.locator("#do-withdraw").click()
    expect(page.locator("#stage")).to_have_text("草稿")
    page.goto(f"{page.base}/forms/{form.pk}/")
    page.locator("#delete-draft").click()
    expect(page.get_by_role("heading", name="删除草稿")).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"确定要删除草稿「{form.project}」")
    shot(page, "13-delete-draft-confirm")
    page.locator("#confirm-delete").click()
    expect(page.locator(".messages")).to_contain_text(f"已删除草稿「{form.project}」")
    assert not PerformanceForm.objects.filter(pk=form.pk).exists()


def test_the_finance_bureau_unpublishes_with_a_reason_the_public_sees(cast: Any, open_as: Any) -> None:
    form = _published(cast)
    page = open_as("finance")
    page.goto(f"{page.base}/review/forms/{form.pk}/")
    page.locator("#do-unpublish").click()  # no reason: refused on the page
    expect(page.locator("#refused")).to_contain_text("撤销公开时请填写原因")
    expect(page.locator("#stage")).to_have_text("已公开")
    page.get_by_label(re.compile("撤销公开的原因")).fill("资金执行数有误，待单位更正后重新公开。")
    page.locator("#do-unpublish").click()
    expect(page.locator("#stage")).to_have_text("已审核")
    expect(page.get_by_text("资金执行数有误，待单位更正后重新公开。").first).to_be_visible()  # 办理记录
    visitor = open_as(None)
    visitor.goto(f"{visitor.base}/public/forms/{form.pk}/")
    expect(visitor.locator("#withdrawn")).to_contain_text("撤销原因：资金执行数有误，待单位更正后重新公开。")
    shot(visitor, "13-unpublished-public-page")


def test_a_wrong_recheck_score_keeps_the_problems_typed(cast: Any, open_as: Any) -> None:
    from jixiao.web.review import recheck, workflow

    (form,) = _submitted(cast, 1)
    recheck.draw_sample(cast.user("finance"), year=2019, share="100%", seed=5)
    workflow.transition(form, cast.user("reviewer"), "approve")
    page = open_as("finance")
    page.goto(f"{page.base}/review/forms/{form.pk}/")
    page.get_by_label("复核得分").fill("95分")
    page.get_by_label("发现的问题").fill("满意度缺少问卷佐证材料，扣 5 分。")
    page.locator("#do-recheck").click()
    expect(page.locator("#own_score-error")).to_have_text("复核得分应为数字。")
    expect(page.get_by_label("发现的问题")).to_have_value("满意度缺少问卷佐证材料，扣 5 分。")
    expect(page.get_by_label("复核得分")).to_have_value("95分")
    shot(page, "7-recheck-error-beside-the-field")
    page.get_by_label("复核得分").fill("95")
    page.locator("#do-recheck").click()
    expect(page.locator("#stage")).to_have_text("已复核")


def test_the_import_preview_says_which_form_cannot_be_replaced(cast: Any, open_as: Any) -> None:
    form = _published(cast)
    page = open_as("clerk")
    page.goto(f"{page.base}/import/")
    page.get_by_label("选择文件").set_input_files(str(SEED))
    page.get_by_role("button", name="上传并预览").click()
    row = page.locator("tr.preview-form", has=page.locator(f"a[href='/forms/{form.pk}/']"))
    expect(row.locator(".replace-refused")).to_contain_text(f"已有的表「{form.project}」当前为「已公开」，不能替换")
    expect(row.get_by_label("替换")).to_have_count(0)
    shot(page, "6-import-cannot-replace")
