"""Background imports that survive kills: heartbeat, stale detection, retry, and the sweep of old uploads.

A reader beats the job's heartbeat every JIXIAO_JOB_HEARTBEAT_SECONDS while it reads (from a thread, so a
34-second PDF beats too). A job "reading" whose heartbeat is older than JIXIAO_JOB_STALE_SECONDS lost its
worker (kill -9 of the server or of `jixiao worker`): it is marked failed with the reason, and the user
can retry it (its files are kept) or cancel it. Each retry bumps `attempt`; a reader of an older attempt
that wakes up again writes nothing. Uploads older than JIXIAO_UPLOAD_MAX_AGE_HOURS whose job is not
reading are removed by sweep(), which the worker runs every few minutes and `jixiao cleanup` runs once;
it also marks previews left unconfirmed over JIXIAO_PREVIEW_HOURS as expired (已过期).
Batch exports (jixiao.web.forms.exports) beat the same way; the sweep marks a lost one failed and removes
a finished one's zip after JIXIAO_EXPORT_KEEP_HOURS.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from jixiao.web.batch.models import BackgroundJob, CheckJob, ExportJob
from jixiao.web.models import ImportJob

ACTIVE = (ImportJob.Status.PENDING, ImportJob.Status.READING)
STALE_MESSAGE = "读取中断：后台任务进程在读取时停止了（服务或 jixiao worker 被终止）。可以点“重试”重新读取，或取消此次导入。"
# A job waits in the queue behind others: it is taken for lost only after this many stale periods.
PENDING_PERIODS = 10


def beat(job_id: int, attempt: int) -> bool:
    """Record that the reader of this attempt is alive; False when the job is no longer its to read."""
    return bool(ImportJob.objects.filter(pk=job_id, attempt=attempt, status__in=ACTIVE)
                .update(heartbeat=timezone.now()))


@contextlib.contextmanager
def heartbeat(job_id: int, attempt: int, beat: Callable[[int, int], object] = beat) -> Iterator[None]:
    """Beat from a thread while the body runs (an import's beat, or another job's: `beat(job_id, attempt)`)."""
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(settings.JIXIAO_JOB_HEARTBEAT_SECONDS):
                try:
                    beat(job_id, attempt)
                except DatabaseError:  # a busy database misses one beat; the next one will do
                    logging.getLogger(__name__).warning("heartbeat of job %s missed", job_id)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, name=f"jixiao-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


Job = TypeVar("Job", bound=BackgroundJob)


def run_job(model: type[Job], job_id: int, work: Callable[[Job, QuerySet[Job]], dict[str, Any]],
            failure: str) -> bool | None:
    """A background job's task around its work: the job is claimed (pending → running, so only one task runs
    it), its heartbeat beaten while `work(job, mine)` runs (`mine` is the job while it is
    still running, for progress), and it is finished: done with the fields `work` returns, or failed with
    "`failure`：the error" (and the error raised again: a bug must not leave the job running forever).

    None when the job was not this task's to run; False when it was taken for lost meanwhile (its page already
    says so: what the work wrote is the caller's to remove); True when done."""
    status: Any = model.Status  # type: ignore[attr-defined]
    claimed = model.objects.filter(pk=job_id, status=status.PENDING).update(  # type: ignore[attr-defined]
        status=status.RUNNING, heartbeat=timezone.now())
    if not claimed:
        return None
    job = model.objects.select_related("user").get(pk=job_id)  # type: ignore[attr-defined]
    mine = model.objects.filter(pk=job_id, status=status.RUNNING)  # type: ignore[attr-defined]
    try:
        with heartbeat(job_id, 0, beat=lambda _id, _attempt: bool(mine.update(heartbeat=timezone.now()))):
            done = work(job, mine)
    except Exception as e:
        mine.update(status=status.FAILED, error=f"{failure}：{e}", finished=timezone.now())
        raise
    return bool(mine.update(status=status.DONE, finished=timezone.now(), **done))


def _stale_filter() -> Q:
    now = timezone.now()
    stale = timedelta(seconds=settings.JIXIAO_JOB_STALE_SECONDS)
    last = Q(heartbeat__lt=now - stale) | Q(heartbeat__isnull=True, updated__lt=now - stale)
    pending_last = (Q(heartbeat__lt=now - PENDING_PERIODS * stale)
                    | Q(heartbeat__isnull=True, updated__lt=now - PENDING_PERIODS * stale))
    return (Q(status=ImportJob.Status.READING) & last) | (Q(status=ImportJob.Status.PENDING) & pending_last)


def mark_stale(job: ImportJob | None = None) -> int:
    """Mark lost jobs (one, or all) as failed with the reason; returns how many."""
    jobs = ImportJob.objects.filter(_stale_filter())
    if job is not None:
        jobs = jobs.filter(pk=job.pk)
    marked = jobs.update(status=ImportJob.Status.FAILED, error=STALE_MESSAGE)
    if job is not None and marked:
        job.refresh_from_db()
    return marked


def can_retry(job: ImportJob) -> bool:
    return job.status == ImportJob.Status.FAILED and bool(job.files) and all(Path(f["path"]).is_file() for f in job.files)


def retry(job: ImportJob, task: Any) -> bool:
    """Read a failed job's files again (a new attempt, enqueued as `task`: forms.imports.read_import);
    False when it can't be retried."""
    if not can_retry(job):
        return False
    attempt = job.attempt + 1
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.FAILED, attempt=job.attempt).update(
        status=ImportJob.Status.PENDING, attempt=attempt, heartbeat=timezone.now(), error="", done=0)
    if not claimed:
        return False
    from django.db import transaction

    transaction.on_commit(lambda: task.enqueue(job.pk, attempt))
    job.refresh_from_db()
    return True


def expire_previews(job: ImportJob | None = None) -> int:
    """Mark previews (one, or all) left unconfirmed over JIXIAO_PREVIEW_HOURS as expired, dropping their
    uploads; returns how many. An abandoned preview would otherwise wait 待确认 forever."""
    cutoff = timezone.now() - timedelta(hours=settings.JIXIAO_PREVIEW_HOURS)
    jobs = ImportJob.objects.filter(status=ImportJob.Status.READY, updated__lt=cutoff)
    if job is not None:
        jobs = jobs.filter(pk=job.pk)
    expired = list(jobs.values_list("pk", flat=True))
    if not expired:
        return 0
    marked = ImportJob.objects.filter(pk__in=expired, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.EXPIRED)
    for pk in expired:
        shutil.rmtree(Path(settings.UPLOAD_DIR) / str(pk), ignore_errors=True)
    if job is not None and marked:
        job.refresh_from_db()
    return marked


def sweep() -> tuple[int, int]:
    """Mark lost jobs and expired previews, remove uploads older than the age limit whose job is not
    reading, and batch exports kept longer than theirs.

    Returns (folders removed, jobs marked interrupted).
    """
    interrupted = mark_stale() + mark_stale_exports() + mark_stale_checks()
    expire_previews()
    sweep_exports()
    root = Path(settings.UPLOAD_DIR)
    if not root.is_dir():
        return 0, interrupted
    _sweep_checks(root / "checks")
    cutoff = time.time() - settings.JIXIAO_UPLOAD_MAX_AGE_HOURS * 3600
    folders = {int(p.name): p for p in root.iterdir() if p.is_dir() and p.name.isascii() and p.name.isdigit()}
    active = set(ImportJob.objects.filter(pk__in=list(folders), status__in=ACTIVE).values_list("pk", flat=True))
    removed = 0
    for pk, folder in folders.items():
        if pk not in active and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed, interrupted


EXPORT_STALE_MESSAGE = "导出中断：后台任务进程在写出时停止了（服务或 jixiao worker 被终止）。请回到列表重新导出。"
CHECK_STALE_MESSAGE = "检查中断：后台任务进程在检查时停止了（服务或 jixiao worker 被终止）。请重新提交。"


def keep_uploads(folder: Path, uploads: Sequence[Any]) -> list[dict[str, Any]]:
    """Write uploaded files (Django's, copied chunk by chunk, or (name, bytes) pairs) into a job's folder, as
    {"name": the file's own name, "path", "size"}, for a background task to read."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    files = []
    for n, upload in enumerate(uploads, 1):
        name = upload[0] if isinstance(upload, tuple) else upload.name
        safe = Path(name or "").name or f"file{n}"
        path = folder / f"{n:03d}_{safe}"
        with open(path, "wb") as out:
            if isinstance(upload, tuple):
                out.write(upload[1])
            else:
                for chunk in upload.chunks():
                    out.write(chunk)
        files.append({"name": safe, "path": str(path), "size": path.stat().st_size})
    return files


def _mark_lost(model: type[ExportJob] | type[CheckJob], message: str, job: ExportJob | CheckJob | None) -> int:
    """Mark background jobs (exports, checks) whose task was lost as failed: running with no heartbeat lately,
    or queued far too long."""
    now = timezone.now()
    stale = timedelta(seconds=settings.JIXIAO_JOB_STALE_SECONDS)
    lost = (Q(status=model.Status.RUNNING, heartbeat__lt=now - stale)
            | Q(status=model.Status.PENDING, updated__lt=now - PENDING_PERIODS * stale))
    jobs = model.objects.filter(lost)
    if job is not None:
        jobs = jobs.filter(pk=job.pk)
    marked = jobs.update(status=model.Status.FAILED, error=message)
    if job is not None and marked:
        job.refresh_from_db()
    return marked


def mark_stale_exports(job: ExportJob | None = None) -> int:
    """Mark batch exports whose writer was lost as failed."""
    return _mark_lost(ExportJob, EXPORT_STALE_MESSAGE, job)


def mark_stale_checks(job: CheckJob | None = None) -> int:
    """Mark background checks whose checker was lost as failed."""
    return _mark_lost(CheckJob, CHECK_STALE_MESSAGE, job)


def sweep_exports() -> int:
    """Remove the zips of batch exports finished more than JIXIAO_EXPORT_KEEP_HOURS ago; how many."""
    cutoff = timezone.now() - timedelta(hours=settings.JIXIAO_EXPORT_KEEP_HOURS)
    old = ExportJob.objects.filter(Q(finished__lt=cutoff) | Q(finished__isnull=True, created__lt=cutoff))
    old = old.exclude(status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING])
    removed = 0
    for job in old.exclude(status=ExportJob.Status.EXPIRED):
        if job.file:
            Path(job.file).unlink(missing_ok=True)
            removed += 1
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
    return removed


def _sweep_checks(root: Path) -> None:
    """Remove what a background check lost with its checker left (its checker removes the files when done)."""
    if not root.is_dir():
        return
    folders = {int(p.name): p for p in root.iterdir() if p.is_dir() and p.name.isascii() and p.name.isdigit()}
    waiting = set(CheckJob.objects.filter(pk__in=list(folders), status__in=[
        CheckJob.Status.PENDING, CheckJob.Status.RUNNING]).values_list("pk", flat=True))
    for pk, folder in folders.items():
        if pk not in waiting:
            shutil.rmtree(folder, ignore_errors=True)


SWEEP_SECONDS = 300


def start_sweeper() -> threading.Thread:
    """Sweep every few minutes in a thread of the worker's process (and send the day's reminders)."""

    def run() -> None:
        while True:
            try:
                sweep()
                from jixiao.web.notify.services import remind_daily

                remind_daily()  # deadlines near, forms waiting: once a day
            except Exception:  # a failed sweep is tried again next time; the worker must go on
                logging.getLogger(__name__).exception("upload sweep failed")
            finally:
                connection.close()
            time.sleep(SWEEP_SECONDS)

    thread = threading.Thread(target=run, name="jixiao-sweeper", daemon=True)
    thread.start()
    return thread
