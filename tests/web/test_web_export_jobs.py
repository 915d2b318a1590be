"""A batch export runs as a background task: the job's progress, its zip, its download, its end."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jixiao.web.batch.models import ExportJob
from jixiao.web.forms import exports
from jixiao.web.ops import jobs


def _start(web_cast, capture, fmt: str = "pdf", execute: bool = True, who: str = "reviewer"):
    client = web_cast.client(who)
    with capture(execute=execute):
        response = client.post("/forms/export.zip", {"ids": [web_cast.form_b.pk, web_cast.form_a.pk], "format": fmt})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response.headers["Location"] == f"/forms/exports/{job.pk}/"
    return client, job


def test_the_job_writes_a_zip_of_the_chosen_forms(web_cast, django_capture_on_commit_callbacks):
    client, job = _start(web_cast, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (ExportJob.Status.DONE, 2, 2)
    response = client.get(f"/forms/exports/{job.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == sorted([exports.export_filename(web_cast.form_b, "pdf"),
                                                 exports.export_filename(web_cast.form_a, "pdf")])
    assert all(archive.read(name).startswith(b"%PDF-") for name in archive.namelist())


def test_the_progress_endpoint_follows_the_forms_written(web_cast, django_capture_on_commit_callbacks, monkeypatch):
    client, job = _start(web_cast, django_capture_on_commit_callbacks, fmt="xlsx", execute=False)
    status = client.get(f"/forms/exports/{job.pk}/status/").json()
    assert (status["status"], status["label"], status["done"], status["total"], status["download"]) == (
        "pending", "排队中", 0, 2, "")
    seen = []
    export_forms = exports.export_forms

    def watched(forms, fmt):
        seen.append(client.get(f"/forms/exports/{job.pk}/status/").json())
        return export_forms(forms, fmt)

    monkeypatch.setattr(exports, "export_forms", watched)
    exports.write_export(job.pk)
    assert [(s["status"], s["done"], s["progress"]) for s in seen] == [("running", 0, 0), ("running", 1, 50)]
    status = client.get(f"/forms/exports/{job.pk}/status/").json()
    assert (status["status"], status["done"], status["progress"]) == ("done", 2, 100)
    assert status["download"] == f"/forms/exports/{job.pk}/download/"


def test_the_page_shows_the_progress_and_then_the_link(web_cast, django_capture_on_commit_callbacks):
    client, job = _start(web_cast, django_capture_on_commit_callbacks, execute=False)
    page = client.get(f"/forms/exports/{job.pk}/").content.decode()
    assert f'data-status-url="/forms/exports/{job.pk}/status/"' in page and "0/2 · 排队中" in page
    assert 'id="export-ready" hidden' in page and "jixiao/export.js" in page
    exports.write_export(job.pk)
    page = client.get(f"/forms/exports/{job.pk}/").content.decode()
    assert 'id="export-ready">' in page and "2/2 · 已完成" in page


def test_another_user_neither_sees_nor_downloads_an_export(web_cast, django_capture_on_commit_callbacks):
    _, job = _start(web_cast, django_capture_on_commit_callbacks)
    other = web_cast.client("finance")
    for url in (f"/forms/exports/{job.pk}/", f"/forms/exports/{job.pk}/status/", f"/forms/exports/{job.pk}/download/"):
        assert other.get(url).status_code == 404


def test_a_form_the_user_can_no_longer_see_is_left_out(web_cast, django_capture_on_commit_callbacks):
    _, job = _start(web_cast, django_capture_on_commit_callbacks, execute=False, who="clerk_a")
    job.form_ids = [web_cast.form_a.pk, web_cast.form_b.pk]  # form B is unit B's: not clerk_a's to see
    job.save()
    exports.write_export(job.pk)
    job.refresh_from_db()
    assert job.total == 1
    assert zipfile.ZipFile(job.file).namelist() == [exports.export_filename(web_cast.form_a, "pdf")]


def test_the_sweep_removes_an_export_kept_past_its_time(web_cast, django_capture_on_commit_callbacks, settings):
    client, job = _start(web_cast, django_capture_on_commit_callbacks, fmt="xlsx")
    job.refresh_from_db()
    kept = Path(job.file)
    jobs.sweep()
    assert kept.is_file()  # still within its time
    ExportJob.objects.filter(pk=job.pk).update(
        finished=timezone.now() - timedelta(hours=settings.JIXIAO_EXPORT_KEEP_HOURS, minutes=1))
    jobs.sweep()
    assert not kept.exists()
    assert client.get(f"/forms/exports/{job.pk}/status/").json()["status"] == "expired"
    response = client.get(f"/forms/exports/{job.pk}/download/")
    assert response.status_code == 404 and "重新导出" in response.content.decode()


def test_an_export_whose_writer_died_shows_as_failed(web_cast, django_capture_on_commit_callbacks, settings):
    client, job = _start(web_cast, django_capture_on_commit_callbacks, execute=False)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING,
        heartbeat=timezone.now() - timedelta(seconds=settings.JIXIAO_JOB_STALE_SECONDS + 1))
    status = client.get(f"/forms/exports/{job.pk}/status/").json()
    assert status["status"] == "failed" and "导出中断" in status["error"]


@pytest.mark.parametrize("fmt", ["html", "exe"])
def test_an_unknown_format_is_refused_before_any_job(web_cast, fmt):
    response = web_cast.client("reviewer").post("/forms/export.zip", {"ids": [web_cast.form_a.pk], "format": fmt})
    assert response.status_code == 400 and "不支持的导出格式" in response.content.decode()
    assert not ExportJob.objects.exists()
