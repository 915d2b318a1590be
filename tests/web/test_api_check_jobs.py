"""Issue 16: /api/check of a file over JIXIAO_CHECK_MAX_BYTES is not refused (it was a 413) but queued
as a background task: 202 with the job's URL, then the job's URL gives what the synchronous check gives,
to the user (or token owner) who sent it only."""

from __future__ import annotations

import contextlib
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from web_helpers import SEED

from jixiao.web.batch import checks
from jixiao.web.batch.models import CheckJob


def _send(client, settings, limit: int):
    settings.JIXIAO_CHECK_MAX_BYTES = limit
    return client.post("/api/check", {"file": SimpleUploadedFile("seed.txt", SEED.read_bytes())})


def test_a_large_file_is_queued_and_its_result_is_the_synchronous_check(web_cast, settings, tmp_path,
                                                                         django_capture_on_commit_callbacks):
    settings.UPLOAD_DIR = str(tmp_path)
    owner = web_cast.token_client("outsider")
    expected = _send(owner, settings, 10**9)  # small enough to check in the request
    assert expected.status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as queued:
        accepted = _send(owner, settings, 1000)
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["status"] == "pending" and accepted["Location"] == body["url"]
    assert len(queued) == 1  # the task is enqueued when the request's transaction commits
    waiting = owner.get(body["url"])
    assert waiting.status_code == 202 and waiting.json()["status"] == "pending"
    checks.run_check(body["id"])  # what the worker runs
    done = owner.get(body["url"])
    assert done.status_code == 200
    assert done.json() == json.loads(expected.content)
    assert not (tmp_path / "checks" / str(body["id"])).exists()  # the upload is gone once checked


def test_only_the_sender_reads_a_queued_check(web_cast, settings, tmp_path):
    settings.UPLOAD_DIR = str(tmp_path)
    accepted = _send(web_cast.client("outsider"), settings, 1000)
    url = accepted.json()["url"]
    checks.run_check(accepted.json()["id"])
    assert web_cast.client("outsider").get(url).status_code == 200
    for other in ("clerk_a", "admin"):
        refused = web_cast.token_client(other).get(url)
        assert refused.status_code == 404
        assert "forms" not in refused.json()
    assert web_cast.client("outsider").get("/api/check/999999").status_code == 404


def test_a_failed_check_says_why_and_a_second_run_does_nothing(web_cast, settings, tmp_path, monkeypatch):
    settings.UPLOAD_DIR = str(tmp_path)
    accepted = _send(web_cast.client("outsider"), settings, 1000)
    job_id = accepted.json()["id"]

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr("jixiao.web.forms.imports.check_upload", broken)
    with contextlib.suppress(RuntimeError):
        checks.run_check(job_id)
    state = web_cast.client("outsider").get(accepted.json()["url"])
    assert state.status_code == 200
    assert state.json()["status"] == "failed" and "磁盘已满" in state.json()["error"]
    checks.run_check(job_id)  # not pending any more: left alone
    assert CheckJob.objects.get(pk=job_id).status == CheckJob.Status.FAILED


def test_a_check_whose_checker_was_killed_is_failed_and_its_files_swept(web_cast, settings, tmp_path):
    """The worker is killed mid-check: the job is running with an old heartbeat and its upload is left on disk.
    GET says it failed and why, and the sweep marks it and removes the files, as for a lost export."""
    import datetime

    from django.utils import timezone

    from jixiao.web.ops import jobs

    settings.UPLOAD_DIR = str(tmp_path)
    accepted = _send(web_cast.client("outsider"), settings, 1000)
    job_id, url = accepted.json()["id"], accepted.json()["url"]
    folder = tmp_path / "checks" / str(job_id)
    assert folder.is_dir()
    old = timezone.now() - datetime.timedelta(seconds=settings.JIXIAO_JOB_STALE_SECONDS + 60)
    CheckJob.objects.filter(pk=job_id).update(status=CheckJob.Status.RUNNING, heartbeat=old)
    lost = web_cast.client("outsider").get(url)
    assert lost.status_code == 200 and lost.json()["status"] == "failed" and "检查中断" in lost.json()["error"]
    assert CheckJob.objects.get(pk=job_id).status == CheckJob.Status.FAILED  # marked, not only reported
    jobs.sweep()
    assert not folder.exists()
