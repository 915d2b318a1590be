"""`jixiao check` streaming: in input order with any --jobs, P05 at the end, resumable with --state."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
JIXIAO = [sys.executable, "-m", "jixiao.cli"]


def folder(tmp_path: Path, count: int) -> Path:
    """count files of the seed, each with its first project renamed so that every file differs."""
    where = tmp_path / "forms"
    where.mkdir()
    for n in range(count):
        (where / f"f{n:03d}.txt").write_text(SEED_TEXT.replace("包联驻村专项经费", f"包联驻村专项经费{n}", 1),
                                             encoding="utf-8")
    return where


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *args])
    return code, capsys.readouterr().out


def test_two_workers_give_the_report_of_one(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    where = folder(tmp_path, 6)
    one = check(capsys, str(where), "--jobs", "1", "--format", "json")
    two = check(capsys, str(where), "--jobs", "2", "--format", "json")
    assert one == two
    report = json.loads(one[1])
    assert [f["index"] for f in report["forms"]] == list(range(1, 67))
    assert [f["file"] for f in report["forms"]][::11] == [str(where / f"f{n:03d}.txt") for n in range(6)]


def test_jsonl_streams_forms_then_batch_findings_then_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(capsys, str(SEED), "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [ln["type"] for ln in lines] == ["form"] * 11 + ["finding", "finding", "summary"]
    assert [(ln["code"], ln["form"]) for ln in lines[11:13]] == [("P05", 2), ("P05", 9)]
    _, whole = check(capsys, str(SEED), "--format", "json")
    assert lines[-1] == {"type": "summary", **json.loads(whole)["summary"]}
    assert code == 1


def test_control_characters_of_cell_text_do_not_reach_the_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue 16 point 10: ESC and BEL in a project name were printed as they are."""
    bad = tmp_path / "bad.txt"
    bad.write_text(SEED_TEXT.replace("包联驻村专项经费", "包联\x1b[2J驻村\x07专项经费", 1), encoding="utf-8")
    _, out = check(capsys, str(bad))
    assert "\x1b" not in out and "\x07" not in out
    assert "包联\\x1b[2J驻村\\x07专项经费" in out


def test_a_closed_pipe_ends_quietly() -> None:
    """Issue 16 point 10: `jixiao check … | head -1` printed a BrokenPipeError traceback."""
    proc = subprocess.Popen([*JIXIAO, "check", str(SEED), str(SEED), str(SEED), "--jobs", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # what head does after its first line
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert code in (1, 141)  # 141 when the output outgrew the pipe's buffer before it closed


def test_killed_run_resumes_each_file_checked_exactly_once(tmp_path: Path) -> None:
    """Kill a run halfway (SIGKILL), resume it with the same --state: every file is in the state
    file once, and the report is the report of a run that was never interrupted."""
    where = folder(tmp_path, 160)
    state = tmp_path / "state.jsonl"
    args = [*JIXIAO, "check", str(where), "--format", "json", "--jobs", "1", "--state", str(state)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if state.exists() and state.read_bytes().count(b"\n") >= 60:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = state.read_bytes().count(b"\n")
    assert 0 < done_before < 160, "the run was not killed halfway"
    resumed = subprocess.run(args, capture_output=True, env=ENV, timeout=120)
    lines = [json.loads(line) for line in state.read_text(encoding="utf-8").splitlines()]
    assert sorted(ln["file"] for ln in lines) == sorted(str(p) for p in where.iterdir())  # each exactly once
    uninterrupted = subprocess.run([*JIXIAO, "check", str(where), "--format", "json", "--jobs", "1"],
                                   capture_output=True, env=ENV, timeout=120)
    assert resumed.returncode == uninterrupted.returncode == 1
    assert json.loads(resumed.stdout) == json.loads(uninterrupted.stdout)
    # A re-run of unchanged files checks nothing again and still prints the whole report.
    again = subprocess.run(args, capture_output=True, env=ENV, timeout=120)
    assert state.read_bytes().count(b"\n") == 160
    assert json.loads(again.stdout) == json.loads(uninterrupted.stdout)


def test_a_changed_file_is_checked_again(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    where = folder(tmp_path, 3)
    state = tmp_path / "state.jsonl"
    check(capsys, str(where), "--state", str(state), "--jobs", "1")
    changed = where / "f001.txt"
    changed.write_text(SEED_TEXT.replace("包联驻村专项经费", "改过的项目", 1), encoding="utf-8")
    _, out = check(capsys, str(where), "--state", str(state), "--jobs", "1")
    assert "[12] 改过的项目" in out
    files = [json.loads(line)["file"] for line in state.read_text(encoding="utf-8").splitlines()]
    assert files.count(str(changed)) == 2  # the old result stays, the newest one is used


def test_a_failure_inside_one_file_is_that_files_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jixiao.formats import layout

    where = folder(tmp_path, 3)
    real = layout.recognise

    def failing(grids: list) -> list:
        if grids and grids[0].source.endswith("f001.txt"):
            raise ZeroDivisionError("a bug")
        return real(grids)

    monkeypatch.setattr(layout, "recognise", failing)
    code, out = check(capsys, str(where), "--jobs", "1", "--format", "json")
    report = json.loads(out)
    assert code == 2 and report["summary"]["forms"] == 22
    assert report["problems"][0]["file"].endswith("f001.txt") and "ZeroDivisionError" in report["problems"][0]["message"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_elsewhere() -> None:
    from jixiao.stream_output import Progress
    from jixiao.stream_state import Tally

    tally = Tally(files=5, forms=55)
    bar = Progress(Terminal(), total=10)
    bar.start -= 10  # ten seconds in, half done
    bar.last -= 10
    bar.update(tally, final=False)
    shown = bar.stream.getvalue()
    assert shown.startswith("\r[############............] 5/10 个文件，55 张表，5 张/秒")  # 55 forms in 10 s (and a little)
    assert "预计还需 0:00:10" in shown
    plain = Progress(io.StringIO(), total=10, every=0)
    plain.update(tally)
    assert plain.stream.getvalue().startswith("进度：5/10 个文件，55 张表") and "\r" not in plain.stream.getvalue()


def _sorted_walk(folder: Path, known: frozenset[str]) -> list[tuple[Path, str]]:
    """The order the folders were read in before they were walked lazily: os.walk's whole list, sorted."""
    from jixiao.formats.registry import _skip_reason

    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        kept = []
        for d in dirs:
            reason = _skip_reason((d,), known, folder=True)
            if reason:
                found.append((Path(root) / d, reason))
            else:
                kept.append(d)
        dirs[:] = kept
        found.extend((Path(root) / n, _skip_reason((n,), known)) for n in files)
    return sorted(found)


@given(st.lists(st.lists(st.sampled_from(["a", "a.txt", "a-b", "b", "B.docx", ".h", "~$x.docx", "z.bin", "目录", "表.xlsx"]),
                         min_size=1, max_size=4), max_size=25))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_folders_walked_a_listing_at_a_time_come_in_the_sorted_order(tmp_path: Path, paths: list[list[str]]) -> None:
    """The lazy walk gives the files, and the folders left out, in the order of the sorted list it replaces
    (a folder's files where its name sorts, "a/x" before "a-b" and "a.txt"), and follows no link."""
    from jixiao.formats.registry import _known_extensions, _walk

    root = Path(tempfile.mkdtemp(dir=tmp_path))
    for parts in paths:
        *folders, name = parts
        where = root.joinpath(*folders)
        if any(p.is_file() for p in [where, *where.parents] if p != root and root in p.parents):
            continue
        where.mkdir(parents=True, exist_ok=True)
        if not (where / name).is_dir():
            (where / name).write_text("x", encoding="utf-8")
    (root / "a-link").symlink_to(root, target_is_directory=True)  # a loop, not followed
    known = _known_extensions()
    assert list(_walk(root, known)) == _sorted_walk(root, known)
