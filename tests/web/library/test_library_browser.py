"""The library in a real browser: typing a level-3 name in the editor offers entries; picking one fills the row
and the row shows its peers' targets. Screenshots in artifacts/screenshots/ (copied to docs/screenshots/)."""

from __future__ import annotations

from typing import Any

import pytest
from web_helpers import PASSWORD, SHOTS, require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 1440, "height": 900}


@pytest.fixture
def demo(transactional_db: Any) -> None:
    from jixiao.web.demo import load_demo

    load_demo(dict.fromkeys(("admin", "finance", "reviewer", "clerk", "clerk2"), PASSWORD), library_history=True)


def test_type_a_name_pick_a_suggestion_see_the_row_filled_and_the_peers(live_server: Any, demo: None,
                                                                          page: Page) -> None:
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="绩效自评表")).to_be_visible()
    page.goto(f"{base}/forms/new/")
    page.get_by_label("目标申报", exact=True).check()
    page.get_by_label("项目名称", exact=True).fill("人民调解、人民监督员专项经费")
    page.get_by_label("年度", exact=True).fill("2020")
    row = page.locator("#indicators tbody tr").first
    row.get_by_label("三级指标").press_sequentially("满意", delay=60)
    options = page.locator(".library-suggest [role=option]")
    expect(options.first).to_be_visible()
    choice = page.locator(".library-suggest [role=option][data-code=GX-MYD-001]")
    expect(choice).to_contain_text("同类目标中位数")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "library-suggestions.png"))

    choice.click()
    expect(row.get_by_label("三级指标")).to_have_value("服务对象满意度")
    expect(row.get_by_label("一级指标")).to_have_value("满意度指标")
    expect(row.get_by_label("二级指标")).to_have_value("服务对象满意度指标")
    from jixiao.web.library.models import Entry

    median = Entry.objects.get(code="GX-MYD-001").median_target  # the peers' median, as the suggestion showed it
    assert median.endswith("%")
    expect(row.get_by_label("年度指标值")).to_have_value("≥" + median)
    note = row.locator(".library-compare")
    expect(note).to_contain_text("指标库 GX-MYD-001")
    expect(note).to_contain_text("个单位目标中位数")
    expect(note).to_contain_text("本单位 2019 年")
    page.screenshot(path=str(SHOTS / "library-row-filled-with-peers.png"))

    page.goto(f"{base}/library/entries/GX-MYD-001/")
    expect(page.locator("svg.bench-chart circle").first).to_be_attached()
    page.screenshot(path=str(SHOTS / "library-benchmark.png"), full_page=True)
