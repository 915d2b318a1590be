"""Browser tests (Playwright in Debian's chromium) against a live server, with a screenshot of each step.

Screenshots go to artifacts/screenshots/ (kept by CI). The browser is never downloaded: it is
/usr/bin/chromium, installed by .ci/run; without it these tests are skipped, unless
JIXIAO_REQUIRE_BROWSER=1 (as in CI), where its absence is a failure.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from web_helpers import PASSWORD, SEED, SHOTS, login, require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402


def shot(page: Page, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def demo_without_forms(transactional_db: Any) -> None:
    from jixiao.web.demo import load_accounts, load_orgs

    load_accounts(load_orgs(), dict.fromkeys(("admin", "finance", "reviewer", "clerk", "clerk2"), PASSWORD))


def test_log_in_create_a_form_watch_the_score_and_a_finding_change_and_save(live_server, demo, page):
    base = live_server.url
    login(page, base, "clerk")
    expect(page.get_by_text("共 10 张表")).to_be_visible()
    shot(page, "01-list-clerk")

    page.get_by_role("link", name="新建表单").click()
    page.get_by_label("项目名称", exact=True).fill("社区法律服务培训")
    page.get_by_label("年度", exact=True).fill("2024")
    page.get_by_label("自评", exact=True).check()
    page.locator("[name=fund-0-annual]").fill("20")
    page.locator("[name=fund-1-annual]").fill("20")
    page.locator("[name=fund-1-executed]").fill("18")
    shot(page, "02-new-form")

    first = page.locator("#indicators tbody tr").first
    first.get_by_label("二级指标").fill("数量指标")
    first.get_by_label("三级指标").fill("培训人次")
    first.get_by_label("分值", exact=True).fill("50")
    first.get_by_label("年度指标值").fill("≥100人次")
    first.get_by_label("实际完成值").fill("100人次")
    first.get_by_label("得分", exact=True).fill("50")
    expect(first.locator("[data-computed-score]")).to_have_text("50")
    total_before = page.locator("#live-total").inner_text()
    expect(page.locator("#live-findings li[data-code=R03]")).to_have_count(0)
    shot(page, "03-typing-target-met")

    first.get_by_label("实际完成值").fill("80人次")  # target missed, the printed score still full
    expect(first.locator("[data-computed-score]")).to_have_text("40")
    expect(page.locator("#live-total")).not_to_have_text(total_before)
    expect(page.locator("#live-findings li[data-code=R03]")).to_have_count(1)
    expect(first.get_by_label("得分", exact=True)).to_have_class(re.compile(r"mark-warning"))
    shot(page, "04-typing-target-missed-finding", full_page=True)

    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存「社区法律服务培训」")).to_be_visible()
    expect(page.locator(".paper-title")).to_be_visible()
    shot(page, "05-saved-detail", full_page=True)

    from jixiao.web.models import PerformanceForm

    stored = PerformanceForm.objects.get(project="社区法律服务培训")
    assert (stored.year, stored.unit.name, stored.phase) == (2024, "鄂尔多斯市司法局", "self")
    assert stored.findings.filter(code="R03").exists()


def test_upload_the_seed_and_see_eleven_forms_with_their_findings(live_server, demo_without_forms, page):
    base = live_server.url
    login(page, base, "admin")
    page.get_by_role("link", name="导入文件").click()
    page.get_by_label("选择文件").set_input_files(str(SEED))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("tr.preview-form")).to_have_count(11)
    expect(page.locator("#import-summary")).to_contain_text("共找到 11 张表")
    page.locator("tr.preview-form").nth(3).locator("summary").click()
    expect(page.locator("tr.preview-form").nth(3)).to_contain_text("A03")
    shot(page, "06-import-preview", full_page=True)

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("共 11 张表")).to_be_visible()
    expect(page.locator("td.counts .sev-error")).to_have_count(3)  # forms 4, 5 and 9 have errors
    shot(page, "07-list-after-import", full_page=True)

    page.get_by_role("link", name="法律援助专项经费").click()
    expect(page.locator(".badge", has_text="A03")).to_be_visible()
    shot(page, "08-detail-with-findings", full_page=True)


def test_export_a_pdf_and_check_its_text(live_server, demo, page, tmp_path):
    import pdfplumber

    base = live_server.url
    login(page, base, "reviewer")
    page.get_by_role("link", name="法律援助专项经费").click()
    shot(page, "09-detail-before-export")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 pdf").click()
    path = tmp_path / "form.pdf"
    download.value.save_as(path)
    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "法律援助专项经费" in text
    assert "鄂尔多斯市法律援助中心" in text


def test_indicator_rows_are_added_moved_and_removed_with_the_scores_following(live_server, demo_drafts_live, page):
    from jixiao.web.models import PerformanceForm

    form = PerformanceForm.objects.get(project="包联驻村专项经费")
    names = [i["name"] for i in form.record["indicators"]]
    login(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/forms/{form.pk}/edit/")
    rows = page.locator("#indicators tbody tr")
    expect(rows).to_have_count(len(names))
    expect(rows.nth(1).locator("[data-computed-score]")).to_have_text("24")  # 质量 96 ÷ 100 × 25

    rows.nth(1).get_by_role("button", name="下移").click()  # 质量 moves to third place, its score with it
    expect(rows.nth(2).get_by_label("三级指标")).to_have_value(names[1])
    expect(rows.nth(2).locator("[data-computed-score]")).to_have_text("24")
    expect(rows.nth(1).locator("[data-computed-score]")).to_have_text("25")

    rows.nth(0).get_by_role("button", name="删除此行").click()  # weights now sum to 75: A05
    expect(rows).to_have_count(len(names) - 1)
    expect(page.locator("#live-findings li[data-code=A05]")).not_to_have_count(0)

    page.get_by_role("button", name="添加指标").click()
    expect(rows).to_have_count(len(names))
    last = rows.nth(len(names) - 1)
    expect(last.get_by_label("三级指标")).to_be_focused()
    expect(last.get_by_label("一级指标")).to_have_value(form.record["indicators"][3]["level1"])  # copied from above
    last.get_by_label("一级指标").fill("产出指标")
    last.get_by_label("二级指标").fill("数量指标")
    last.get_by_label("三级指标").fill("新增指标")
    last.get_by_label("分值", exact=True).fill("25")
    last.get_by_label("年度指标值").fill("≥1")
    last.get_by_label("实际完成值").fill("1")
    last.get_by_label("得分", exact=True).fill("25")
    expect(last.locator("[data-computed-score]")).to_have_text("25")
    expect(page.locator("#live-findings li[data-code=A05]")).to_have_count(0)
    shot(page, "10-rows-moved-removed-added", full_page=True)

    page.get_by_role("button", name="保存").click()
    expect(page.locator(".paper-title")).to_be_visible()
    form.refresh_from_db()
    assert [i["name"] for i in form.record["indicators"]] == [names[2], names[1], names[3], "新增指标"]
    assert form.version == 2
