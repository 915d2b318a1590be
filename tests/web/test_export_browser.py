"""Browser test of a batch export: choose forms, watch the background job's progress, download the zip."""

from __future__ import annotations

import zipfile

from web_helpers import SHOTS, login, require_browser

require_browser()

from playwright.sync_api import expect  # noqa: E402


def test_a_batch_export_shows_its_progress_and_then_downloads(live_server, demo_drafts_live, page, settings, tmp_path):
    from jixiao.web.batch.models import ExportJob
    from jixiao.web.forms import exports

    # Queued and left there, so that the page is seen waiting; the test then runs the job as the worker would.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    login(page, live_server.url, "reviewer")
    rows = page.locator("table.list tbody tr")
    projects = [rows.nth(n).locator("td").nth(2).inner_text().strip() for n in range(3)]
    for n in range(3):
        rows.nth(n).locator("input[type=checkbox]").check()
    page.get_by_label("勾选的表导出为").select_option("pdf")
    page.get_by_role("button", name="打包下载 zip").click()

    expect(page.get_by_role("heading", name="批量导出")).to_be_visible()
    expect(page.locator("#export-progress-text")).to_have_text("0/3 · 排队中")
    expect(page.locator("#export-download")).to_be_hidden()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "export-01-queued.png"))

    exports.write_export(ExportJob.objects.get().pk)
    expect(page.locator("#export-progress-text")).to_have_text("3/3 · 已完成")  # the page polled the job
    expect(page.locator("progress")).to_have_attribute("value", "100")
    expect(page.locator("#export-waiting")).to_be_hidden()
    expect(page.locator("#export-error")).to_be_hidden()
    page.screenshot(path=str(SHOTS / "export-02-done.png"))
    with page.expect_download() as download:
        page.locator("#export-download").click()
    assert download.value.suggested_filename == "绩效自评表.zip"
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    names = zipfile.ZipFile(path).namelist()
    assert len(names) == 3 and all(n.endswith(".pdf") for n in names)
    assert sorted(p for p in projects if any(p in n for n in names)) == sorted(projects)
