"""A batch file by file: read, score, check and write each form as it comes, in worker processes.

`jixiao check` and `jixiao convert` run through here. The parent walks the inputs and hands each
file to a worker (or works it itself with --jobs 1); a worker reads the file, recognises its forms,
scores and checks them, and sends back one small JSON-ready result per file. The parent takes the
results in input order, numbers the forms, writes them, and keeps of each form only what the one
whole-batch check needs (P05: index, name, a digest of its content). With --state, each result is
appended to a state file as it is written, so an interrupted run continues where it stopped and a
re-run of unchanged files takes their results from the file instead of checking them again.

What the parent keeps is in stream_state (Tally, State), how it writes in stream_output.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO

from jixiao.core.findings import Severity
from jixiao.stream_output import (
    Printer,
    Progress,
    form_lines,
    safe,
    write_batch_text,
    write_json_report,
    write_spooled,
)
from jixiao.stream_state import Result, Spool, State, Tally

COLLECT_EVERY = 200  # files between garbage collections while automatic collection is off
WINDOW_PER_JOB = 4  # parcels handed out ahead per worker: keeps workers busy, memory bounded
# Files go to a worker in parcels of up to this many files or bytes: each task costs the parent a round
# trip (pickling, the pool's threads, a future), which on small files was most of the parent's work.
PARCEL_FILES = 16
PARCEL_BYTES = 256 * 1024


@dataclass(frozen=True)
class Options:
    """What a worker does with each file and what it sends back.

    mode "check" (score and check) or "convert"; output "dict" (the check report's entry as data, for
    the database), "text", "jsonl" or "json" (the entry already written out, so that the parent only
    numbers it and writes it: the workers do the formatting too). Converting, output "record" (the
    record, for .json / .jsonl), "layout" (the form's standard layout, pickled, for .docx / .pdf /
    .html) or "sheet" (the layout filled with the computed scores and the summary line, for .xlsx).
    """

    mode: str = "check"
    profile: str = "auto"
    rescore: bool = False
    output: str = "dict"
    min_severity: str = "info"
    colour: bool = False

    @property
    def key(self) -> str:
        """What a result depends on besides the file: results of other options are not reused."""
        from jixiao import __version__

        return f"{self.mode}|{self.profile}|{self.rescore}|{self.output}|{self.min_severity}|{self.colour}|{__version__}"


# A form's number in the batch is known only to the parent: workers write this in its place.
INDEX = "\ue000jixiao-form-index\ue000"
_INDEX_JSON = json.dumps(INDEX, ensure_ascii=False)


def numbered(text: str, index: int) -> str:
    """A form's text from a worker with its number in the batch filled in."""
    return text.replace(_INDEX_JSON, str(index)).replace(INDEX, str(index))


# ---------------------------------------------------------------------------------------------
# The work on one file (in a worker process, or in the parent with --jobs 1)

_profiles: dict[str, Any] = {}


def _profile(name: str) -> Any:
    """"auto", or the named / file profile read once per process."""
    if name in ("", "auto"):
        return "auto"
    if name not in _profiles:
        from jixiao.profile_files import load_profile

        _profiles[name] = load_profile(name)
    return _profiles[name]


def work_file(name: str, data: bytes, options: Options) -> Result:
    """The result of one file: its forms' check report entries (or records), or why it can't be read.

    A failure that is not the file's (a bug) is that file's problem, not the end of the batch.
    """
    try:
        return _work_file(name, data, options)
    except Exception as exc:
        from jixiao.core.profiles import ProfileError

        if isinstance(exc, ProfileError):
            raise
        return _problem(name, f"处理这个文件时程序出错（{type(exc).__name__}: {exc}），其余文件照常处理。"
                              "请把这个文件和这条信息发给系统维护人员。")


def _work_file(name: str, data: bytes, options: Options) -> Result:
    from jixiao import services
    from jixiao.core.checks import content_digest
    from jixiao.core.model import to_record

    result: Result = {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "problem": None, "forms": []}
    forms, problem = services._forms_of(name, data)
    if problem is not None:  # the file is named; any forms read before its damage are still checked
        result["problem"] = problem.message
    scored = options.mode == "check" or options.rescore or options.output == "sheet"
    # A form written out is worded as its profile's template prints it, so it is chosen for every layout.
    profile = _profile(options.profile) if scored or options.output == "layout" else None
    min_rank = Severity(options.min_severity).rank
    for form in forms:
        entry: dict[str, Any] = {"digest": content_digest(form), "project": form.project,
                                 "department": form.department}
        if options.mode == "convert":
            if options.output in ("layout", "sheet"):
                entry.update(_layout_entry(form, profile, options))
            else:
                entry["record"] = to_record(form)
        elif profile is not None:
            e = services.evaluate(form, profile, 1)
            counts = dict.fromkeys(Severity, 0)
            for f in e.findings:
                counts[f.severity] += 1
            entry["counts"] = [counts[Severity.ERROR], counts[Severity.WARNING], counts[Severity.INFO]]
            report = services.evaluation_dict(e, options.min_severity if options.output != "dict" else "info")
            if options.output == "dict":
                entry["form"], entry["title"] = report, e.profile.title
            else:
                report["index"] = INDEX
                for f in report["findings"]:
                    f["form"] = INDEX
                if options.output == "text":
                    lines = form_lines({"form": report, "title": e.profile.title}, Printer(None, options.colour), min_rank)
                    entry["text"] = "\n".join(lines) + "\n\n"
                elif options.output == "jsonl":
                    entry["text"] = json.dumps({"type": "form", **report}, ensure_ascii=False) + "\n"
                else:
                    entry["text"] = json.dumps(report, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        result["forms"].append(entry)
    return result


def _layout_entry(form: Any, profile: Any, options: Options) -> dict[str, Any]:
    """What the writers of reports/ need of a form, as write_forms builds it: its layout in its profile's
    wording (with the computed scores for a rescore, or filled in where blank for .xlsx) and its line of 汇总.
    Without a rescore or a workbook, a converted form is the form as it was: nothing computed is written."""
    from jixiao import services
    from jixiao.reports.layout import build_layout
    from jixiao.reports.summary import summarise
    from jixiao.reports.templates import choose_template, worded

    if not (options.rescore or options.output == "sheet"):
        chosen = services.resolve_profile(form, profile)
        return {"layout": pickle.dumps(build_layout(form, template=worded(choose_template(form), chosen.template)))}
    e = services.evaluate(form, profile, 1)
    template = worded(choose_template(form), e.profile.template)
    entry = {"layout": pickle.dumps(build_layout(form, e.scorecard, rescore=options.rescore, template=template))}
    if options.output == "sheet":
        entry["summary"] = pickle.dumps(summarise(form, e.scorecard, e.findings))  # P05 added by the parent
    return entry


def _problem(file: str, message: str) -> Result:
    return {"file": file, "sha256": None, "problem": message, "forms": []}


def _skipped(file: str, message: str) -> Result:
    """A file of a folder or archive left out on purpose (unknown type, hidden, unsafe name)."""
    return {"file": file, "sha256": None, "problem": None, "skipped": message, "forms": []}


def _unread(item: Exception) -> Result:
    from jixiao.formats import Skipped

    assert isinstance(item, Exception)
    file, message = getattr(item, "file", ""), getattr(item, "message", str(item))
    return _skipped(file, message) if isinstance(item, Skipped) else _problem(file, message)


def _preload(options: Options) -> None:
    """The modules and profiles every worker needs, loaded once in the parent before the workers are
    forked (each worker loaded them itself: about 0.25 s of CPU a worker); a worker started otherwise
    (spawn) loads them in _worker_start."""
    from jixiao import services  # noqa: F401  (imported before freezing)
    from jixiao.formats import layout, registry  # noqa: F401
    from jixiao.formats.layout_words import default_vocabulary
    from jixiao.profile_files import builtin_set

    builtin_set()
    default_vocabulary()
    if options.mode == "check":
        _profile(options.profile)


def _worker_start(options: Options) -> None:
    """Each worker: profile read once, the modules' objects frozen out of the collector's sight."""
    _preload(options)
    gc.freeze()
    gc.disable()


_done_in_process = 0


def _work_in_worker(files: list[tuple[str, bytes]], options: Options) -> list[Result]:
    """A parcel of files: one task, one round trip between the processes for them all."""
    global _done_in_process
    out = []
    for name, data in files:
        _done_in_process += 1
        if _done_in_process % COLLECT_EVERY == 0:
            gc.collect()
        out.append(work_file(name, data, options))
    return out


# ---------------------------------------------------------------------------------------------
# Resuming: the state file


# ---------------------------------------------------------------------------------------------
# Results in input order


def results(
    paths: Iterable[str | Path], options: Options, *, jobs: int = 1, state: State | None = None,
    total: int | None = None,
) -> Iterator[Result]:
    """One result per input file (zip members one by one), in input order."""
    from jixiao.formats import ReadError
    from jixiao.formats.registry import iter_inputs

    inputs = iter_inputs(paths)
    if jobs <= 1 or (total is not None and total < 2):
        for item in inputs:
            if isinstance(item, ReadError):
                yield _unread(item)
                continue
            name, data = item
            stored = state.lookup(name, hashlib.sha256(data).hexdigest()) if state else None
            yield stored if stored is not None else work_file(name, data, options)
        return
    window: deque[Future[list[Result]] | list[Result]] = deque()
    limit = jobs * WINDOW_PER_JOB
    parcel: list[tuple[str, bytes]] = []
    size = 0
    _preload(options)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_start, initargs=(options,)) as pool:
        # Forked workers start with the first task and take a copy of the parent as it is then: started
        # before the walk, they hold none of its listing (a folder's names: about 130 bytes a file each).
        pool.submit(_started)
        try:
            for item in inputs:
                ready: Result | None = None
                if isinstance(item, ReadError):
                    ready = _unread(item)
                else:
                    name, data = item
                    ready = state.lookup(name, hashlib.sha256(data).hexdigest()) if state else None
                    if ready is None:
                        parcel.append(item)
                        size += len(data)
                if parcel and (ready is not None or size >= PARCEL_BYTES or len(parcel) >= PARCEL_FILES):
                    window.append(pool.submit(_work_in_worker, parcel, options))  # before `ready`: input order
                    parcel, size = [], 0
                if ready is not None:
                    window.append([ready])
                while len(window) >= limit:
                    yield from _take(window.popleft())
            if parcel:
                window.append(pool.submit(_work_in_worker, parcel, options))
            while window:
                yield from _take(window.popleft())
        finally:
            for pending in window:
                if isinstance(pending, Future):
                    pending.cancel()


def _started() -> None:
    """A worker's first task: nothing but its start."""


def _take(item: Future[list[Result]] | list[Result]) -> list[Result]:
    return item.result() if isinstance(item, Future) else item


def _spool() -> IO[str]:
    return tempfile.TemporaryFile("w+", encoding="utf-8")


def run_check(
    paths: list[str], out: TextIO, *, fmt: str = "text", min_severity: str = "info", profile: str = "auto",
    jobs: int = 1, state_path: str | None = None, progress: TextIO | None = None,
) -> int:
    """`jixiao check`: findings written as they are made; the exit code (0 fine, 1 errors, 2 unreadable)."""
    from jixiao.formats import registry

    printer = Printer(out)
    options = Options("check", profile, output=fmt, min_severity=min_severity, colour=printer.colour)
    if profile not in ("", "auto"):
        _profile(profile)  # a bad profile file is reported before any work (ProfileError)
    min_rank = Severity(min_severity).rank
    state = State(state_path, options.key) if state_path else None
    total = registry.count_inputs(paths)
    bar = Progress(progress, total) if progress is not None else None
    tally = Tally()
    spool = _spool() if fmt == "json" else None
    frozen = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        for result in results(paths, options, jobs=jobs, state=state, total=total):
            for index, entry in tally.add(result):
                text = numbered(entry["text"], index)  # written out by the worker
                if spool is None:
                    out.write(text)
                else:
                    spool.write(f"{index}\t{len(text)}\n{text}")
            if result.get("skipped"):
                if fmt == "text":
                    printer.line(printer.paint("跳过", "warning") + safe(f" {result['file']}：{result['skipped']}"))
                elif fmt == "jsonl":
                    out.write(json.dumps({"type": "skipped", "file": result["file"], "message": result["skipped"]},
                                         ensure_ascii=False) + "\n")
            if result["problem"]:
                if fmt == "text":
                    printer.line(printer.paint("无法读取", "error") + safe(f" {result['file']}：{result['problem']}"))
                elif fmt == "jsonl":
                    out.write(json.dumps({"type": "problem", "file": result["file"], "message": result["problem"]},
                                         ensure_ascii=False) + "\n")
            if state is not None:
                state.record(result)
            if tally.files % COLLECT_EVERY == 0:
                gc.collect()
            if bar is not None:
                bar.update(tally)
        if bar is not None:
            bar.update(tally, final=True)
        batch = tally.each_batch_finding()
        if fmt == "text":
            write_batch_text(batch, printer, min_rank)
            printer.line(printer.paint("合计", "bold") + "：" + tally.line())
        elif fmt == "jsonl":
            for f in batch:
                if f.severity.rank >= min_rank:
                    out.write(json.dumps({"type": "finding", **f.as_dict()}, ensure_ascii=False) + "\n")
            out.write(json.dumps({"type": "summary", **tally.summary()}, ensure_ascii=False) + "\n")
        elif spool is not None:
            write_json_report(spool, batch, tally, out, min_rank)
        out.flush()
    finally:
        if frozen:
            gc.enable()
        gc.unfreeze()
        if spool is not None:
            spool.close()
        if state is not None:
            state.close()
    if tally.problems:
        return 2
    return 1 if tally.errors else 0


def run_convert(
    paths: list[str], target: Path, messages: TextIO, *, jobs: int = 1, profile: str = "auto",
    state_path: str | None = None, progress: TextIO | None = None, rescore: bool = False,
) -> tuple[int, Tally] | None:
    """`jixiao convert`: each form read, converted and let go as it comes; None for a target no writer knows.

    .json / .jsonl: records written one by one into a file renamed into place (resumable with --state).
    .xlsx / .docx / .pdf / .html: each form's layout (pickled by the worker) goes to a temporary file,
    and the writer takes them back one at a time (stream_output.write_spooled), so the forms, their
    grids and their files are never held together.
    """
    from jixiao.reports import WRITERS

    suffix = target.suffix.lower()
    if suffix not in (".json", ".jsonl", *WRITERS):
        return None
    from jixiao.formats import registry

    records = suffix in (".json", ".jsonl")
    options = Options("convert", profile, rescore, output="record" if records else "sheet" if suffix == ".xlsx" else "layout")
    state = State(state_path, options.key) if state_path and records else None
    total = registry.count_inputs(paths)
    bar = Progress(progress, total) if progress is not None else None
    tally = Tally()
    printer = Printer(messages)
    layouts, summaries = Spool(), Spool()
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with (tmp.open("w", encoding="utf-8") if records else open(os.devnull, "w")) as fh:
            fh.write("[" if suffix == ".json" else "")
            for result in results(paths, options, jobs=jobs, state=state, total=total):
                for n, entry in tally.add(result):
                    if suffix == ".json":
                        text = json.dumps(entry["record"], ensure_ascii=False, indent=2).replace("\n", "\n  ")
                        fh.write(("," if n > 1 else "") + "\n  " + text)
                    elif records:
                        fh.write(json.dumps(entry["record"], ensure_ascii=False) + "\n")
                    else:
                        layouts.add(entry["layout"])
                        if "summary" in entry:
                            summaries.add(entry["summary"])
                if result.get("skipped"):
                    printer.line(printer.paint("跳过", "warning") + safe(f" {result['file']}：{result['skipped']}"))
                if result["problem"]:
                    printer.line(printer.paint("无法读取", "error") + safe(f" {result['file']}：{result['problem']}"))
                if state is not None:
                    state.record(result)
                if bar is not None:
                    bar.update(tally)
            fh.write("\n]\n" if suffix == ".json" else "")
        if bar is not None:
            bar.update(tally, final=True)
        if tally.forms and records:
            os.replace(tmp, target)
        elif tally.forms:
            write_spooled(target, layouts, summaries if len(summaries) else None, tally.each_batch_finding())
    finally:
        tmp.unlink(missing_ok=True)
        layouts.close()
        summaries.close()
        if state is not None:
            state.close()
    return (2 if tally.problems else 0), tally


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
