"""A newcomer's walk through the demo of `make run` in a real browser, one role at a time: each starts from what
the demo's story left (jixiao/data/demo.toml), finds in its messages or its lists what waits for it, and takes
the next step there; every page on the way is in Chinese. The screenshots are the walk's record."""

from __future__ import annotations

import re

from web_helpers import SHOTS, login, require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

# What a page may show in Latin letters: file formats by their common names (xlsx only on the indicator library's
# pages), the demo's user names, and identifiers with a digit or a hyphen (a finding's code such as A06).
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
ALLOWED = {"xlsx", "PDF", "JSON", "CSV", "Excel", "Word", "zip", "admin", "finance", "reviewer", "clerk", "clerk2"}


def english(page: Page) -> set[str]:
    """The words of the page's main part that are neither Chinese nor an allowed name or identifier."""
    text = page.locator("main").inner_text()
    return {w for w in LATIN.findall(text) if w not in ALLOWED and not re.search(r"[\d\-_.]", w) and len(w) > 1}


# What an official must not meet on a page: a profile's program name, a formula in code notation, a research tag
# of the rule files' sources.
CODES = re.compile(r"\b(?:local|mof|hebei|hubei|ningxia|noscore|sichuan|transfer|xianjie|yunnan|framework)-20\d\d\b"
                   r"|template-free|min\(|\[(?:K|V|V2|I)\]")


def step(page: Page, name: str) -> None:
    """A page of the walk: in Chinese, with no code an official would not read, and kept as a screenshot."""
    assert english(page) == set(), page.url
    titles = " ".join(page.locator("main [title]").evaluate_all("els => els.map(e => e.title)"))
    assert not CODES.search(page.locator("main").inner_text() + titles), (page.url, CODES.findall(
        page.locator("main").inner_text() + titles))
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
    open_message(page, "」被退回")
    expect(page.locator("main")).to_contain_text("评分规则：绩效目标自评表（2019年及以前地方模板）")
    fund = page.locator('[data-field="funds[0].score"] .computed')
    expect(fund).to_have_attribute("title", re.compile(r"^执行率 \d+\.\d\d%（(不超过 100%|超过 100% 按 100% 计)）× 分值 10 = "))
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


def test_the_administrator_finds_the_clerks_library_proposal_in_the_messages(live_server, demo, page):
    login(page, live_server.url, "admin")
    open_message(page, "申请入库指标「人民调解案件调解成功率」")
    expect(page.locator("main")).to_contain_text("人民调解案件调解成功率")
    step(page, "admin-1-library-proposal")


def test_the_reviewer_is_told_of_a_declaration_and_comments_on_a_cell_by_its_name(live_server, demo, page):
    login(page, live_server.url, "reviewer")
    open_message(page, "「法律顾问专项经费」等待主管部门审核")  # the one still waiting (demo.toml [year])
    expect(page.locator("#review-form")).to_be_visible()
    labels = page.locator("#review-form select[name=field] option").all_inner_texts()
    assert labels and not [x for x in labels if re.search(r"[a-z_]+(\[\d+\])?\.", x)], labels
    step(page, "reviewer-4-declaration")


def test_finance_reads_the_publication_deadlines_with_their_sources_in_words(live_server, demo, page):
    login(page, live_server.url, "finance")
    page.goto(f"{live_server.url}/year/publication/")
    expect(page.locator("main")).to_contain_text("依据：《预算法》第十四条")
    step(page, "finance-4-publication")
    public = page.context.new_page()
    public.goto(f"{live_server.url}/public/targets/")
    public.get_by_role("link", name="包联驻村专项经费").first.click()
    expect(public.locator("main")).to_contain_text("主管部门审核意见")
    assert "reviewer" not in public.locator("main").inner_text()
    step(public, "public-3-target")
