"""A newcomer's walk through the demo of `make run` in a real browser, one role at a time: each starts from what
the demo's story left (jixiao/data/demo.toml), finds in its messages or its lists what waits for it, and takes
the next step there; every page on the way is in Chinese. The screenshots are the walk's record."""

from __future__ import annotations

import re

from web_helpers import SHOTS, login, require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

# What a page may show in Latin letters: file formats, the demo's user names, and identifiers with a digit or
# a hyphen (a profile's name such as local-2019, a finding's code such as A06).
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
ALLOWED = {"xlsx", "docx", "pdf", "PDF", "JSON", "Excel", "Word", "zip", "admin", "finance", "reviewer", "clerk", "clerk2"}


def english(page: Page) -> set[str]:
    """The words of the page's main part that are neither Chinese nor an allowed name or identifier."""
    text = page.locator("main").inner_text()
    return {w for w in LATIN.findall(text) if w not in ALLOWED and not re.search(r"[\d\-_.]", w) and len(w) > 1}


def step(page: Page, name: str) -> None:
    """A page of the walk: in Chinese, and kept as a screenshot."""
    assert english(page) == set(), page.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"demo-walk-{name}.png"), full_page=True)


def open_message(page: Page, text: str) -> None:
    page.get_by_role("link", name=re.compile("^消息")).click()
    expect(page.get_by_role("heading", name="消息")).to_be_visible()
    row = page.locator("tr", has_text=text).first
    expect(row).to_be_visible()
    row.get_by_role("button", name="查看").click()


def test_the_clerk_finds_the_returned_form_and_the_rectification_waiting(live_server, demo, page):
    login(page, live_server.url, "clerk")
    expect(page.locator("main")).to_contain_text("已退回")
    step(page, "clerk-1-forms")
    open_message(page, "被退回")
    returned = page.locator("#returned-comments")
    expect(returned).to_contain_text("请核对第1项指标的实际完成值")
    expect(returned).to_contain_text("实际完成值与佐证材料不一致")
    expect(page.get_by_role("button", name="提交审核")).to_be_visible()  # the next step, after editing
    step(page, "clerk-2-returned")
    open_message(page, "新的整改事项「偏差原因分析过于简略」")
    expect(page.locator("main")).to_contain_text("待整改")
    page.get_by_label(re.compile("整改措施")).fill("已补充偏差原因分析，详见附件。")
    page.get_by_role("button", name="提交整改情况").click()
    expect(page.locator("main")).to_contain_text("已反馈整改情况")
    step(page, "clerk-3-answered")


def test_clerk2_is_told_the_deadline_and_why_the_draft_cannot_go(live_server, demo, page):
    login(page, live_server.url, "clerk2")
    open_message(page, "截止")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="法律援助专项经费").click()
    expect(page.locator("main")).to_contain_text("A03")  # the error that keeps it a draft
    step(page, "clerk2-draft")


def test_the_reviewer_finds_two_forms_waiting_and_approves_one(live_server, demo, page):
    login(page, live_server.url, "reviewer")
    page.get_by_role("link", name="审核", exact=True).click()
    expect(page.locator("main")).to_contain_text("共 2 张表")
    step(page, "reviewer-1-queue")
    page.get_by_role("link", name="信息化建设").click()
    expect(page.locator("main")).to_contain_text("警告已逐条核对")  # the unit's explanation of its warnings
    step(page, "reviewer-2-form")
    page.locator("#do-approve").click()
    expect(page.locator("main")).to_contain_text("已审核")
    page.get_by_role("link", name="审核", exact=True).click()
    expect(page.locator("main")).to_contain_text("共 1 张表")
    page.get_by_role("link", name="总览", exact=True).click()
    step(page, "reviewer-3-overview")


def test_finance_decides_the_answer_publishes_the_rechecked_form_and_the_public_sees_it(live_server, demo, page):
    login(page, live_server.url, "finance")
    open_message(page, "反馈了整改事项")
    expect(page.locator("main")).to_contain_text("已补充第1项指标的佐证材料")
    step(page, "finance-1-answer")
    page.get_by_role("button", name="通过").click()
    expect(page.locator("main")).to_contain_text("已通过整改")
    page.get_by_role("link", name="审核", exact=True).click()
    expect(page.locator("main")).to_contain_text("部门整体")
    step(page, "finance-2-queue")
    page.get_by_label("状态").select_option(label="已复核")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("main")).to_contain_text("共 1 张表")
    page.get_by_role("link", name="社区矫正专项经费").click()
    expect(page.locator("main")).to_contain_text("部分指标的实际完成值缺少佐证材料")  # the re-check's problems
    page.locator("#do-publish").click()
    expect(page.locator("main")).to_contain_text("已公开")
    step(page, "finance-3-published")

    public = page.context.new_page()
    public.goto(f"{live_server.url}/public/")
    expect(public.locator("main")).to_contain_text("2019 年度（3 张）")
    public.get_by_role("link", name="2019 年度").click()
    public.get_by_role("link", name="鄂尔多斯市司法局").click()
    expect(public.locator("main")).to_contain_text("社区矫正专项经费")
    step(public, "public-1-department")
    public.goto(f"{live_server.url}/public/targets/")
    expect(public.locator("main")).to_contain_text("包联驻村专项经费")
    step(public, "public-2-targets")
