"""The batch queue: files claimed by a conditional UPDATE, taken over after a timeout, counted once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from jixiao.web.batch import queue
from jixiao.web.batch.models import BatchFile, BatchRun

SEED_TEXT = (Path(__file__).resolve().parents[2] / "src" / "jixiao" / "data" / "seed.txt").read_text(encoding="utf-8")
SRC = Path(__file__).resolve().parents[2] / "src"


def forms_folder(tmp_path: Path, files: int, copies: int = 1) -> Path:
    """files documents of `copies` times the seed's 11 forms, every file's first project renamed."""
    where = tmp_path / "in"
    where.mkdir()
    for n in range(files):
        text = SEED_TEXT.replace("包联驻村专项经费", f"包联驻村专项经费{n}", 1)
        (where / f"f{n:02d}.txt").write_text("\n".join([text] * copies), encoding="utf-8")
    return where


@pytest.mark.django_db
def test_claims_are_exclusive_taken_over_when_stale_and_recorded_once(tmp_path: Path) -> None:
    run = queue.submit([str(forms_folder(tmp_path, 3))])
    a, b = queue.claim("a"), queue.claim("b")
    assert a is not None and b is not None and a.id != b.id
    assert queue.claim("c", timeout=300) is not None and queue.claim("c", timeout=300) is None
    BatchFile.objects.filter(id=a.id).update(claimed_at=timezone.now() - timedelta(seconds=10))
    taken = queue.claim("d", timeout=5)  # a's claim is stale: d takes the file over
    assert taken is not None and taken.id == a.id and taken.attempts == 2
    result = {"file": a.name, "sha256": "x", "problem": None, "forms": []}
    assert not queue.complete(a, "a", result)  # a was too slow: its result is dropped
    assert queue.complete(taken, "d", result)
    assert not queue.complete(taken, "d", result)  # and nobody records it twice
    assert BatchRun.objects.get(id=run.id).status == "open"


@pytest.mark.django_db
def test_one_worker_runs_a_batch_to_its_summary_and_reports(tmp_path: Path) -> None:
    report_dir = tmp_path / "reports"
    run = queue.submit([str(forms_folder(tmp_path, 2)), str(tmp_path / "missing.docx")], report_dir=str(report_dir))
    assert queue.work("w", until_done=True, batch=run.id, idle=0.01) == 2
    run.refresh_from_db()
    assert run.status == "done" and run.summary["forms"] == 22 and run.summary["problems"] == 1
    assert {f["form"] for f in run.batch_findings} == {2, 9, 13, 20}  # 社区矫正专项经费 in both files
    report = json.loads((report_dir / f"batch-{run.id}.json").read_text(encoding="utf-8"))
    assert [f["index"] for f in report["forms"]] == list(range(1, 23))
    html = (report_dir / f"batch-{run.id}-summary.html").read_text(encoding="utf-8")
    assert '<a href="#f1">鄂尔多斯市司法局</a>' in html and 'id="f22"' in html


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_one_killed_mid_file_every_form_checked_once(tmp_path: Path) -> None:
    """Issue 15: one batch, two `jixiao batch work` processes sharing PostgreSQL; one is killed while it
    holds a file, the other takes that file over after the timeout, and every form is checked once."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): the workers are separate processes")
    files, copies = 6, 12
    run = queue.submit([str(forms_folder(tmp_path, files, copies))], report_dir=str(tmp_path / "reports"))
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(SRC),
           "DJANGO_SETTINGS_MODULE": "jixiao.web.settings_test"}
    args = [sys.executable, "-m", "jixiao.cli", "batch", "work", "--until-done", "--timeout", "3", "--batch", str(run.id)]
    first = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    second = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed_name, held = "", None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and held is None:
        held = BatchFile.objects.filter(batch=run, status="claimed", worker__endswith=f":{first.pid}").first()
        time.sleep(0.005)
    assert held is not None, "the first worker never claimed a file"
    first.send_signal(signal.SIGKILL)
    first.wait()
    held.refresh_from_db()
    killed_name = held.worker
    assert held.status == "claimed" and killed_name.endswith(f":{first.pid}")  # killed mid-file
    assert second.wait(timeout=120) == 0
    run.refresh_from_db()
    assert run.status == "done"
    done = list(BatchFile.objects.filter(batch=run).order_by("position"))
    assert [f.status for f in done] == ["done"] * files
    assert [f.forms for f in done] == [11 * copies] * files and run.summary["forms"] == 11 * copies * files
    taken_over = next(f for f in done if f.id == held.id)
    assert taken_over.attempts == 2 and taken_over.worker.endswith(f":{second.pid}")
    report = json.loads((tmp_path / "reports" / f"batch-{run.id}.json").read_text(encoding="utf-8"))
    assert [f["index"] for f in report["forms"]] == list(range(1, 11 * copies * files + 1))
