"""P05 from a digest per form: what a streaming batch keeps, and a message that stays short."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.checks import NAMED_DUPLICATES, check_batch, check_duplicates, content_digest
from jixiao.formats.layout import recognise
from jixiao.formats.text import read


def seed_forms():
    from pathlib import Path

    path = Path(__file__).parents[1] / "fixtures" / "seed.txt"
    return recognise(read(path.read_bytes(), "seed.txt"))


def test_digests_find_what_the_records_found() -> None:
    forms = seed_forms()
    entries = [(n, f.project, content_digest(f)) for n, f in enumerate(forms, 1)]
    assert check_duplicates(entries) == check_batch(forms)
    assert [f.form_index for f in check_duplicates(entries)] == [2, 9]  # 社区矫正专项经费 twice


def test_a_large_group_names_a_few_others_and_counts_the_rest() -> None:
    entries = [(n, "通用项目", f"digest{n}") for n in range(1, 201)]
    found = check_duplicates(entries)
    assert len(found) == 200
    first = found[0].message
    assert "第 2 张、第 3 张、第 4 张、第 5 张、第 6 张等共 199 张" in first
    assert all(len(f.message) < 120 for f in found)  # does not grow with the group


@given(st.lists(st.tuples(st.sampled_from(["甲", "乙", " 甲", ""]), st.sampled_from("ab")), max_size=30))
def test_each_member_of_a_clashing_group_gets_one_finding_naming_only_the_others(rows: list) -> None:
    entries = [(n, name, digest) for n, (name, digest) in enumerate(rows, 1)]
    found = check_duplicates(entries)
    by_index = {f.form_index: f for f in found}
    assert len(by_index) == len(found)
    for n, name, _ in entries:
        group = [e for e in entries if name.strip() and e[1].strip() == name.strip()]
        clash = len(group) > 1 and len({e[2] for e in group}) > 1
        assert (n in by_index) == clash
        if clash:
            named = [
                int(x)
                for x in by_index[n]
                .message.split("本批次")[1]
                .split("表相同")[0]
                .replace("第 ", "")
                .replace(" 张", " ")
                .replace("、", " ")
                .split("等")[0]
                .split()
            ]
            assert n not in named and len(named) == min(len(group) - 1, NAMED_DUPLICATES)
