"""What the parent of a streamed batch keeps: the tally of its files, forms and findings, and the state
file that lets an interrupted run resume.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import pickle
import re
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
    problems: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
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
        from jixiao.core.checks import check_duplicates

        for group in self.digests.groups():
            for f in check_duplicates(group):
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
        names = "、".join(f for f, _ in self.skipped[:5]) + ("等" if len(self.skipped) > 5 else "")
        return f"，跳过 {len(self.skipped)} 个（{names}）"


class Digests:
    """What P05 needs of each form, in 32 bytes of memory: a hash of its name (8), its content digest (16)
    and where its name is in a temporary file (8).

    At the end only the forms whose name's hash comes up more than once are looked at, one group of
    a name at a time (check_duplicates then groups them by the names themselves).
    """

    def __init__(self) -> None:
        self.names = array("Q")  # 0: no name (P05 leaves such a form out)
        self.contents = bytearray()
        self.offsets = array("Q")
        self.spool: IO[bytes] | None = None
        self.size = 0
        self.first = 1  # the batch index of the first form added; the others follow it

    def __len__(self) -> int:
        return len(self.names)

    def add(self, index: int, project: str, digest: str) -> None:
        if not self.names:
            self.first = index
        assert index == self.first + len(self.names), "forms are added in the order of their numbers"
        key = 0
        if project.strip():
            normal = re.sub(r"\s", "", project).encode("utf-8")
            key = int.from_bytes(hashlib.blake2b(normal, digest_size=8).digest(), "big") or 1
        self.names.append(key)
        self.contents += _fixed(digest)
        if self.spool is None:
            self.spool = _temporary()
        line = project.encode("utf-8")
        self.offsets.append(self.size)
        self.spool.write(len(line).to_bytes(4, "big") + line)
        self.size += 4 + len(line)

    def groups(self) -> Iterator[list[tuple[int, str, str]]]:
        """(1-based index, project, content digest) of the forms of each name's hash that is not alone:
        a group at a time, in the order of their first forms."""
        ordered = sorted(self.names)
        twice = {b for a, b in itertools.pairwise(ordered) if a == b and b}
        del ordered
        members: dict[int, list[int]] = {}
        for n, key in enumerate(self.names):
            if key in twice:
                members.setdefault(key, []).append(n)
        for group in members.values():
            yield [(self.first + n, self._name(n), self.contents[16 * n:16 * n + 16].hex()) for n in group]

    def _name(self, n: int) -> str:
        assert self.spool is not None
        self.spool.seek(self.offsets[n])
        size = int.from_bytes(self.spool.read(4), "big")
        name = self.spool.read(size).decode("utf-8")
        self.spool.seek(0, 2)
        return name


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

    Only an index (file → its digest and where its line starts) is kept in memory; a result is
    read back when its file comes up again unchanged. A last line cut off by a kill is dropped.
    """

    def __init__(self, path: str | Path, key: str) -> None:
        self.path = Path(path)
        self.key = key  # Options.key: results of other options are not reused
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
