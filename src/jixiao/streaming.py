"""A batch file by file: read, score, check and write each form as it comes, in worker processes.

`jixiao check` and `jixiao convert` run through here. The parent walks the inputs and hands each
file to a worker (or works it itself with --jobs 1); a worker reads the file, recognises its forms,
scores and checks them, and sends back one small JSON-ready result per file. The parent takes the
results in input order, numbers the forms, writes them, and keeps of each form only what the one
whole-batch check needs (P05: index, name, a digest of its content). With --state, each result is
appended to a state file as it is written, so an interrupted run continues where it stopped and a
re-run of unchanged files takes their results from the file instead of checking them again.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from jixiao.core.findings import Finding, Location, Severity

Result = dict[str, Any]  # one file: {"file", "sha256", "problem", "forms": [...]} (JSON-ready)

COLLECT_EVERY = 200  # files between garbage collections while automatic collection is off
WINDOW_PER_JOB = 4  # files handed out ahead per worker: keeps workers busy, memory bounded


@dataclass(frozen=True)
class Options:
    """What a worker does with each file and what it sends back.

    mode "check" (score and check) or "convert" (records only); output "dict" (the check report's
    entry as data, for the database), "text", "jsonl" or "json" (the entry already written out, so
    that the parent only numbers it and writes it: the workers do the formatting too).
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
    if problem is not None:
        result["problem"] = problem.message
        return result
    profile = _profile(options.profile) if options.mode == "check" or options.rescore else None
    min_rank = Severity(options.min_severity).rank
    for form in forms:
        entry: dict[str, Any] = {"digest": content_digest(form), "project": form.project,
                                 "department": form.department}
        if options.mode == "convert":
            entry["record"] = to_record(form)
        if profile is not None:
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


def _problem(file: str, message: str) -> Result:
    return {"file": file, "sha256": None, "problem": message, "forms": []}


def _worker_start(options: Options) -> None:
    """Each worker: profile read once, the modules' objects frozen out of the collector's sight."""
    from jixiao import services  # noqa: F401  (imported before freezing)
    from jixiao.formats import layout, registry  # noqa: F401

    if options.mode == "check":
        _profile(options.profile)
    gc.freeze()
    gc.disable()


_done_in_process = 0


def _work_in_worker(name: str, data: bytes, options: Options) -> Result:
    global _done_in_process
    _done_in_process += 1
    if _done_in_process % COLLECT_EVERY == 0:
        gc.collect()
    return work_file(name, data, options)


# ---------------------------------------------------------------------------------------------
# Resuming: the state file


class State:
    """A JSON Lines file of finished files: {"file", "sha256", "options", "result"} per line.

    Only an index (file → its digest and where its line starts) is kept in memory; a result is
    read back when its file comes up again unchanged. A last line cut off by a kill is dropped.
    """

    def __init__(self, path: str | Path, options: Options) -> None:
        self.path = Path(path)
        self.key = options.key
        self.index: dict[str, tuple[str, int]] = {}
        good_end = 0
        if self.path.exists():
            with self.path.open("rb") as fh:
                offset = 0
                for line in fh:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        break  # cut off mid-write: everything after it is dropped
                    if not line.endswith(b"\n"):
                        break
                    if entry.get("options") == self.key and entry.get("sha256"):
                        self.index[entry["file"]] = (entry["sha256"], offset)
                    offset += len(line)
                    good_end = offset
            with self.path.open("r+b") as fh:
                fh.truncate(good_end)
        self.reader = self.path.open("rb") if self.index else None
        self.writer: IO[str] = self.path.open("a", encoding="utf-8")
        self.reused = 0

    def lookup(self, name: str, digest: str) -> Result | None:
        found = self.index.get(name)
        if found is None or found[0] != digest or self.reader is None:
            return None
        self.reader.seek(found[1])
        self.reused += 1
        result: Result = json.loads(self.reader.readline())["result"]
        result["reused"] = True  # recorded already: record() leaves it out
        return result

    def record(self, result: Result) -> None:
        if result.pop("reused", False) or result["sha256"] is None:
            return  # in the file already, or a file that could not even be opened: tried again next time
        line = {"file": result["file"], "sha256": result["sha256"], "options": self.key, "result": result}
        self.writer.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.writer.flush()  # a kill loses at most the file being written

    def close(self) -> None:
        self.writer.close()
        if self.reader is not None:
            self.reader.close()


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
                yield _problem(item.file, item.message)
                continue
            name, data = item
            stored = state.lookup(name, hashlib.sha256(data).hexdigest()) if state else None
            yield stored if stored is not None else work_file(name, data, options)
        return
    window: deque[Future[Result] | Result] = deque()
    limit = jobs * WINDOW_PER_JOB
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_start, initargs=(options,)) as pool:
        try:
            for item in inputs:
                if isinstance(item, ReadError):
                    window.append(_problem(item.file, item.message))
                else:
                    name, data = item
                    stored = state.lookup(name, hashlib.sha256(data).hexdigest()) if state else None
                    window.append(stored if stored is not None else pool.submit(_work_in_worker, name, data, options))
                while len(window) >= limit:
                    yield _take(window.popleft())
            while window:
                yield _take(window.popleft())
        finally:
            for pending in window:
                if isinstance(pending, Future):
                    pending.cancel()


def _take(item: Future[Result] | Result) -> Result:
    return item.result() if isinstance(item, Future) else item


def count_inputs(paths: Iterable[str | Path]) -> int:
    """How many input files a run will see (zip members counted from the archive's listing)."""
    import zipfile

    from jixiao.formats.registry import ARCHIVE_EXTENSIONS, _known, _skipped, _walk, extension

    total = 0
    for raw in paths:
        path = Path(raw)
        files = list(_walk(path)) if path.is_dir() else [path]
        for file in files:
            if extension(file.name) in ARCHIVE_EXTENSIONS:
                try:
                    with zipfile.ZipFile(file) as zf:
                        total += sum(
                            1 for i in zf.infolist()
                            if not i.is_dir() and _known(i.filename) and not _skipped(tuple(i.filename.split("/")))
                        )
                    continue
                except (OSError, zipfile.BadZipFile):
                    pass
            total += 1
    return total


# ---------------------------------------------------------------------------------------------
# Writing: text, JSON Lines, JSON


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c not in (0x09, 0x0A)}


def safe(text: str) -> str:
    """Text for a terminal: control characters from cell text (ESC, BEL…) shown, not obeyed."""
    return text.translate(_CONTROL)


COLOURS = {"error": "31", "warning": "33", "info": "36", "bold": "1", "dim": "2", "ok": "32"}


class Printer:
    """Text output with colour on a terminal (none when NO_COLOR is set or output is redirected)."""

    def __init__(self, stream: TextIO | None, colour: bool | None = None) -> None:
        self.stream = stream
        if colour is None:
            colour = stream is not None and stream.isatty() and not os.environ.get("NO_COLOR")
        self.colour = colour

    def paint(self, text: str, style: str) -> str:
        return f"\033[{COLOURS[style]}m{text}\033[0m" if self.colour else text

    def line(self, text: str = "") -> None:
        assert self.stream is not None
        self.stream.write(text + "\n")


def _num(value: Any) -> str:
    return "—" if value is None else str(value)


def _where(location: dict[str, Any]) -> str:
    parts = [p for p in (location.get("indicator"), location.get("column")) if p]
    if location.get("row"):
        parts.insert(0, f"第{location['row']}行")
    return " ".join(parts)


def finding_line(f: dict[str, Any], out: Printer) -> str:
    severity = Severity(f["severity"])
    label = out.paint(f"{severity.label} {f['code']}", severity.value)
    found, expected, message = f.get("found", ""), f.get("expected", ""), f.get("message", "")
    shown_values = found in message and expected in message
    detail = f"（印为 {found}，应为 {expected}）" if found and expected and not shown_values else ""
    where = _where(f.get("location", {}))
    return safe(f"    {label} {where + '：' if where else ''}{message}{detail}")


def form_lines(entry: dict[str, Any], out: Printer, min_rank: int) -> list[str]:
    """The text of one checked form: header, scores and its findings of at least min_rank."""
    form, title = entry["form"], entry.get("title", "")
    card = form["scorecard"]
    place = f"{form['file']}" + (f"，{form['sheet']}" if form["sheet"] else "")
    lines = [
        out.paint(safe(f"[{form['index']}] {form['project'] or '（无项目名称）'}"), "bold") + out.paint(safe(f"  {place}"), "dim"),
        safe(f"    评分规则 {form['profile']}（{title}）"),
        safe(f"    资金得分  印制 {form['printed']['fund_score'] or '—'}  计算 {_num(card['fund_score'])}    {card['fund_formula']}"),
        safe(f"    总分      印制 {form['printed']['total'] or '—'}  计算 {_num(card['total'])}  等级 {card['grade'] or '—'}"),
    ]
    shown = [f for f in form["findings"] if Severity(f["severity"]).rank >= min_rank]
    lines.extend(finding_line(f, out) for f in shown)
    if not shown:
        lines.append("    " + out.paint("未发现问题", "ok"))
    return lines


def finding_of(d: dict[str, Any]) -> Finding:
    """A Finding back from its as_dict(): the report's order key needs one."""
    return Finding(d["code"], Severity(d["severity"]), d["form"], d["project"], Location(**d.get("location", {})),
                   d.get("found", ""), d.get("expected", ""), d.get("message", ""))


@dataclass
class Tally:
    """What the parent keeps of a batch: counts, problems, and a digest per form for P05."""

    files: int = 0
    forms: int = 0
    counts: dict[Severity, int] = field(default_factory=lambda: dict.fromkeys(Severity, 0))
    problems: list[tuple[str, str]] = field(default_factory=list)
    entries: list[tuple[int, str, str]] = field(default_factory=list)
    errors: bool = False

    def add(self, result: Result) -> list[tuple[int, dict[str, Any]]]:
        """Number the result's forms and count them: (number in the batch, entry) for each form."""
        self.files += 1
        if result["problem"]:
            self.problems.append((result["file"], result["problem"]))
        numbered_entries = []
        for entry in result["forms"]:
            self.forms += 1
            self.entries.append((self.forms, entry["project"], entry["digest"]))
            counts = entry.get("counts")
            if counts:
                self.counts[Severity.ERROR] += counts[0]
                self.counts[Severity.WARNING] += counts[1]
                self.counts[Severity.INFO] += counts[2]
                self.errors = self.errors or counts[0] > 0
            form = entry.get("form")
            if form is not None:  # the entry as data (Options.output "dict"): numbered in place
                form["index"] = self.forms
                for f in form["findings"]:
                    f["form"] = self.forms
            numbered_entries.append((self.forms, entry))
        return numbered_entries

    def batch_findings(self) -> list[Finding]:
        from jixiao.core.checks import check_duplicates

        found = check_duplicates(self.entries)
        for f in found:
            self.counts[f.severity] += 1
            self.errors = self.errors or f.severity is Severity.ERROR
        return found

    def summary(self) -> dict[str, Any]:
        return {"forms": self.forms, **{s.value: n for s, n in self.counts.items()}, "problems": len(self.problems)}

    def line(self) -> str:
        return (
            f"读取文件 {self.files} 个，找到自评表 {self.forms} 张，无法读取 {len(self.problems)} 个；"
            f"错误 {self.counts[Severity.ERROR]} 条，警告 {self.counts[Severity.WARNING]} 条，"
            f"提示 {self.counts[Severity.INFO]} 条"
        )


class Progress:
    """Files, forms, rate and time left: a bar redrawn on a terminal, a plain line now and then elsewhere."""

    def __init__(self, stream: TextIO, total: int, every: float = 10.0) -> None:
        self.stream, self.total, self.every = stream, total, every
        self.tty = stream.isatty()
        self.start = self.last = time.monotonic()
        self.shown = False

    def update(self, tally: Tally, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < (0.2 if self.tty else self.every):
            return
        if final and not self.shown:
            return  # a run too short for a progress line gets none at the end either
        self.last, self.shown = now, True
        elapsed = max(now - self.start, 1e-9)
        rate = tally.forms / elapsed
        left = (self.total - tally.files) * elapsed / tally.files if tally.files else 0
        text = (f"{tally.files}/{self.total} 个文件，{tally.forms} 张表，{rate:,.0f} 张/秒，"
                f"已用 {_clock(elapsed)}，预计还需 {_clock(left)}")
        if self.tty:
            width = 24
            filled = width * tally.files // max(self.total, 1)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {text}\033[K" + ("\n" if final else ""))
        else:
            self.stream.write(f"进度：{text}\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _spool() -> IO[str]:
    return tempfile.TemporaryFile("w+", encoding="utf-8")


def run_check(
    paths: list[str], out: TextIO, *, fmt: str = "text", min_severity: str = "info", profile: str = "auto",
    jobs: int = 1, state_path: str | None = None, progress: TextIO | None = None,
) -> int:
    """`jixiao check`: findings written as they are made; the exit code (0 fine, 1 errors, 2 unreadable)."""
    printer = Printer(out)
    options = Options("check", profile, output=fmt, min_severity=min_severity, colour=printer.colour)
    if profile not in ("", "auto"):
        _profile(profile)  # a bad profile file is reported before any work (ProfileError)
    min_rank = Severity(min_severity).rank
    state = State(state_path, options) if state_path else None
    total = count_inputs(paths)
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
        batch = tally.batch_findings()
        if fmt == "text":
            _write_batch_text(batch, printer, min_rank)
            printer.line(printer.paint("合计", "bold") + "：" + tally.line())
        elif fmt == "jsonl":
            for f in batch:
                if f.severity.rank >= min_rank:
                    out.write(json.dumps({"type": "finding", **f.as_dict()}, ensure_ascii=False) + "\n")
            out.write(json.dumps({"type": "summary", **tally.summary()}, ensure_ascii=False) + "\n")
        elif spool is not None:
            _write_json_report(spool, batch, tally, out, min_rank)
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


def _write_batch_text(batch: list[Finding], out: Printer, min_rank: int) -> None:
    shown = [f for f in batch if f.severity.rank >= min_rank]
    if not shown:
        return
    out.line(out.paint("批次检查（需要整批才能发现的问题）", "bold"))
    for f in shown:
        out.line(safe(f"  [{f.form_index}] {f.project}"))
        out.line(finding_line(f.as_dict(), out))
    out.line()


def _write_json_report(spool: IO[str], batch: list[Finding], tally: Tally, out: TextIO, min_rank: int) -> None:
    """The JSON report of `check --format json`, forms read back from the spool with P05 added."""
    from jixiao.core.checks import report_key

    extra: dict[int, list[dict[str, Any]]] = {}
    for f in batch:
        extra.setdefault(f.form_index, []).append(f.as_dict())
    spool.seek(0)
    out.write('{\n  "forms": [')
    for n in range(tally.forms):
        index, size = map(int, spool.readline().split("\t"))
        text = spool.read(size)
        if index in extra:
            form = json.loads(text)
            findings = sorted([*form["findings"], *extra[index]], key=lambda d: report_key(finding_of(d)))
            form["findings"] = [f for f in findings if Severity(f["severity"]).rank >= min_rank]
            text = json.dumps(form, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        out.write(("," if n else "") + "\n    " + text)
    out.write(("\n  " if tally.forms else "") + "],\n")
    summary = json.dumps(tally.summary(), ensure_ascii=False, indent=2).replace("\n", "\n  ")
    problems = json.dumps([{"file": f, "message": m} for f, m in tally.problems], ensure_ascii=False, indent=2)
    out.write(f'  "summary": {summary},\n  "problems": {problems.replace(chr(10), chr(10) + "  ")}\n}}\n')


def run_convert(
    paths: list[str], target: Path, messages: TextIO, *, jobs: int = 1, profile: str = "auto",
    state_path: str | None = None, progress: TextIO | None = None,
) -> tuple[int, Tally] | None:
    """`jixiao convert` to .json / .jsonl: records written one by one into a file renamed into place.

    None when the target is another format (the writers of reports/ need the whole batch).
    """
    suffix = target.suffix.lower()
    if suffix not in (".json", ".jsonl"):
        return None
    options = Options("convert", profile)
    state = State(state_path, options) if state_path else None
    total = count_inputs(paths)
    bar = Progress(progress, total) if progress is not None else None
    tally = Tally()
    printer = Printer(messages)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write("[" if suffix == ".json" else "")
            written = 0
            for result in results(paths, options, jobs=jobs, state=state, total=total):
                for _, entry in tally.add(result):
                    if suffix == ".json":
                        text = json.dumps(entry["record"], ensure_ascii=False, indent=2).replace("\n", "\n  ")
                        fh.write(("," if written else "") + "\n  " + text)
                        written += 1
                    else:
                        fh.write(json.dumps(entry["record"], ensure_ascii=False) + "\n")
                if result["problem"]:
                    printer.line(printer.paint("无法读取", "error") + safe(f" {result['file']}：{result['problem']}"))
                if state is not None:
                    state.record(result)
                if bar is not None:
                    bar.update(tally)
            fh.write("\n]\n" if suffix == ".json" else "")
        if bar is not None:
            bar.update(tally, final=True)
        if tally.forms:
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        if state is not None:
            state.close()
    return (2 if tally.problems else 0), tally


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

