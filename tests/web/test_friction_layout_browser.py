"""Issue 10's friction 12 in a real browser: at 125 % Windows scaling (a viewport about 1,093 px wide) the
editor shows every indicator name whole and the reason (原因) as a box of several lines that grows."""

from __future__ import annotations

import contextlib

import pytest
from web_helpers import SHOTS, login, require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

# What each field of an indicator row holds that is a name a person must read whole.
NAMES = ("level1", "level2", "name")


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 1093, "height": 700}


CLIPPED = """els => els
    .filter(el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
    .map(el => el.value)"""


def _clipped(page: Page, selector: str) -> list[str]:
    """The values of the fields matching `selector` whose text does not fit their box, once the page has
    settled (the library's hints appear in the rows a moment after a change and narrow the columns)."""
    from playwright.sync_api import Error

    with contextlib.suppress(Error):  # still clipped after the wait: the caller's assertion names them
        page.wait_for_function(f"() => ({CLIPPED})(Array.from(document.querySelectorAll({selector!r}))).length === 0",
                               timeout=3_000)
    return page.eval_on_selector_all(selector, CLIPPED)


def test_at_125_percent_the_editor_shows_whole_names_and_a_growing_reason(live_server, demo_drafts_live, page):
    from jixiao.web.models import PerformanceForm

    form = PerformanceForm.objects.get(project="信息化建设")
    login(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/forms/{form.pk}/edit/")
    first = page.locator("[name=ind-0-name]")
    first.fill("系统运行维护及网络安全等级保护测评完成率（含核心业务系统和门户网站）")
    selector = ", ".join(f"#indicators [name$='-{n}']" for n in NAMES)
    assert page.locator(selector).count() == len(NAMES) * len(form.record["indicators"])
    assert _clipped(page, selector) == []
    reason = page.locator("[name=ind-0-reason]")
    assert reason.evaluate("el => el.tagName") == "TEXTAREA"
    one_line = reason.evaluate("el => el.clientHeight")
    reason.fill("受疫情影响，部分设备采购推迟到下一年度；已与供应商签订补充协议，"
                "计划于次年第一季度完成安装调试，并加强项目进度跟踪和资金执行监控。")
    assert reason.evaluate("el => el.clientHeight") > one_line  # it grew with the text
    assert _clipped(page, "#indicators [name$='-reason']") == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "friction-12-editor-at-1093.png"), full_page=True)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#grade")).to_be_visible()
    record = PerformanceForm.objects.get(pk=form.pk).record
    assert record["indicators"][0]["reason"].startswith("受疫情影响")
    assert record["indicators"][0]["name"].startswith("系统运行维护")
