"""What a streamed batch keeps per form stays small and fixed: P05's digests."""

from __future__ import annotations

import gc
import random
import re
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.checks import check_duplicates
from jixiao.formats import text
from jixiao.stream_state import Digests, Tally
from jixiao.streaming import Options, work_file

SEED_TEXT = (Path(__file__).parent / "fixtures" / "seed.txt").read_text(encoding="utf-8")


def _result(forms: list[tuple[str, str]]) -> dict:
    return {"file": "x.txt", "sha256": "0" * 64, "problem": None,
            "forms": [{"project": p, "digest": d, "department": "", "counts": [0, 0, 0]} for p, d in forms]}


def _digest(n: int) -> str:
    return f"{n:032x}"


def test_the_tally_keeps_a_few_bytes_a_form_for_p05() -> None:
    """The tally kept (index, name, digest) tuples: about 250 bytes a form, the names held in memory."""
    tally = Tally()
    tracemalloc.start()
    try:
        for start in range(0, 40_000, 100):
            tally.add(_result([(f"农村公路养护专项资金第{n}号", _digest(n)) for n in range(start, start + 100)]))
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert tally.forms == 40_000
    assert held / tally.forms < 48  # 32 bytes a form, the rest is the arrays' spare room


def test_p05_from_the_compact_digests_is_p05_of_every_entry() -> None:
    rng = random.Random(5)
    names = ["通用项目", "通 用项目", "专项经费", "  ", "", "办公经费", *[f"唯一{n}" for n in range(40)]]
    entries = []
    for n in range(1, 401):
        name = rng.choice(names)
        entries.append((n, name, _digest(rng.choice([1, 2]) if name == "办公经费" else rng.randrange(10**6))))
    entries += [(401, "复制的表", _digest(7)), (402, "复制的表", _digest(7))]  # the same form twice: no P05
    tally = Tally()
    for start in range(0, len(entries), 7):
        tally.add(_result([(p, d) for _, p, d in entries[start:start + 7]]))
    assert tally.batch_findings() == check_duplicates(entries)
    assert {f.project for f in check_duplicates(entries)} >= {"通用项目", "通 用项目", "办公经费"}


def test_the_parents_memory_does_not_grow_with_the_count() -> None:
    """P05's per-form record (32 bytes a form in arrays) went to disk: 4× the forms, the same memory."""

    def held(forms: int) -> int:
        tally = Tally()
        tracemalloc.start()
        try:
            for start in range(0, forms, 100):
                tally.add(_result([(f"农村公路养护专项资金第{k}号", _digest(k)) for k in range(start, start + 100)]))
            size, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert tally.forms == forms
        return size

    small, large = held(10_000), held(40_000)
    assert large - small < 64 * 1024  # the old arrays: 30,000 × 32 bytes ≈ 960 KB more


def test_p05_of_a_name_on_most_forms_is_written_without_holding_its_group() -> None:
    """One generic name on every form: its group (and its findings) were held whole while P05 was
    found, growing with the batch; now read from disk and made a finding at a time."""

    def peak(forms: int) -> int:
        tally = Tally(digests=Digests(chunk=500))  # sorted in memory 500 records at a time
        for start in range(0, forms, 100):
            tally.add(_result([("通用项目", _digest(k)) for k in range(start, start + 100)]))
        tracemalloc.start()
        try:
            found = sum(1 for _ in tally.each_batch_finding())
            _, top = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert found == forms
        return top

    small, large = peak(2_000), peak(8_000)
    assert large - small < 100_000, f"{(large - small) / 1e6:.1f} MB more at the peak for 4× the forms"


@pytest.mark.parametrize("chunk", [3, 64, 1 << 15])
def test_p05_sorted_on_disk_a_chunk_at_a_time_is_p05_of_every_entry(chunk: int) -> None:
    """The name hashes are sorted in runs of `chunk` records and merged: any chunk gives check_duplicates' P05,
    in its order."""
    rng = random.Random(chunk)
    names = ["通用项目", "通 用项目", "办公经费", "", " ", *[f"唯一{n}" for n in range(60)]]
    entries = []
    for n in range(1, 701):
        name = rng.choice(names)
        entries.append((n, name, _digest(rng.choice([1, 2]) if name == "办公经费" else rng.randrange(10**6))))
    digests = Digests(chunk)
    for entry in entries:
        digests.add(*entry)
    found = [f for group in digests.groups() for f in check_duplicates(group)]
    assert found == check_duplicates(entries)
    assert [f for group in digests.groups() for f in check_duplicates(group)] == found  # read again: the same


@given(st.lists(st.tuples(st.sampled_from(["甲", "乙", "丙 ", "丁", "", "戊己"]), st.integers(0, 3)), max_size=60),
       st.integers(1, 8))
@settings(max_examples=60, deadline=None)
def test_p05_of_any_batch_and_any_chunk_is_p05_of_every_entry(forms: list[tuple[str, int]], chunk: int) -> None:
    entries = [(n, name, _digest(content)) for n, (name, content) in enumerate(forms, 1)]
    digests = Digests(chunk)
    for entry in entries:
        digests.add(*entry)
    assert [f for group in digests.groups() for f in check_duplicates(group)] == check_duplicates(entries)


# ---------------------------------------------------------------------------------------------
# A worker: its caches of cell texts and values fill up to a bound, then stay there


NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _unique_documents(count: int, rng: random.Random) -> list[bytes]:
    """The seed's forms with every number of every indicator row and every indicator's name made
    new: a worst case for the caches of cell texts and parsed values (a real batch repeats more)."""
    rows = text.parse_rows(SEED_TEXT)
    documents = []
    for _ in range(count):
        out = []
        for row in rows:
            row = list(row)
            if len(row) == 10 and NUMBER.search(row[4]):  # an indicator row
                row[3] = f"{row[3]}{rng.randrange(10**9)}"
                for c in (5, 6):
                    row[c] = NUMBER.sub(lambda m: f"{float(m.group()) * rng.uniform(0.5, 1.5):.3f}", row[c], count=1)
                row[9] = f"原因{rng.randrange(10**9)}"
            out.append("".join(f"\t{cell}\n" for cell in row))
        documents.append(("\n".join(out) + "\n").encode("utf-8"))
    return documents


def test_a_workers_memory_does_not_grow_with_the_count() -> None:
    """The bounded caches (formats/layout_rows, layout_words, core/values) held about 220,000 entries when
    full: on a large batch of new texts a worker's memory grew with every form (here about 300,000 more
    blocks from 1,001 to 4,004 forms). Sized as now they are full after about a thousand such forms."""
    documents = _unique_documents(364, random.Random(1))
    options = Options("check", output="jsonl")
    blocks = []
    for n, data in enumerate(documents, 1):
        work_file(f"d{n}.txt", data, options)
        if n in (91, 364):  # 1,001 and 4,004 forms
            gc.collect()
            blocks.append(sys.getallocatedblocks())
    small, large = blocks
    assert large - small < 20_000, f"{large - small} more memory blocks after 4× the forms"


# ---------------------------------------------------------------------------------------------
# The parent of a batch: nothing it holds grows with the number of files


def _fake_work(name: str, data: bytes, options: Options) -> dict:
    """A file's result without the reading and checking (the parent is measured, not the worker)."""
    import hashlib

    return {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "problem": None,
            "forms": [{"project": f"项目{name}", "digest": hashlib.md5(data).hexdigest(), "department": "",
                       "counts": [0, 0, 0], "text": "{}\n"}]}


def _files(where: Path, count: int) -> Path:
    """count files, 100 a folder, named alike in every folder: pathlib interns each name, and new names
    would churn the interpreter's table of interned strings, whose rebuild is a peak of its own size."""
    for n in range(count):
        sub = where / f"单位{n // 100:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{n % 100:02d}.txt").write_text(f"{n}\n", encoding="utf-8")
    return where


def test_the_parents_memory_does_not_grow_with_the_files_of_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent held a sorted list of every file of a folder (walked twice: to count and to read) and
    the --state index in a dict: about 1,000 bytes more a file. Now the folders are walked a listing at a
    time and the index is on disk. Measured half-way through the run: what the parent holds then."""
    import io
    import os
    import pathlib

    from jixiao import streaming

    monkeypatch.setattr(streaming, "work_file", _fake_work)
    monkeypatch.setattr(Digests.__init__, "__defaults__", (256,))
    # pathlib interns each name; a rebuild of the interpreter's table of interned strings is not the batch's
    not_interning = [tracemalloc.Filter(False, pathlib.__file__, 74)]
    held: list[int] = []
    real_add = Tally.add

    def add(self: Tally, result: dict) -> list:
        out = real_add(self, result)
        if tracemalloc.is_tracing() and self.files == half[0]:
            gc.collect()
            held.append(sum(t.size for t in tracemalloc.take_snapshot().filter_traces(not_interning).traces))
        return out

    monkeypatch.setattr(Tally, "add", add)
    half = [0]

    def measured(count: int) -> int:
        where = _files(tmp_path / f"f{count}", count)
        state = tmp_path / f"state{count}.jsonl"
        streaming.run_check([str(where)], io.StringIO(), fmt="jsonl", state_path=str(state))  # the state filled
        half[0] = count // 2
        tracemalloc.start()
        try:
            with open(os.devnull, "w") as out:
                streaming.run_check([str(where)], out, fmt="jsonl", state_path=str(state))
        finally:
            tracemalloc.stop()
        return held.pop()

    measured(200)  # modules and caches loaded
    small, large = measured(1_000), measured(4_000)
    per_file = (large - small) / 3_000
    assert per_file < 40, f"{per_file:.0f} bytes more held half-way for each added file"


def _blocks_in_worker(name: str, data: bytes, options: Options) -> dict:
    """A file's result saying how many memory blocks its worker holds (and nothing read or checked)."""
    return {"file": name, "sha256": None, "problem": None,
            "forms": [{"project": "", "digest": name, "department": "", "counts": [0, 0, 0],
                       "text": f"{sys.getallocatedblocks()}\n"}]}


@pytest.mark.skipif(__import__("multiprocessing").get_start_method() != "fork", reason="a forked worker's copy")
def test_a_worker_holds_none_of_the_parents_folder_listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers were forked at the first parcel, while the parent walked a folder: each held a copy of
    its listing (a tuple and a name a file), so at 200,000 text forms in one folder every process of the
    batch was 2 MB larger than at 50,000. They are now started before the walk."""
    import io

    from jixiao import streaming

    monkeypatch.setattr(streaming, "work_file", _blocks_in_worker)  # forked: the workers' too

    def first_blocks(count: int) -> int:
        where = tmp_path / f"f{count}"
        where.mkdir()
        for n in range(count):
            (where / f"{n:05d}.txt").write_bytes(b"x")
        out = io.StringIO()
        streaming.run_check([str(where)], out, fmt="jsonl", jobs=2)
        return int(out.getvalue().split("\n", 1)[0])

    first_blocks(100)  # modules loaded
    small, large = first_blocks(500), first_blocks(4_500)
    assert large - small < 2_000, f"{large - small} more blocks in a worker for 4,000 more files in the folder"
