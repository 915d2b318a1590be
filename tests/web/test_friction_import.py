"""Issue 10's friction 6 on import: a form that cannot be replaced is said so on the preview, by name; a
confirmation that would fail names the form; an import with nothing to import cannot be confirmed; an
abandoned preview expires."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from web_helpers import SEED

from jixiao.web.forms import errors, imports
from jixiao.web.models import ImportJob, PerformanceForm
from jixiao.web.ops import jobs
from jixiao.web.review import workflow


def publish(project: str = "信息化建设") -> PerformanceForm:
    form = PerformanceForm.objects.get(project=project)
    workflow.transition(form, User.objects.get(username="clerk"), "submit", "已说明")
    workflow.transition(form, User.objects.get(username="reviewer"), "approve")
    return workflow.transition(form, User.objects.get(username="finance"), "publish")


def _admin() -> User:
    return User.objects.get(username="admin")


def test_the_preview_offers_no_replace_for_a_published_form_and_says_why(demo_drafts: Any, client: Any) -> None:
    published = publish()
    job = imports.start_import(_admin(), [("seed.txt", SEED.read_bytes())])
    row = next(r for r in job.preview if r["existing_id"] == published.pk)
    assert "「信息化建设」" in row["replace_error"] and "已公开" in row["replace_error"]
    assert "请财政局先撤销公开" in row["replace_error"]  # and what would let it be replaced
    client.force_login(_admin())
    page = client.get(f"/import/{job.pk}/").content.decode()
    cell = page.split(f"<td>{row['index']}</td>", 1)[1].split("</tr>", 1)[0]
    assert "不能替换" in cell and "已公开" in cell
    assert 'value="replace"' not in cell
    others = [r for r in job.preview if r["existing_id"] != published.pk]
    assert page.count('value="replace"> 替换') == len(others)  # the others can still be replaced


def test_a_confirm_that_fails_names_the_form_and_its_row(demo_drafts: Any, client: Any) -> None:
    job = imports.start_import(_admin(), [("seed.txt", SEED.read_bytes())])
    published = publish()  # after the preview: the preview offered the replacement
    row = next(r for r in job.preview if r["existing_id"] == published.pk)
    client.force_login(_admin())
    response = client.post(f"/import/{job.pk}/", {"existing": "replace"}, follow=True)
    text = response.content.decode()
    assert f"第 {row['index']} 张表「信息化建设」（seed.txt）不能导入" in text
    assert PerformanceForm.objects.get(pk=published.pk).version == published.version


def test_an_import_with_nothing_to_import_cannot_be_confirmed(demo_passwords: Any, client: Any) -> None:
    PerformanceForm.objects.all().delete()
    text = SEED.read_text(encoding="utf-8").replace("2019", "1980")  # every form's year is out of range
    job = imports.start_import(_admin(), [("seed.txt", text.encode("utf-8"))])
    assert job.preview and all(r["error"] for r in job.preview)
    client.force_login(_admin())
    page = client.get(f"/import/{job.pk}/").content.decode()
    assert 'id="confirm-import" disabled' in page and "没有可导入的表" in page
    with pytest.raises(errors.ServiceError, match="没有可导入的表"):
        imports.confirm_import(_admin(), job, {})
    response = client.post(f"/import/{job.pk}/", {}, follow=True)
    assert "没有可导入的表" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and PerformanceForm.objects.count() == 0


def test_skipping_every_form_is_refused_too(demo_passwords: Any) -> None:
    job = imports.start_import(_admin(), [("seed.txt", SEED.read_bytes())])  # every form exists already
    with pytest.raises(errors.ServiceError, match="没有可导入的表"):
        imports.confirm_import(_admin(), job, {r["index"]: "skip" for r in job.preview})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY  # it can still be decided again


def test_an_abandoned_preview_expires_in_the_sweep_and_says_so(demo_passwords: Any, client: Any) -> None:
    PerformanceForm.objects.all().delete()
    job = imports.start_import(_admin(), [("seed.txt", SEED.read_bytes())])
    fresh = imports.start_import(_admin(), [("seed.txt", SEED.read_bytes())])
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=settings.JIXIAO_PREVIEW_HOURS, minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(updated=old)
    jobs.sweep()
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert (job.status, fresh.status) == (ImportJob.Status.EXPIRED, ImportJob.Status.READY)
    assert not (Path(settings.UPLOAD_DIR) / str(job.pk)).exists()
    with pytest.raises(errors.ServiceError, match="已过期"):
        imports.confirm_import(_admin(), job, {})
    client.force_login(_admin())
    assert "已过期" in client.get(f"/import/{job.pk}/").content.decode()
    listed = client.get("/import/").content.decode()
    assert "<td>已过期</td>" in listed and PerformanceForm.objects.count() == 0


def test_a_preview_expires_when_opened_even_without_a_worker(demo_passwords: Any, client: Any, settings: Any) -> None:
    job = imports.start_import(_admin(), [("seed.txt", SEED.read_bytes())])
    settings.JIXIAO_PREVIEW_HOURS = 0
    client.force_login(_admin())
    page = client.get(f"/import/{job.pk}/").content.decode()
    assert 'id="import-expired"' in page and 'id="confirm-import"' not in page
