"""What a streamed batch keeps per form stays small and fixed: P05's digests."""

from __future__ import annotations

import random
import tracemalloc

from jixiao.core.checks import check_duplicates
from jixiao.stream_state import Tally


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
