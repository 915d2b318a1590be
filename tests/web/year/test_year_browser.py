"""The Done-when story of issue 11 in a browser (Playwright in Debian's chromium, never downloaded), as far as
it is built: a clerk declares a target with live checks; its department's reviewer grades it 中 with a cell
comment and it comes back; the clerk reads the comment beside that cell's input, edits and resubmits; the
department passes it up, the finance bureau reads its opinion and grades it 优: locked; the clerk fills the July monitoring form from it and gets M04;
the finance bureau sees the warning and the clerk answers it; the self-evaluation opens with the approved
indicators, a changed target there gives Y01; it is submitted, approved, re-checked and published; the public
pages show the target and the self-evaluation. Screenshots: docs/screenshots/year-*.png."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from web_helpers import PASSWORD, require_browser

require_browser()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
POINTS = ("规范完整性", "明确清晰性", "目标相关性", "指标科学性", "绩效合理性", "资金匹配性", "实现可能性", "条件充分性")
PROJECT = "人民调解员培训"


class Session:
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
        self.page.screenshot(path=str(SHOTS / f"year-{name}.png"), full_page=True)


def grade(page: Page, worst: str | None = None) -> None:
    for point in POINTS:
        page.get_by_label(f"{point} {worst if worst and point == '资金匹配性' else '优'}", exact=True).check()


@pytest.mark.django_db(transaction=True)
def test_the_year_of_a_project_in_the_browser(live_server: Any, demo_passwords: Any, browser: Browser) -> None:
    from jixiao.web.models import PerformanceForm
    from jixiao.web.year.models import TargetDecl

    base = live_server.url
    clerk, reviewer, finance = (Session(browser, base, u) for u in ("clerk", "reviewer", "finance"))

    # 1. The clerk declares a target; the checks follow the typing.
    page = clerk.open("/year/targets/new/")
    page.get_by_label("项目名称").fill(PROJECT)
    page.get_by_label("年度", exact=True).fill("2026")
    page.get_by_label("年度 年度资金总额").fill("20")
    page.get_by_label("年度 其中：财政拨款").fill("20")
    page.get_by_label("年度目标").fill("全年培训人民调解员 300 人次，调解员满意度不低于 90%。")
    rows = [("产出指标", "数量指标", "培训人民调解员人次", "≥300人次"),
            ("产出指标", "质量指标", "培训考核合格率", "≥95%")]
    for n, (l1, l2, name, value) in enumerate(rows):
        row = page.locator("#indicator-rows tbody tr").nth(n)
        row.get_by_label("一级指标").fill(l1)
        row.get_by_label("二级指标").fill(l2)
        row.get_by_label("三级指标").fill(name)
        row.get_by_label("指标值").fill(value)
    expect(page.locator("#findings")).to_contain_text("T03")  # no 效益 / 满意度 indicators yet
    clerk.shot("1-declaring-with-live-checks")
    for n, (l1, l2, name, value) in enumerate([("效益指标", "社会效益指标", "矛盾纠纷调解成功率", "≥95%"),
                                              ("满意度指标", "服务对象满意度指标", "参训调解员满意度", "≥90%")], 2):
        row = page.locator("#indicator-rows tbody tr").nth(n)
        row.get_by_label("一级指标").fill(l1)
        row.get_by_label("二级指标").fill(l2)
        row.get_by_label("三级指标").fill(name)
        row.get_by_label("指标值").fill(value)
    expect(page.locator("#findings")).not_to_contain_text("T03")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("h1")).to_contain_text("待主管部门审核")
    decl = TargetDecl.objects.get(project=PROJECT)

    # 2. Its 主管部门's reviewer grades it 中, with a comment on the cell of a target: it comes back returned.
    page = reviewer.open(f"/year/targets/{decl.pk}/")
    expect(page.locator("#review-form legend")).to_contain_text("主管部门审核")
    grade(page, worst="中")
    page.get_by_label("审核意见", exact=True).fill("资金测算依据不足，请补充培训单价。")
    page.get_by_label("针对的单元格").select_option("indicators[0].value")
    page.get_by_label("单元格意见").fill("请写明 300 人次的测算依据")
    page.get_by_role("button", name="完成审核").click()
    expect(page.locator("h1")).to_contain_text("已退回")
    reviewer.shot("2-graded-zhong-returned")

    # 3. The clerk reads the comment beside the input of its cell, edits and resubmits; the department passes it
    # up, the finance bureau reads the department's opinion and grades it 优: approved and locked.
    page = clerk.open(f"/year/targets/{decl.pk}/")
    expect(page.get_by_text("资金测算依据不足").first).to_be_visible()
    cell = page.locator('#indicator-rows td:has(input[name="indicators[0].target"])')
    expect(cell.locator(".cell-note")).to_contain_text("主管部门·reviewer：请写明 300 人次的测算依据")
    box, note = (cell.locator("input").bounding_box(), cell.locator(".cell-note").bounding_box())
    assert box and note and abs(note["x"] - box["x"]) < 40 and 0 <= note["y"] - box["y"] < 60  # right by the input
    expect(page.locator('#indicator-rows td:has(input[name="indicators[1].target"]) .cell-note')).to_have_count(0)
    clerk.shot("3a-cell-comment-beside-its-input")
    page.get_by_label("指标解释").first.fill("按每人次 600 元测算")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("h1")).to_contain_text("待主管部门审核")
    page = reviewer.open(f"/year/targets/{decl.pk}/")
    grade(page)
    page.get_by_label("审核意见", exact=True).fill("已补充测算依据，同意报送。")
    page.get_by_role("button", name="完成审核").click()
    expect(page.locator("h1")).to_contain_text("待财政审核")
    expect(page.locator("#review-form")).to_have_count(0)  # the department's part is done
    page = finance.open(f"/year/targets/{decl.pk}/")
    expect(page.locator("#department-opinion")).to_contain_text("已补充测算依据，同意报送。")
    expect(page.locator("#review-form legend")).to_contain_text("财政审核")
    finance.shot("3b-finance-reads-the-department-opinion")
    grade(page)
    page.get_by_role("button", name="完成审核").click()
    expect(page.locator("h1")).to_contain_text("已批复")
    page = clerk.open(f"/year/targets/{decl.pk}/")
    expect(page.locator('input[name="project"]')).to_have_count(0)
    expect(page.locator("#findings")).to_have_text("未发现问题")
    expect(page.locator('.year-paper td[data-field="review[0].grade"]')).to_have_text("中")  # every review printed
    expect(page.locator('.year-paper td[data-field="review[1].grade"]')).to_have_text("优")
    expect(page.locator('.year-paper td[data-field="review[2].level"]')).to_contain_text("财政")
    expect(page.locator(".reviews")).to_contain_text("退回修改")
    clerk.shot("3-approved-and-locked")

    # 4. The finance bureau opens the July monitoring round; the clerk fills the form from the target.
    page = finance.open("/year/rounds/")
    page.get_by_label("类型").select_option("monitor")
    page.get_by_label("年度").fill("2026")
    page.get_by_label("名称").fill("2026年1-7月运行监控")
    page.get_by_label("监控截止月份").fill("7")
    page.get_by_label("截止日期").fill((datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="发起").click()
    page = clerk.open(f"/year/targets/{decl.pk}/")
    page.get_by_role("button", name="填报运行监控表：2026年1-7月运行监控").click()
    expect(page.locator("h1")).to_contain_text("1-7月")
    for label, value in (("调整后预算数", "20"), ("执行数", "5"), ("执行率", "25%"), ("全年预计执行数", "20")):
        page.get_by_label(f"年度资金总额 {label}").fill(value)
        page.get_by_label(f"其中：财政拨款 {label}").fill(value)
    # The M-checks run while typing, before anything is saved: a wrong rate is M01 at once.
    page.get_by_label("年度资金总额 执行率").fill("30%")
    expect(page.locator("#findings")).to_contain_text("M01")
    page.get_by_label("年度资金总额 执行率").fill("25%")
    expect(page.locator("#findings")).not_to_contain_text("M01")
    expect(page.locator("#findings")).to_contain_text("M04")
    for name in ("培训人民调解员人次", "培训考核合格率", "矛盾纠纷调解成功率", "参训调解员满意度"):
        page.get_by_label(f"{name} 完成目标可能性").select_option("确定能")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#findings")).to_contain_text("M04")
    clerk.shot("4-july-monitoring-m04")
    page.get_by_role("button", name="报送").click()
    expect(page.locator(".warnings")).to_contain_text("预算执行预警")

    # 5. The finance bureau sees the warning in its view; the clerk answers it.
    page = finance.open("/year/rounds/")
    page.get_by_role("link", name="监控预警").first.click()
    expect(page.locator("#warnings")).to_contain_text(PROJECT)
    finance.shot("5-finance-monitoring-view")
    page = clerk.open(f"/year/monitors/{decl.monitors.get().pk}/")
    page.get_by_label("处理方式").select_option("continue")
    page.get_by_label("说明").fill("培训集中在 9 月开展，届时支付。")
    page.get_by_role("button", name="答复").click()
    expect(page.locator(".warnings")).to_contain_text("继续执行")
    clerk.shot("6-warning-answered")

    # 6. After the year the self-evaluation opens with the approved indicators; a changed target gives Y01.
    page = clerk.open(f"/year/targets/{decl.pk}/")
    page.get_by_role("button", name="新建自评").click()
    expect(page.locator('input[name="ind-0-target"]')).to_have_value("≥300人次")
    page.locator('input[name="ind-0-target"]').fill("≥200人次")
    page.locator("#save").click()
    expect(page.get_by_text(f"已保存「{PROJECT}」")).to_be_visible()  # saved: the form's page after the redirect
    form = PerformanceForm.objects.get(project=PROJECT)
    assert form.findings.filter(code="Y01").exists()
    page = clerk.open(f"/year/project/{decl.pk}/")
    expect(page.locator(".findings")).to_contain_text("≥200人次")
    clerk.shot("7-self-evaluation-differs-from-target")

    # 7. Submitted, approved, re-checked and published (the review app's pages), then the public pages.
    page = clerk.open(f"/review/forms/{form.pk}/")
    page.get_by_label("提交说明").fill("年中调减培训规模，已报主管部门。")
    page.locator("#do-submit").click()
    expect(page.locator("#stage")).to_have_text("已提交")
    page = reviewer.open(f"/review/forms/{form.pk}/")
    page.get_by_label("审核意见", exact=True).fill("同意。")
    page.locator("#do-approve").click()
    expect(page.locator("#stage")).to_have_text("已审核")
    page = finance.open("/review/draws/")
    page.locator("#count").fill("1")
    page.locator("#seed").fill("20270331")
    page.locator("#do-draw").click()
    page.get_by_role("link", name=PROJECT).click()
    page.get_by_label("复核得分").fill("90")
    page.get_by_label("发现的问题").fill("培训人次目标与批复不一致。")
    page.locator("#do-recheck").click()
    expect(page.locator("#stage")).to_have_text("已复核")
    page.locator("#do-publish").click()
    expect(page.locator("#stage")).to_have_text("已公开")
    page = finance.open("/year/publication/")
    expect(page.locator("#publication-target")).to_contain_text(PROJECT)
    expect(page.locator("#publication-target")).to_contain_text("待公开")
    finance.shot("8a-disclosure-deadlines")
    page = finance.open(f"/year/targets/{decl.pk}/")
    page.get_by_role("button", name="随预算公开").click()
    visitor = Session(browser, base, None)
    page = visitor.open("/public/targets/")
    page.get_by_role("link", name=PROJECT).click()
    expect(page.locator(".year-paper")).to_contain_text("培训人民调解员人次")
    visitor.shot("8-public-target")
    page = visitor.open(f"/public/forms/{form.pk}/")
    expect(page.get_by_text(PROJECT).first).to_be_visible()
    visitor.shot("9-public-self-evaluation")
