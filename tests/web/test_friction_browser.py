"""Issue 10's friction list, tried in a real browser as the person who met it (friction 3, 5, 1, 9…)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web_helpers import PASSWORD, SHOTS, launched_browser, login, require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_browser()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db: Any) -> None:
    from jixiao.web.demo import load_demo

    load_demo(dict.fromkeys(("admin", "finance", "reviewer", "clerk", "clerk2"), PASSWORD))


def _clerks_form(project: str = "信息化建设") -> Any:
    from jixiao.web.models import PerformanceForm

    return PerformanceForm.objects.get(project=project)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"friction-{name}.png"), full_page=True)


def test_negative_spending_is_refused_next_to_the_field(live_server, demo, page):
    form = _clerks_form()
    login(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/forms/{form.pk}/edit/")
    page.locator("[name=fund-1-executed]").fill("-5")
    page.get_by_role("button", name="保存").click()
    error = page.locator("[name=fund-1-executed] ~ .field-error")
    expect(error).to_contain_text("不能为负数")
    shot(page, "3-negative-spending")
    assert _clerks_form().version == form.version  # nothing saved


def test_a_total_over_full_marks_gets_no_grade(live_server, demo, page):
    form = _clerks_form()
    login(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/forms/{form.pk}/edit/")
    expect(page.locator("#live-grade")).not_to_have_text("–")
    page.locator("[name=ind-0-weight]").fill("60")  # the weights now add up to more than 100: A05
    expect(page.locator("#live-grade")).to_contain_text("未评级")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#grade")).to_contain_text("未评级")
    assert _clerks_form().grade == ""
