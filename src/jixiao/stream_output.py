"""How a streamed batch is written: text for a terminal (colour, control characters shown), the
progress line, and the JSON report put together from the workers' entries.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path
from typing import IO, Any, TextIO

from jixiao.core.findings import Finding, Location, Severity
from jixiao.stream_state import Tally

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
        safe(f"    评分规则 {form['profile']}（{title}）" + (f"  {form['profile_reason']}" if form.get("profile_reason") else "")),
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


def write_batch_text(batch: Iterable[Finding], out: Printer, min_rank: int) -> None:
    """The whole-batch findings (P05) of at least min_rank, after the forms' text, as they are found."""
    shown = False
    for f in batch:
        if f.severity.rank < min_rank:
            continue
        if not shown:
            out.line(out.paint("批次检查（需要整批才能发现的问题）", "bold"))
            shown = True
        out.line(safe(f"  [{f.form_index}] {f.project}"))
        out.line(finding_line(f.as_dict(), out))
    if shown:
        out.line()


def write_json_report(spool: IO[str], batch: Iterable[Finding], tally: Tally, out: TextIO, min_rank: int) -> None:
    """The JSON report of `check --format json`, forms read back from the spool with P05 added.

    P05's findings (one a form of a repeated name: most forms of a province, when a name is generic)
    go first to a temporary SQLite table and come back in form order, merged with the forms as they
    are read: neither is held.
    """
    from jixiao.core.checks import report_key

    with closing(sqlite3.connect("")) as extra:  # "": a temporary database on disk
        extra.execute("PRAGMA cache_size = -2048")
        extra.execute("CREATE TABLE finding (form INTEGER, seq INTEGER, json TEXT)")
        extra.executemany("INSERT INTO finding VALUES (?, ?, ?)",
                          ((f.form_index, n, json.dumps(f.as_dict(), ensure_ascii=False)) for n, f in enumerate(batch)))
        added = itertools.groupby(extra.execute("SELECT form, json FROM finding ORDER BY form, seq"), key=lambda r: r[0])
        pending = next(added, None)
        spool.seek(0)
        out.write('{\n  "forms": [')
        for n in range(tally.forms):
            index, size = map(int, spool.readline().split("\t"))
            text = spool.read(size)
            while pending is not None and pending[0] < index:
                pending = next(added, None)
            if pending is not None and pending[0] == index:
                form = json.loads(text)
                more = [json.loads(row[1]) for row in pending[1]]
                findings = sorted([*form["findings"], *more], key=lambda d: report_key(finding_of(d)))
                form["findings"] = [f for f in findings if Severity(f["severity"]).rank >= min_rank]
                text = json.dumps(form, ensure_ascii=False, indent=2).replace("\n", "\n    ")
            out.write(("," if n else "") + "\n    " + text)
    out.write(("\n  " if tally.forms else "") + "],\n")
    summary = json.dumps(tally.summary(), ensure_ascii=False, indent=2).replace("\n", "\n  ")
    out.write(f'  "summary": {summary},\n  "problems": [')
    for n, (file, message) in enumerate(tally.problems):
        problem = json.dumps({"file": file, "message": message}, ensure_ascii=False, indent=2)
        out.write(("," if n else "") + "\n    " + problem.replace("\n", "\n    "))
    out.write(("\n  " if tally.problems else "") + "]\n}\n")


def write_spooled(target: Path, layouts: Sequence[Any], summaries: Sequence[Any] | None,
                  batch: Iterable[Finding]) -> None:
    """The converted forms written by the writer of the target's type, as write_forms writes them, from
    the spooled layouts: .xlsx a sheet at a time, .html a form at a time; .docx and .pdf build their
    document from one layout at a time (python-docx and fpdf2 hold the document until they save it).

    summaries (the lines of .xlsx's 汇总) get the batch's P05 findings counted, as evaluate_batch does.
    """
    import importlib

    from jixiao.reports import WRITERS, xlsx
    from jixiao.reports.summary import SUMMARY_SHEET, sheet_names

    if target.suffix.lower() != ".xlsx":
        importlib.import_module(WRITERS[target.suffix.lower()]).write_layouts(layouts, target)
        return
    batch_of_many = len(layouts) > 1
    names = sheet_names(layouts, reserved=[SUMMARY_SHEET] if batch_of_many else [])  # a layout has its form's project
    lines = None
    if batch_of_many and summaries is not None:
        added: dict[int, Counter[Severity]] = {}
        for f in batch:  # (only the forms P05 names are kept)
            added.setdefault(f.form_index, Counter())[f.severity] += 1
        lines = [_counted(line, added.get(n)) for n, line in enumerate(summaries, 1)]
    xlsx.write_streamed(iter(layouts), names, target, summaries=lines)


def _counted(line: Any, added: Counter[Severity] | None) -> Any:
    from dataclasses import replace

    if not added:
        return line
    return replace(line, errors=str(int(line.errors or 0) + added[Severity.ERROR]),
                   warnings=str(int(line.warnings or 0) + added[Severity.WARNING]))
