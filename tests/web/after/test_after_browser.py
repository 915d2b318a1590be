"""The Done-when story of issue 12 in a real browser (Playwright in Debian's chromium).

A reviewer asks for evidence on a cell, the clerk attaches a PDF, the reviewer approves; the finance bureau
re-checks at a lower score with two problems and opens rectification items from them; the unit answers one
with evidence, finance accepts it and returns the other; the public page shows both scores and the problems;
the 结果应用 list shows the project with its recommendation (the rectification items drafted, and issued after
another finance user's internal review). Then the department-wide form and its 自评报告 editor, rows added and
removed in its editor, and the form in the finance bureau's review queue. Screenshots go to artifacts/screenshots/after-*.png (kept by CI); docs/screenshots/ holds copies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from web_helpers import SHOTS, require_browser

require_browser()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

PDF = Path(__file__).resolve().parents[2] / "fixtures" / "pdf_wrapped_cells.pdf"  # a real PDF file
PASSWORD = "pw-for-tests"


class Session:
    """One person's browser window (its own cookies)."""

    def __init__(self, browser: Browser, base: str, username: str | None) -> None:
        self.context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base = base
        if username:
            self.page.goto(f"{base}/login/")
            self.page.get_by_label("用户名").fill(username)
            self.page.get_by_label("密码").fill(PASSWORD)
            self.page.keyboard.press("Enter")
            self.page.wait_for_url(lambda url: "/login/" not in url)

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"after-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_evidence_recheck_rectification_public_and_results(live_server: Any, cast: Any, browser: Browser) -> None:
    from jixiao.web.after.models import Evidence, Rectification

    form = cast.form("信息化建设")
    base = live_server.url
    clerk, reviewer, finance = (Session(browser, base, n) for n in ("clerk", "reviewer", "finance"))

    # 1. The clerk submits; the reviewer asks for evidence on a cell.
    page = clerk.open(f"/review/forms/{form.pk}/")
    page.get_by_label("提交说明").fill("P04 为本地模板的指标分类。")
    page.locator("#do-submit").click()
    expect(page.locator("#stage")).to_have_text("已提交")
    page = reviewer.open(f"/review/forms/{form.pk}/")
    page.locator("#evidence-link").click()
    page.locator("#req-field").select_option("indicators[0].actual")
    page.locator("#req-message").fill("请提供系统上线的验收报告")
    page.get_by_role("button", name="要求补充佐证材料").click()
    expect(page.locator("#requests")).to_contain_text("待补充")
    reviewer.shot("1-evidence-requested")

    # 2. The clerk answers by attaching a PDF.
    page = clerk.open(f"/after/forms/{form.pk}/evidence/")
    expect(page.locator("#requests")).to_contain_text("请提供系统上线的验收报告")
    page.locator("#up-file").set_input_files(str(PDF))
    page.get_by_role("button", name="上传").click()
    expect(page.locator("#evidence-list")).to_contain_text(PDF.name)
    expect(page.locator("#requests")).to_contain_text("已补充")
    clerk.shot("2-evidence-attached")
    assert Evidence.objects.get().field == "indicators[0].actual"

    # 3. The reviewer approves.
    page = reviewer.open(f"/review/forms/{form.pk}/")
    page.get_by_label("审核意见").fill("同意。")
    page.locator("#do-approve").click()
    expect(page.locator("#stage")).to_have_text("已审核")

    # 4. The finance bureau draws it, re-checks it at a lower score with two problems.
    page = finance.open("/review/draws/")
    page.locator("#count").fill("1")
    page.locator("#seed").fill("20200331")
    page.locator("#do-draw").click()
    page.get_by_role("link", name="信息化建设").click()
    page.get_by_label("复核得分").fill("93.5")
    page.get_by_label("发现的问题").fill("1、满意度缺少问卷佐证\n2、传送增长率统计口径不清")
    page.locator("#do-recheck").click()
    expect(page.locator("#stage")).to_have_text("已复核")
    finance.shot("3-rechecked")

    # 5. … and opens rectification items from the two problems.
    page.locator("#rectify-link").click()
    page.get_by_label("整改要求").fill("补充满意度问卷，说明增长率口径")
    page.get_by_label("整改期限").fill("2099-06-30")
    page.get_by_role("button", name="起草整改（内部审核后下达）").click()
    expect(page.locator("#rectifications tbody tr")).to_have_count(2)
    first, second = Rectification.objects.order_by("pk")
    # They are drafts: the unit sees none until another finance user has reviewed and issued each.
    expect(clerk.open("/after/rectifications/").locator("main")).to_contain_text("没有整改事项")
    expect(finance.open(f"/after/rectifications/{first.pk}/").locator("#release-form")).to_have_count(0)
    finance2 = Session(browser, base, "finance2")
    for item in (first, second):
        page = finance2.open(f"/after/rectifications/{item.pk}/")
        expect(page.locator("#draft-note")).to_be_visible()
        if item == first:
            finance2.shot("4a-draft-internal-review")
        page.locator("#release-issue").click()
        expect(page.locator("#item-status")).to_have_text("待整改")
    page = finance.open("/after/rectifications/")
    finance.shot("4-rectification-items")
    # A single item: a click on one of the form's problems fills 问题 (a script file, not an inline handler
    # the CSP would block).
    page = finance.open(f"/after/rectifications/new/?form={first.form_id}")
    offered = page.locator("button[data-fill]").first
    offered.click()
    expect(page.locator("#problem")).to_have_value(offered.inner_text())

    # 6. The unit answers one with evidence (and the other without).
    page = clerk.open(f"/after/rectifications/{first.pk}/")
    page.get_by_label("采取的整改措施").fill("已补做满意度问卷 120 份，满意率 96%。")
    page.locator("#answer-file").set_input_files(str(PDF))
    page.get_by_role("button", name="提交整改情况").click()
    expect(page.locator("#item-status")).to_have_text("待审核")
    clerk.shot("5-answered-with-evidence")
    page = clerk.open(f"/after/rectifications/{second.pk}/")
    page.get_by_label("采取的整改措施").fill("增长率按上年同期计算。")
    page.get_by_role("button", name="提交整改情况").click()

    # 7. Finance accepts the first and returns the second.
    page = finance.open(f"/after/rectifications/{first.pk}/")
    page.get_by_role("button", name="通过").click()
    expect(page.locator("#item-status")).to_have_text("已通过")
    page = finance.open(f"/after/rectifications/{second.pk}/")
    page.get_by_label("意见").fill("未附统计表，请补充。")
    page.get_by_role("button", name="退回").click()
    expect(page.locator("#item-status")).to_have_text("已退回")
    finance.shot("6-returned")

    # 8. Finance publishes; the public page shows both scores and the problems, without logging in.
    page = finance.open(f"/review/forms/{form.pk}/")
    page.locator("#do-publish").click()
    expect(page.locator("#stage")).to_have_text("已公开")
    public = Session(browser, base, None)
    page = public.open(f"/public/forms/{form.pk}/")
    expect(page.locator("#pr-unit")).to_have_text("100.00")
    expect(page.locator("#pr-score")).to_have_text("93.50")
    expect(page.locator("#pr-problems li")).to_have_count(2)
    expect(page.locator("#pr-problems")).to_contain_text("传送增长率统计口径不清")
    public.shot("7-public-both-scores")

    # 9. The 结果应用 list shows the project with its recommendation.
    page = finance.open("/after/results/2019/")
    row = page.locator("#results tr", has_text="信息化建设")
    expect(row).to_contain_text("93.50")
    expect(row).to_contain_text("优先保障")
    finance.shot("8-results")
    assert [r.status for r in Rectification.objects.order_by("pk")] == ["accepted", "returned"]


@pytest.mark.django_db(transaction=True)
def test_the_department_form_and_its_report_editor(live_server: Any, cast: Any, browser: Browser) -> None:
    from jixiao.web.after.models import DeptSelfEvaluation

    clerk = Session(browser, live_server.url, "clerk")
    page = clerk.open("/after/dept/")
    page.get_by_role("link", name="2019 年度 · 鄂尔多斯市司法局").click()
    expect(page.locator("#dept-total")).to_have_text("95.59")
    expect(page.locator("#dept-clean")).to_be_visible()
    clerk.shot("9-dept-form")
    page.get_by_role("link", name="自评报告").first.click()
    page.get_by_label("二（一） 评价目的、对象和范围").fill("评价本部门 2019 年度整体支出。")
    page.get_by_label("三 综合评价情况及评价结论（附评分表）").fill("本部门自评得分 95.59 分，评价等级为“良”。")
    page.get_by_role("button", name="保存并检查").click()
    expect(page.get_by_text("已保存自评报告")).to_be_visible()
    expect(page.locator('.report-section[data-number="三"]')).to_contain_text("N04")
    clerk.shot("10-report-editor")

    # Rows of the form: remove the first indicator, add one in its place (same weight), save, reload.
    stored = DeptSelfEvaluation.objects.get(year=2019)
    removed = stored.record["indicators"][0]["name"]
    page = clerk.open(f"/after/dept/{stored.pk}/edit/")
    page.locator('button[data-remove="indicators[0]"]').click()
    expect(page.locator('tr[data-row="indicators[0]"]')).to_have_count(0)
    page.locator("#add-indicators").click()
    new = page.locator("tr.row-new")
    for field, text in (("level1", "产出"), ("level2", "职责履行"), ("name", "普法宣传场次"),
                        ("initial_target", "≥20场"), ("actual", "24场"), ("coefficient", "100%"),
                        ("weight", "5"), ("score", "5"), ("core", "否")):
        new.locator(f'[name="cell:indicators[+1].{field}"]').fill(text)
    clerk.shot("11-dept-rows-edited")
    page.locator("#dept-save").click()
    expect(page.get_by_text("已保存部门整体自评表")).to_be_visible()
    page = clerk.open(f"/after/dept/{stored.pk}/edit/")
    expect(page.locator("#dept-paper")).not_to_contain_text(removed)
    last = page.locator('tr[data-block="indicators"]').last
    expect(last.locator('[name="cell:indicators[13].name"]')).to_have_value("普法宣传场次")
    names = [i["name"] for i in DeptSelfEvaluation.objects.get(pk=stored.pk).record["indicators"]]
    assert removed not in names and names[-1] == "普法宣传场次" and len(names) == 14

    # Submitted, it waits in the finance bureau's review queue beside the project forms, and is approved there.
    page = clerk.open(f"/after/dept/{stored.pk}/")
    page.locator("#dept-do-submit").click()
    expect(page.locator("#dept-stage")).to_have_text("已提交")
    finance = Session(browser, live_server.url, "finance")
    page = finance.open("/review/")
    row = page.locator("#dept-queue tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("部门整体")
    expect(row).to_contain_text("鄂尔多斯市司法局")
    finance.shot("12-dept-in-review-queue")
    row.get_by_role("link", name="去审核").click()
    page.get_by_label("意见").fill("同意。")
    page.locator("#dept-do-approve").click()
    expect(page.locator("#dept-stage")).to_have_text("已审核")
    page = finance.open("/review/overview/?year=2019")
    expect(page.locator("#dept-counts")).to_contain_text("已审核 1 个")
