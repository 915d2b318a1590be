"""One form's whole life in a browser (Playwright in Debian's chromium, never downloaded): the clerk submits,
the reviewer returns it with a comment on a cell, the clerk fixes and resubmits, the reviewer approves,
the finance bureau samples, re-checks and publishes it, and the public page shows it.
Screenshots of each step: artifacts/screenshots/review-*.png."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from web_helpers import SHOTS, require_browser

PASSWORD = "pw-for-tests"

require_browser()

from playwright.sync_api import Browser, Page, expect  # noqa: E402


class Session:
    """One person's browser window (its own cookies)."""

    def __init__(self, browser: Browser, base: str, username: str | None) -> None:
        self.context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base = base
        if username:
            self.page.goto(f"{base}/login/")
            self.page.get_by_label("用户名").fill(username)
            self.page.get_by_label("密码").fill(PASSWORD)
            self.page.keyboard.press("Enter")
            # Logged in once the login page has sent us on (to the form list).
            self.page.wait_for_url(lambda url: "/login/" not in url)

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"review-{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.mark.django_db(transaction=True)
def test_one_form_from_draft_to_the_public_page(live_server: Any, cast: Any, browser: Browser) -> None:
    from jixiao.web.models import PerformanceForm

    form = cast.form("信息化建设")
    base = live_server.url
    clerk = Session(browser, base, "clerk")
    reviewer = Session(browser, base, "reviewer")
    finance = Session(browser, base, "finance")

    # 0. The finance bureau opens the round; the clerk sees what the unit owes and by when.
    page = finance.open("/review/rounds/")
    page.get_by_label("名称").fill("2019 年度项目支出绩效自评")
    page.get_by_label("年度").fill("2019")
    page.get_by_label("截止日期").fill((datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#round-units")).to_contain_text("鄂尔多斯市法律援助中心")
    finance.shot("0-round")
    page = clerk.open("/review/rounds/")
    expect(page.get_by_text("待交 10 张")).to_be_visible()
    clerk.shot("0-clerk-owes")

    # 1. The clerk submits, explaining the warnings.
    page = clerk.open(f"/review/forms/{form.pk}/")
    expect(page.locator("#stage")).to_have_text("草稿")
    page.get_by_label("提交说明").fill("P04 为本地模板的指标分类，已与主管部门核实。")
    page.locator("#do-submit").click()
    expect(page.locator("#stage")).to_have_text("已提交")
    clerk.shot("1-submitted")

    # 2. The reviewer sees the explanation beside the warnings and returns the form with a comment on a cell.
    page = reviewer.open("/review/")
    page.get_by_role("link", name="信息化建设").click()
    expect(page.locator("#warnings .explain").first).to_contain_text("已与主管部门核实")
    page.locator('td[data-field="indicators[2].score"]').click()
    expect(page.locator("#field")).to_have_value("indicators[2].score")
    page.locator("#cell_comment").fill("得分与完成值不符，请核对后说明原因。")
    page.get_by_label("审核意见").fill("请按批注修改。")
    page.locator("#do-return").click()
    expect(page.locator("#stage")).to_have_text("已退回")
    expect(page.locator('td[data-field="indicators[2].score"]')).to_have_class(re.compile(r"\bmark-comment\b"))
    reviewer.shot("2-returned-with-cell-comment")

    # 3. The clerk sees the comment on the cell, fixes the form in the editor and resubmits.
    page = clerk.open(f"/review/forms/{form.pk}/")
    expect(page.get_by_text("得分与完成值不符，请核对后说明原因。").first).to_be_visible()
    clerk.shot("3-clerk-sees-comment")
    page.get_by_role("link", name="修改", exact=True).click()
    page.locator('[name="ind-2-reason"]').fill("系统升级推迟一个月，已于次年一月完成。")
    page.locator("#save").click()
    page.wait_for_load_state()
    clerk.shot("4-fixed")
    page = clerk.open(f"/review/forms/{form.pk}/")
    page.get_by_label("提交说明").fill("已按批注补充原因；P04 为本地模板的指标分类。")
    page.locator("#do-submit").click()
    expect(page.locator("#stage")).to_have_text("已提交")
    clerk.shot("5-resubmitted")

    # 4. The reviewer approves.
    page = reviewer.open(f"/review/forms/{form.pk}/")
    page.get_by_label("审核意见").fill("同意。")
    page.locator("#do-approve").click()
    expect(page.locator("#stage")).to_have_text("已审核")
    reviewer.shot("6-approved")

    # 5. The finance bureau draws a sample (this form is the only one submitted or approved) and re-checks it.
    page = finance.open("/review/draws/")
    page.locator("#count").fill("1")
    page.locator("#seed").fill("20200331")
    page.locator("#do-draw").click()
    expect(page.locator("#draw-seed")).to_have_text("20200331")
    finance.shot("7-sampled")
    page.get_by_role("link", name="信息化建设").click()
    page.get_by_label("复核得分").fill("95")
    page.get_by_label("发现的问题").fill("满意度缺少问卷佐证材料，扣 5 分。")
    page.locator("#do-recheck").click()
    expect(page.locator("#stage")).to_have_text("已复核")
    expect(page.locator("#score-diff")).to_have_text("5.00")
    finance.shot("8-rechecked")

    # 6. The finance bureau publishes it; the public page shows it, without logging in.
    page.locator("#do-publish").click()
    expect(page.locator("#stage")).to_have_text("已公开")
    finance.shot("9-published")
    visitor = Session(browser, base, None)
    page = visitor.open("/public/")
    page.get_by_role("link", name="2019 年度").click()
    page.get_by_role("link", name="鄂尔多斯市司法局").click()
    page.get_by_role("link", name="信息化建设").click()
    expect(page.locator(".paper-title")).to_be_visible()
    expect(page.get_by_text("系统升级推迟一个月，已于次年一月完成。")).to_be_visible()
    visitor.shot("10-public")

    # 7. The year at a glance, and the form's history with the clerk's fix in it.
    page = finance.open("/review/overview/?year=2019")
    expect(page.locator("#n-total")).to_have_text("11")
    finance.shot("11-overview")
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    finance.shot("11-overview-print")
    page.emulate_media(media="screen")
    page.locator("#n-errors").click()
    expect(page.get_by_text("共 3 张表")).to_be_visible()
    page = clerk.open(f"/review/forms/{form.pk}/history/?a=1&b=4")
    expect(page.locator("#diff")).to_contain_text("系统升级推迟一个月")
    clerk.shot("12-history")

    stored = PerformanceForm.objects.get(pk=form.pk)
    assert stored.stage == "published"
    for s in (clerk, reviewer, finance, visitor):
        s.close()
