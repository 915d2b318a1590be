"""/api/check of a file too large to check in a request thread: queued as a background task (the same
django-tasks queue and `jixiao worker` as large imports and batch exports), its result kept for its user.

start_check keeps the uploads on disk (copied chunk by chunk) and queues run_check; run_check runs the job as
every background job runs (jixiao.web.ops.jobs.run_job: claimed, its heartbeat beaten, finished), stores
what the synchronous check returns (imports.check_upload) and removes the files.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from jixiao.web.batch.models import CheckJob
from jixiao.web.ops.jobs import run_job


def _folder(job_id: int) -> Path:
    return Path(settings.UPLOAD_DIR) / "checks" / str(job_id)  # not a digit name: the import sweep leaves it


def start_check(user: Any, uploads: Sequence[Any], profile: str) -> CheckJob:
    """Keep the uploaded files (Django's uploaded files, or (name, bytes) pairs) and queue their check."""
    job = CheckJob.objects.create(user=user, profile=profile, heartbeat=timezone.now())
    from jixiao.web.ops.jobs import keep_uploads

    files = keep_uploads(_folder(job.pk), uploads)
    job.files = files
    job.save(update_fields=["files"])
    transaction.on_commit(lambda: run_check_task.enqueue(job.pk))
    return job


@task()
def run_check_task(job_id: int) -> None:
    run_check(job_id)


def run_check(job_id: int) -> None:
    """Check a queued job's files and store the report (run_job: claimed, beaten, finished); a job already taken
    is left to its checker."""
    from jixiao.web.forms.imports import check_upload

    def check(job: CheckJob, mine: Any) -> dict[str, Any]:
        try:
            uploads = [(f["name"], Path(f["path"]).read_bytes()) for f in job.files]
            return {"result": check_upload(uploads, job.profile, job.user)}
        finally:
            shutil.rmtree(_folder(job_id), ignore_errors=True)

    run_job(CheckJob, job_id, check, "检查失败")


def status_of(job: CheckJob) -> dict[str, Any]:
    """What GET of a job that is not done answers: its state in words, and why it failed (a checker that was
    lost marks the job failed, as a lost export's does: jixiao.web.ops.jobs)."""
    from jixiao.web.ops.jobs import mark_stale_checks

    mark_stale_checks(job)
    return {"id": job.pk, "status": job.status, "label": job.get_status_display(), "error": job.error}
