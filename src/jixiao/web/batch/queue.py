"""The batch queue: submit files, claim one with a conditional UPDATE, record its result, sum up.

As healthchecks claims its work (no message broker, no home-made protocol): a worker picks the first
pending file, or one whose claim is older than the timeout, and takes it with an UPDATE that names
the state it saw; if another worker changed that state first, no row is updated and it tries the
next. A result is recorded only by the worker that holds the claim, so a file taken over after a
timeout is counted once, whichever worker finishes first. The last worker to find nothing left
sums the batch up (P05 over the whole batch, the report files), again under a conditional UPDATE.
"""

from __future__ import annotations

import gc
import json
import os
import socket
import time
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from jixiao.web.batch import CLAIM_TIMEOUT
from jixiao.web.batch.models import BatchFile, BatchRun

SUBMIT_CHUNK = 100  # files inserted per query when submitting


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def submit(paths: Iterable[str], profile: str = "auto", report_dir: str = "") -> BatchRun:
    """Queue every file under paths (folders and zips expanded) as one batch, contents in the database."""
    from jixiao.formats import ReadError
    from jixiao.formats.registry import iter_inputs

    paths = [str(p) for p in paths]
    with transaction.atomic():
        run = BatchRun.objects.create(profile=profile, sources=paths, report_dir=report_dir)
        chunk: list[BatchFile] = []
        position = 0
        for item in iter_inputs(paths):
            position += 1
            if isinstance(item, ReadError):
                result = {"file": item.file, "sha256": None, "problem": item.message, "forms": []}
                chunk.append(BatchFile(batch=run, position=position, name=item.file, data=b"",
                                       status=BatchFile.Status.DONE, result=result, finished_at=timezone.now()))
            else:
                chunk.append(BatchFile(batch=run, position=position, name=item[0], data=item[1]))
            if len(chunk) >= SUBMIT_CHUNK:
                BatchFile.objects.bulk_create(chunk)
                chunk = []
        BatchFile.objects.bulk_create(chunk)
        run.files_total = position
        run.save(update_fields=["files_total"])
    return run


def claim(worker: str, timeout: float = CLAIM_TIMEOUT, batch: int | None = None) -> BatchFile | None:
    """Take the next file to check, or None when there is none free."""
    stale = timezone.now() - timedelta(seconds=timeout)
    free = BatchFile.objects.filter(batch__status=BatchRun.Status.OPEN).filter(
        Q(status=BatchFile.Status.PENDING) | Q(status=BatchFile.Status.CLAIMED, claimed_at__lt=stale)
    )
    if batch is not None:
        free = free.filter(batch_id=batch)
    for _ in range(50):
        seen = free.order_by("batch_id", "position").values("id", "status", "claimed_at", "worker").first()
        if seen is None:
            return None
        taken = BatchFile.objects.filter(
            id=seen["id"], status=seen["status"], claimed_at=seen["claimed_at"], worker=seen["worker"]
        ).update(status=BatchFile.Status.CLAIMED, worker=worker, claimed_at=timezone.now(),
                 attempts=F("attempts") + 1)
        if taken:
            return BatchFile.objects.select_related("batch").get(id=seen["id"])
    return None  # lost every race: the others are busy claiming; try again later


def complete(file: BatchFile, worker: str, result: dict[str, Any]) -> bool:
    """Record a file's result; False when the claim was taken over meanwhile (the result is dropped)."""
    return bool(
        BatchFile.objects.filter(id=file.id, status=BatchFile.Status.CLAIMED, worker=worker).update(
            status=BatchFile.Status.DONE, result=result, forms=len(result["forms"]), finished_at=timezone.now(),
        )
    )


def finish_ready(worker: str, timeout: float = CLAIM_TIMEOUT) -> list[BatchRun]:
    """Sum up every open batch with no file left to do (one worker wins each); the batches finished."""
    stale = timezone.now() - timedelta(seconds=timeout)
    finished = []
    candidates = BatchRun.objects.filter(
        Q(status=BatchRun.Status.OPEN) | Q(status=BatchRun.Status.FINISHING, finishing_at__lt=stale)
    ).exclude(files__status__in=[BatchFile.Status.PENDING, BatchFile.Status.CLAIMED])
    for run in candidates.distinct():
        if BatchRun.objects.filter(id=run.id, status=run.status, finishing_at=run.finishing_at).update(
            status=BatchRun.Status.FINISHING, finishing_at=timezone.now()
        ):
            finished.append(sum_up(BatchRun.objects.get(id=run.id)))
    return finished


def results_of(run: BatchRun) -> Iterable[dict[str, Any]]:
    """The files' results in input order, read a few at a time."""
    rows = run.files.filter(status=BatchFile.Status.DONE).order_by("position").values_list("result", flat=True)
    return rows.iterator(chunk_size=200)


def sum_up(run: BatchRun) -> BatchRun:
    """Number the forms, find P05 over the batch, store the summary and write the report files."""
    from jixiao.stream_state import Tally

    tally = Tally()
    for result in results_of(run):
        tally.add(result)
    batch = tally.batch_findings()
    run.summary = {**tally.summary(), "files": tally.files}
    run.batch_findings = [f.as_dict() for f in batch]
    if run.report_dir:
        write_reports(run, Path(run.report_dir))
    run.status = BatchRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["summary", "batch_findings", "status", "finished_at"])
    return run


def write_reports(run: BatchRun, where: Path) -> list[Path]:
    """The batch's report files: the check report (JSON) and the bureau's summary (xlsx and HTML)."""
    from jixiao.reports.batch import write_summary

    where.mkdir(parents=True, exist_ok=True)
    forms = _numbered_forms(run)
    report = where / f"batch-{run.pk}.json"
    tmp = report.with_name(f".{report.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(f'{{"batch": {run.pk}, "forms": [\n')
        for n, entry in enumerate(forms):
            fh.write(("," if n else "") + json.dumps(entry["form"], ensure_ascii=False) + "\n")
        findings = json.dumps(run.batch_findings or [], ensure_ascii=False)
        fh.write(f'], "batch_findings": {findings}, "summary": {json.dumps(run.summary, ensure_ascii=False)}}}\n')
    os.replace(tmp, report)
    return [report, *write_summary(lambda: _numbered_forms(run), run.batch_findings or [], where, f"batch-{run.pk}")]


def _numbered_forms(run: BatchRun) -> Iterable[dict[str, Any]]:
    from jixiao.stream_state import Tally

    tally = Tally()
    for result in results_of(run):
        yield from (e for _, e in tally.add(result) if "form" in e)


def status(run: BatchRun) -> dict[str, Any]:
    counts = dict(run.files.values_list("status").annotate(n=Count("id")))
    forms = run.files.aggregate(n=Sum("forms"))["n"] or 0
    workers = sorted(set(run.files.filter(status=BatchFile.Status.CLAIMED).values_list("worker", flat=True)))
    return {"id": run.pk, "status": run.status, "files": run.files_total,
            "done": counts.get(BatchFile.Status.DONE, 0), "claimed": counts.get(BatchFile.Status.CLAIMED, 0),
            "pending": counts.get(BatchFile.Status.PENDING, 0), "forms": forms, "workers": workers,
            "summary": run.summary, "report_dir": run.report_dir}


def work(worker: str | None = None, *, timeout: float = CLAIM_TIMEOUT, until_done: bool = False, own_gc: bool = True,
         batch: int | None = None, idle: float = 1.0) -> int:
    """Claim, check and record files until stopped (or, with until_done, until nothing is left)."""
    from jixiao.streaming import COLLECT_EVERY, Options, work_file

    worker = worker or worker_name()
    done = 0
    if own_gc:  # a process of its own: the collector off, run every COLLECT_EVERY files
        gc.freeze()
        gc.disable()
    try:
        while True:
            file = claim(worker, timeout, batch)
            if file is None:
                finish_ready(worker, timeout)
                open_left = BatchRun.objects.exclude(status=BatchRun.Status.DONE)
                if batch is not None:
                    open_left = open_left.filter(id=batch)
                if until_done and not open_left.exists():
                    return done
                time.sleep(idle)
                continue
            result = work_file(file.name, bytes(file.data), Options("check", file.batch.profile))
            if complete(file, worker, result):
                done += 1
            if own_gc and done % COLLECT_EVERY == 0:
                gc.collect()
    finally:
        if own_gc:
            gc.enable()
            gc.unfreeze()
