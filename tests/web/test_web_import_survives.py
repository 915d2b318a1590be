"""Issue 16 points 4, 5, 8 and 9 on imports: a preview of any size can be confirmed, a replace over a
form saved after the preview is refused and reported, a reader killed mid-way is detected (heartbeat)
and its job retried or cancelled, old uploads are swept, and uploads stream to disk."""

from __future__ import annotations

import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from web_helpers import SEED

from jixiao.web.forms import imports, store
from jixiao.web.models import ImportJob, PerformanceForm
from jixiao.web.ops import jobs


@pytest.fixture
def admin(demo_drafts, django_user_model):
    """The demo's admin, its forms all drafts: an import may replace every one of them."""
    return django_user_model.objects.get(username="admin")


def _big_preview(admin, copies: int) -> ImportJob:
    """A ready job whose preview lists `copies` forms, each matching a stored one (the seed's, replicated)."""
    job = imports.start_import(admin, [("seed.txt", SEED.read_bytes())])
    rows = []
    for n in range(copies):
        row = job.preview[n % len(job.preview)]
        record = dict(row["record"], goals={**row["record"]["goals"], "achieved": f"导入的完成情况 {n}"})
        rows.append(dict(row, index=n + 1, record=record))  # differs from the stored form: a replace saves
    job.preview = rows
    job.save(update_fields=["preview"])
    return job


def test_a_preview_of_more_than_1000_forms_is_confirmed_as_the_page_posts_it(admin, client):
    job = _big_preview(admin, 1100)
    assert all(r["existing_id"] for r in job.preview)
    client.force_login(admin)
    page = client.get(f"/import/{job.pk}/").content.decode()
    named = set(re.findall(r'<(?:input|select)[^>]* name="([^"]+)"(?![^>]*form="none")', page))
    assert len(named) < 50  # what a browser posts: a few fields, not one per form
    before = {f.pk: f.version for f in PerformanceForm.objects.all()}
    response = client.post(f"/import/{job.pk}/", {"existing": "skip", "decisions": "1:replace,2:skip"})
    assert response.status_code == 302, response.content.decode()[:500]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert len(job.result["replaced"]) == 1 and len(job.result["skipped"]) == 1099
    changed = [pk for pk, version in before.items() if PerformanceForm.objects.get(pk=pk).version != version]
    assert changed == [job.preview[0]["existing_id"]]


def test_a_replace_over_a_form_saved_after_the_preview_is_refused_and_reported(admin, client):
    job = imports.start_import(admin, [("seed.txt", SEED.read_bytes())])
    third = PerformanceForm.objects.get(pk=job.preview[2]["existing_id"])
    store.save_form(admin, dict(third.record, goals={**third.record["goals"], "achieved": "预览之后改的"}),
                    form=third, version=third.version)
    saved = PerformanceForm.objects.get(pk=third.pk)
    client.force_login(admin)
    for row in job.preview:  # the file says something else than the stored forms: a replace would save
        row["record"]["goals"]["achieved"] = "文件中的完成情况"
    job.save(update_fields=["preview"])
    response = client.post(f"/import/{job.pk}/", {"existing": "replace"}, follow=True)
    page = response.content.decode()
    assert "未替换 1 张" in page and f"第 3 张「{third.project}」" in page
    job.refresh_from_db()
    assert job.result["conflicts"] == [3] and len(job.result["replaced"]) == 10
    assert PerformanceForm.objects.get(pk=third.pk).version == saved.version  # that save stands


def _killed_mid_read(admin, settings, django_capture_on_commit_callbacks) -> ImportJob:
    """A background import whose worker died while reading (the state kill -9 leaves behind)."""
    settings.JIXIAO_BACKGROUND_IMPORT_BYTES = 10
    with django_capture_on_commit_callbacks(execute=False):
        job = imports.start_import(admin, [("seed.txt", SEED.read_bytes())])
    long_ago = timezone.now() - timedelta(seconds=settings.JIXIAO_JOB_STALE_SECONDS + 5)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.READING, heartbeat=long_ago, done=0)
    return job


def test_a_job_whose_reader_was_killed_is_shown_as_interrupted_and_can_be_retried(
        admin, client, settings, django_capture_on_commit_callbacks):
    job = _killed_mid_read(admin, settings, django_capture_on_commit_callbacks)
    client.force_login(admin)
    status = client.get(f"/import/{job.pk}/status/").json()
    assert status["status"] == "failed" and "读取中断" in status["error"]
    assert "重试" in client.get(f"/import/{job.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/import/{job.pk}/", {"retry": "1"}).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempt, len(job.preview)) == (ImportJob.Status.READY, 1, 11)


def test_a_killed_readers_late_writes_are_ignored_after_a_retry(admin, settings, django_capture_on_commit_callbacks):
    job = _killed_mid_read(admin, settings, django_capture_on_commit_callbacks)
    jobs.mark_stale()
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        assert jobs.retry(job, imports.read_import)
    imports.run_import_preview(job.pk, attempt=0)  # the old reader wakes up: not its job any more
    job.refresh_from_db()
    assert (job.status, job.preview) == (ImportJob.Status.PENDING, [])
    imports.run_import_preview(job.pk, attempt=1)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY


def test_a_stuck_job_can_be_cancelled_and_its_files_go(admin, client, settings, django_capture_on_commit_callbacks):
    job = _killed_mid_read(admin, settings, django_capture_on_commit_callbacks)
    folder = Path(settings.UPLOAD_DIR) / str(job.pk)
    assert folder.exists()
    client.force_login(admin)
    assert client.post(f"/import/{job.pk}/cancel/").status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and not folder.exists()
    imports.run_import_preview(job.pk)  # a reader that was only slow writes nothing now
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED


@pytest.mark.django_db(transaction=True)  # the heartbeat thread writes on its own connection
def test_the_reader_beats_while_it_reads(django_user_model, settings):
    settings.JIXIAO_JOB_HEARTBEAT_SECONDS = 0.05
    user = django_user_model.objects.create_user("reader")
    job = ImportJob.objects.create(user=user, status=ImportJob.Status.READING)
    with jobs.heartbeat(job.pk, 0):
        time.sleep(0.3)
    job.refresh_from_db()
    assert job.heartbeat is not None and timezone.now() - job.heartbeat < timedelta(seconds=5)


def test_the_sweep_removes_old_uploads_but_not_those_being_read(admin, settings):
    done = imports.start_import(admin, [("seed.txt", SEED.read_bytes())])
    reading = ImportJob.objects.create(user=admin, status=ImportJob.Status.READING, heartbeat=timezone.now())
    root = Path(settings.UPLOAD_DIR)
    for pk in (done.pk, reading.pk, 999999):
        (root / str(pk)).mkdir(parents=True, exist_ok=True)
        old = time.time() - (settings.JIXIAO_UPLOAD_MAX_AGE_HOURS + 1) * 3600
        os.utime(root / str(pk), (old, old))
    removed, _ = jobs.sweep()
    assert removed == 2
    assert not (root / str(done.pk)).exists() and not (root / "999999").exists()
    assert (root / str(reading.pk)).exists()


def test_uploads_stream_to_disk_and_are_never_read_whole(admin, client, monkeypatch, settings):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    assert settings.FILE_UPLOAD_HANDLERS == ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]

    def chunk_reads_only(upload):
        def read(size=-1):
            if size is None or size < 0:
                raise AssertionError("an upload was read whole into memory")
            return upload.file.read(size)  # a chunk

        return read

    monkeypatch.setattr(TemporaryUploadedFile, "read", property(chunk_reads_only))
    client.force_login(admin)
    response = client.post("/import/", {"files": [SimpleUploadedFile("seed.txt", SEED.read_bytes())]})
    assert response.status_code == 302
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.READY and len(job.preview) == 11


def test_an_upload_over_the_limit_is_refused_with_the_limit(admin, client, settings):
    settings.JIXIAO_MAX_UPLOAD_BYTES = 1000
    client.force_login(admin)
    response = client.post("/import/", {"files": [SimpleUploadedFile("seed.txt", SEED.read_bytes())]})
    assert response.status_code == 413 and "上限" in response.content.decode()
