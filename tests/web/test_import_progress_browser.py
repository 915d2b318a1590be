"""The import progress page in a browser: a batch read in the background, its figures (files, forms,
errors, unreadable files) changing on the page as import.js polls, without a reload, until the preview.

The background reader is the test itself: the upload's task goes to a backend that only records it,
and the test runs the reading (imports.run_import_preview) with a stop before each file, where it
looks at the page the browser shows.
"""

from __future__ import annotations

from typing import Any

import pytest
from web_helpers import SEED, login, require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

from jixiao import services  # noqa: E402
from jixiao.web.forms import imports  # noqa: E402
from jixiao.web.models import ImportJob  # noqa: E402


@pytest.fixture
def queued_only(settings: Any) -> None:
    settings.JIXIAO_BACKGROUND_IMPORT_BYTES = 1  # every upload is read in the background
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # and nobody reads it


def test_the_progress_figures_change_without_a_reload_and_end_in_the_preview(
    live_server: Any, demo: None, queued_only: None, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/import/")
    seed = SEED.read_bytes()
    page.get_by_label("选择文件").set_input_files([
        {"name": "a.txt", "mimeType": "text/plain", "buffer": seed},
        {"name": "broken.docx", "mimeType": "application/octet-stream", "buffer": b"not a docx"},
        {"name": "b.txt", "mimeType": "text/plain", "buffer": seed},
    ])
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("#progress")).to_be_visible()
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.PENDING  # queued, not read yet
    expect(page.locator("#progress-files")).to_have_text("0/3")
    page.evaluate("window.notReloaded = true")  # gone if the page is loaded again

    seen: list[dict[str, str]] = []
    real = services._forms_of

    def reading(name: str, data: bytes) -> Any:
        """Before each file is read: the page shows the files read so far, as the status says."""
        status = ImportJob.objects.get(pk=job.pk)
        reading = (status.result or {}).get("reading", {"forms": 0, "errors": 0, "problems": 0})
        expect(page.locator("#progress-files")).to_have_text(f"{status.done}/{status.total}")
        expect(page.locator("#progress-forms")).to_have_text(str(reading["forms"]))
        expect(page.locator("#progress-errors")).to_have_text(str(reading["errors"]))
        expect(page.locator("#progress-problems")).to_have_text(str(reading["problems"]))
        assert page.evaluate("window.notReloaded === true"), "the page was reloaded to show the progress"
        seen.append({k: page.locator(f"#progress-{k}").inner_text() for k in ("files", "forms", "errors", "problems")})
        return real(name, data)

    monkeypatch.setattr(services, "_forms_of", reading)
    imports.run_import_preview(job.pk)

    first, second, third = seen
    assert (first["files"], first["forms"], first["problems"]) == ("0/3", "0", "0")
    assert (second["files"], second["forms"], second["problems"]) == ("1/3", "11", "0")
    assert int(second["errors"]) > 0  # the seed's forms carry errors
    assert (third["files"], third["forms"], third["errors"], third["problems"]) == ("2/3", "11", second["errors"], "1")

    expect(page.locator("#import-summary")).to_contain_text("共找到 22 张表")  # reloaded once, when done
    expect(page.locator("#progress")).to_have_count(0)
    expect(page.locator("ul.problems")).to_contain_text("broken.docx")
    expect(page.locator("tr.preview-form")).to_have_count(22)
