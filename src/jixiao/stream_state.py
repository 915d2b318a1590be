"""What the parent of a streamed batch keeps: the tally of its files, forms and findings, and the state
file that lets an interrupted run resume.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import os
import pickle
import re
import sqlite3
import struct
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, overload

from jixiao.core.findings import Finding, Severity

Result = dict[str, Any]  # one file: {"file", "sha256", "problem", "forms": [...]} (JSON-ready)


@dataclass
class Tally:
    """What the parent keeps of a batch: counts, problems, and a digest per form for P05."""

    files: int = 0
    forms: int = 0
    counts: dict[Severity, int] = field(default_factory=lambda: dict.fromkeys(Severity, 0))
    problems: Noted = field(default_factory=lambda: Noted())
    skipped: Noted = field(default_factory=lambda: Noted())
    digests: Digests = field(default_factory=lambda: Digests())
    errors: bool = False

    def add(self, result: Result) -> list[tuple[int, dict[str, Any]]]:
        """Number the result's forms and count them: (number in the batch, entry) for each form."""
        if result.get("skipped"):
            self.skipped.append((result["file"], result["skipped"]))
            return []
        self.files += 1
        if result["problem"]:
            self.problems.append((result["file"], result["problem"]))
        numbered_entries = []
        for entry in result["forms"]:
            self.forms += 1
            self.digests.add(self.forms, entry["project"], entry["digest"])
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
        return list(self.each_batch_finding())

    def each_batch_finding(self) -> Iterator[Finding]:
        """P05 over the batch, counted as it is found: a group of one name at a time, so that only the
        findings of that group are held (a generic name may be on most forms of a province)."""
        from jixiao.core.checks import check_duplicates, duplicates_in_group

        for group in self.digests.groups():
            names = {re.sub(r"\s", "", project) for _, project, _ in group}
            # One name (a hash shared by two names is rare): its findings made as they are written.
            found = duplicates_in_group(group) if len(names) == 1 else check_duplicates(list(group))
            for f in found:
                self.counts[f.severity] += 1
                self.errors = self.errors or f.severity is Severity.ERROR
                yield f

    def summary(self) -> dict[str, Any]:
        out = {"forms": self.forms, **{s.value: n for s, n in self.counts.items()}, "problems": len(self.problems)}
        return {**out, "skipped": len(self.skipped)} if self.skipped else out

    def reading_line(self) -> str:
        """Files read, forms found, files unreadable and skipped."""
        return f"读取文件 {self.files} 个，找到自评表 {self.forms} 张，无法读取 {len(self.problems)} 个{self._skipped_words()}"

    def line(self) -> str:
        return (
            f"{self.reading_line()}；"
            f"错误 {self.counts[Severity.ERROR]} 条，警告 {self.counts[Severity.WARNING]} 条，"
            f"提示 {self.counts[Severity.INFO]} 条"
        )

    def _skipped_words(self) -> str:
        if not self.skipped:
            return ""
        names = "、".join(f for f, _ in self.skipped.first) + ("等" if len(self.skipped) > len(self.skipped.first) else "")
        return f"，跳过 {len(self.skipped)} 个（{names}）"


class Noted:
    """(file, message) pairs of the files a batch could not read or left out, in a temporary file: the
    first few kept in memory to be named, the rest read back only for the JSON report's list."""

    SHOWN = 5

    def __init__(self) -> None:
        self.first: list[tuple[str, str]] = []
        self.count = 0
        self.file: IO[bytes] | None = None

    def append(self, item: tuple[str, str]) -> None:
        if len(self.first) < self.SHOWN:
            self.first.append(item)
        if self.file is None:
            self.file = _temporary()
        self.file.write(json.dumps(item, ensure_ascii=False).encode("utf-8") + b"\n")
        self.count += 1

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[tuple[str, str]]:
        if self.file is None:
            return
        self.file.seek(0)
        for line in self.file:
            file, message = json.loads(line)
            yield file, message
        self.file.seek(0, 2)


class Digests:
    """What P05 needs of each form, kept on disk: nothing in memory grows with the batch.

    A form is a 40-byte record in a temporary file: a hash of its name (8 bytes), its index (8),
    its content digest (16) and where its name is in a second temporary file (8). At the end the
    records are sorted by name hash (a chunk at a time in memory, the sorted runs merged from disk),
    the forms whose name's hash comes up more than once are taken a group at a time, and the groups
    are put back in the order of their first forms (check_duplicates then groups them by the names).
    """

    RECORD = struct.Struct(">QQ16sQ")  # name hash, index, content digest, name's offset: sorts by (hash, index)
    GROUP = struct.Struct(">QQQ")  # first index, offset of the group's records, how many

    def __init__(self, chunk: int = 1 << 15) -> None:
        self.chunk = chunk  # records sorted in memory at a time
        self.records: IO[bytes] | None = None
        self.spool: IO[bytes] | None = None  # the names
        self.size = 0
        self.count = 0
        self.first = 1  # the batch index of the first form added; the others follow it

    def __len__(self) -> int:
        return self.count

    def add(self, index: int, project: str, digest: str) -> None:
        if not self.count:
            self.first = index
        assert index == self.first + self.count, "forms are added in the order of their numbers"
        key = 0
        if project.strip():
            normal = re.sub(r"\s", "", project).encode("utf-8")
            key = int.from_bytes(hashlib.blake2b(normal, digest_size=8).digest(), "big") or 1
        if self.records is None:
            self.records, self.spool = _temporary(), _temporary()
        assert self.spool is not None
        self.records.write(self.RECORD.pack(key, index, _fixed(digest), self.size))
        line = project.encode("utf-8")
        self.spool.write(len(line).to_bytes(4, "big") + line)
        self.size += 4 + len(line)
        self.count += 1

    def groups(self) -> Iterator[list[tuple[int, str, str]]]:
        """(1-based index, project, content digest) of the forms of each name's hash that is not alone:
        a group at a time, in the order of their first forms."""
        if self.records is None or self.spool is None:
            return
        self.records.flush()
        self.records.seek(0)
        members, heads = _temporary(), _temporary()
        try:
            written = 0
            named = (r for r in _sorted_records(self.records, self.RECORD.size, self.count, self.chunk)
                     if r[:8] != bytes(8))
            key, first, n = None, b"", 0
            for record in itertools.chain(named, [None]):  # a group's records written as they come: never held
                if record is not None and record[:8] == key:
                    if n == 1:
                        members.write(first)
                    members.write(record)
                    n += 1
                    continue
                if n > 1:
                    heads.write(self.GROUP.pack(self.RECORD.unpack(first)[1], written, n))
                    written += n * self.RECORD.size
                if record is not None:
                    key, first, n = record[:8], record, 1
            count = heads.tell() // self.GROUP.size
            heads.seek(0)
            for head in _sorted_records(heads, self.GROUP.size, count, self.chunk):
                _, offset, n = self.GROUP.unpack(head)
                yield _Group(self, members, offset, n)
        finally:
            members.close()
            heads.close()
            self.records.seek(0, 2)

    def _name(self, at: int) -> str:
        assert self.spool is not None
        self.spool.seek(at)
        size = int.from_bytes(self.spool.read(4), "big")
        name = self.spool.read(size).decode("utf-8")
        self.spool.seek(0, 2)
        return name


class _Group(Sequence[tuple[int, str, str]]):
    """The (index, project, content digest) of one name's forms, read from the sorted records on disk
    as they are wanted: a group of most of a province's forms is never held."""

    def __init__(self, digests: Digests, file: IO[bytes], offset: int, count: int) -> None:
        self.digests, self.file, self.offset, self.count = digests, file, offset, count

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, n: int) -> tuple[int, str, str]: ...

    @overload
    def __getitem__(self, n: slice) -> list[tuple[int, str, str]]: ...

    def __getitem__(self, n: int | slice) -> Any:
        if isinstance(n, slice):
            return [self[k] for k in range(*n.indices(self.count))]
        if not -self.count <= n < self.count:
            raise IndexError(n)
        size = Digests.RECORD.size
        self.file.seek(self.offset + (n % self.count) * size)
        _, index, content, at = Digests.RECORD.unpack(self.file.read(size))
        return index, self.digests._name(at), content.hex()

    def __iter__(self) -> Iterator[tuple[int, str, str]]:
        for n in range(self.count):
            yield self[n]


def _sorted_records(source: IO[bytes], size: int, count: int, chunk: int) -> Iterator[bytes]:
    """The `count` fixed-size records of `source` (from where it stands) in byte order, with at most
    `chunk` of them in memory: sorted runs written to a temporary file and merged."""
    if count <= chunk:
        data = source.read(count * size)
        yield from sorted(data[n:n + size] for n in range(0, len(data), size))
        return
    with _temporary() as runs:
        bounds = []
        left = count
        while left:
            n = min(chunk, left)
            data = source.read(n * size)
            start = runs.tell()
            runs.write(b"".join(sorted(data[k:k + size] for k in range(0, len(data), size))))
            bounds.append((start, n))
            left -= n
        runs.flush()
        yield from heapq.merge(*(_run(runs.fileno(), start, n, size) for start, n in bounds))


def _run(fd: int, start: int, count: int, size: int) -> Iterator[bytes]:
    """The records of one sorted run, read a block at a time at their own offsets (os.pread)."""
    block = max(1, 4096 // size) * size
    offset, end = start, start + count * size
    while offset < end:
        data = os.pread(fd, min(block, end - offset), offset)
        if not data:
            return
        offset += len(data)
        yield from (data[k:k + size] for k in range(0, len(data), size))


def _temporary() -> IO[bytes]:
    return tempfile.TemporaryFile()  # gone when closed, or when the tally is


def _fixed(digest: str) -> bytes:
    """16 bytes for a content digest: content_digest's own (32 hex digits), else a hash of the text."""
    try:
        raw = bytes.fromhex(digest)
    except ValueError:
        raw = b""
    return raw if len(raw) == 16 else hashlib.blake2b(digest.encode("utf-8"), digest_size=16).digest()


class Spool(Sequence[Any]):
    """Pickled objects in a temporary file, read back one at a time: a batch's layouts, never all held."""

    def __init__(self) -> None:
        self.offsets = array("Q")
        self.file: IO[bytes] | None = None

    def add(self, data: bytes) -> None:
        if self.file is None:
            self.file = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close(), or with the spool)
        self.offsets.append(self.file.seek(0, 2))
        self.file.write(data)

    def __len__(self) -> int:
        return len(self.offsets)

    @overload
    def __getitem__(self, n: int) -> Any: ...

    @overload
    def __getitem__(self, n: slice) -> list[Any]: ...

    def __getitem__(self, n: int | slice) -> Any:
        if isinstance(n, slice):
            return [self[k] for k in range(*n.indices(len(self)))]
        if self.file is None or not -len(self) <= n < len(self):
            raise IndexError(n)
        self.file.seek(self.offsets[n])
        return pickle.load(self.file)

    def __iter__(self) -> Iterator[Any]:
        for n in range(len(self)):
            yield self[n]

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class State:
    """A JSON Lines file of finished files: {"file", "sha256", "options", "result"} per line.

    What is kept of it is an index (file → its digest and where its line starts) in a temporary
    SQLite database, whose page cache is bounded: a state of a province's files is not held in
    memory. A result is read back when its file comes up again unchanged. A last line cut off by a
    kill is dropped.
    """

    CACHE_KIB = 2048  # the index's page cache

    def __init__(self, path: str | Path, key: str) -> None:
        self.path = Path(path)
        self.key = key  # Options.key: results of other options are not reused
        self.index = sqlite3.connect("")  # "": a temporary database on disk, gone when closed
        self.index.execute(f"PRAGMA cache_size = -{self.CACHE_KIB}")
        self.index.execute("CREATE TABLE done (file TEXT PRIMARY KEY, sha256 TEXT, offset INTEGER) WITHOUT ROWID")
        indexed = False
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
                        self.index.execute("INSERT OR REPLACE INTO done VALUES (?, ?, ?)",
                                           (entry["file"], entry["sha256"], offset))
                        indexed = True
                    offset += len(line)
                    good_end = offset
            with self.path.open("r+b") as fh:
                fh.truncate(good_end)
        self.reader = self.path.open("rb") if indexed else None
        self.writer: IO[str] = self.path.open("a", encoding="utf-8")
        self.reused = 0

    def lookup(self, name: str, digest: str) -> Result | None:
        if self.reader is None:
            return None
        found = self.index.execute("SELECT sha256, offset FROM done WHERE file = ?", (name,)).fetchone()
        if found is None or found[0] != digest:
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
        self.index.close()
        if self.reader is not None:
            self.reader.close()
