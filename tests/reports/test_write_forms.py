"""write_forms: the one entry point, dispatching on the extension of the output path."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.core.model import Form
from jixiao.reports import WRITERS, write_forms


def test_unknown_extension_is_refused_in_chinese(tmp_path: Path, seed_forms: list[Form]) -> None:
    with pytest.raises(ValueError, match=r"不支持的输出格式“\.odt”.*\.xlsx、\.docx、\.pdf 或 \.html"):
        write_forms(seed_forms, tmp_path / "out.odt")
    with pytest.raises(ValueError, match="无扩展名"):
        write_forms(seed_forms, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_the_extension_picks_the_writer_whatever_its_case(tmp_path: Path, seed_forms: list[Form]) -> None:
    assert set(WRITERS) >= {".xlsx", ".docx", ".pdf", ".html"}
    write_forms(seed_forms[:1], tmp_path / "OUT.XLSX")
    write_forms(seed_forms[:1], str(tmp_path / "out.htm"))
    assert (tmp_path / "OUT.XLSX").read_bytes()[:2] == b"PK"
    assert (tmp_path / "out.htm").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_bad_arguments_are_refused(tmp_path: Path, seed_forms: list[Form]) -> None:
    from jixiao.services import evaluate_batch

    with pytest.raises(ValueError, match="没有可写出的表单"):
        write_forms([], tmp_path / "out.xlsx")
    with pytest.raises(ValueError, match="一一对应"):
        write_forms(seed_forms, tmp_path / "out.xlsx", evaluations=evaluate_batch(seed_forms[:2]))
    with pytest.raises(ValueError, match="rescore"):
        write_forms(seed_forms, tmp_path / "out.xlsx", rescore=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ext", [".xlsx", ".docx", ".pdf", ".html"])
def test_every_writer_writes_a_batch_with_evaluations(ext: str, tmp_path: Path, seed_forms: list[Form]) -> None:
    from jixiao.services import evaluate_batch

    path = tmp_path / f"out{ext}"
    write_forms(seed_forms, path, evaluations=evaluate_batch(seed_forms), rescore=True)
    assert path.stat().st_size > 1000
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("ext", [".xlsx", ".docx", ".pdf", ".html"])
def test_each_writer_refuses_an_empty_batch(ext: str, tmp_path: Path) -> None:
    from jixiao.reports import write_layouts

    with pytest.raises(ValueError, match="没有可写出的表单"):
        write_forms([], tmp_path / f"out{ext}")
    with pytest.raises(ValueError, match="没有可写出的表单"):
        write_layouts([], tmp_path / f"out{ext}", title="空")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_refused_in_chinese(tmp_path: Path, seed_forms: list[Form]) -> None:
    with pytest.raises(ValueError, match="输出目录不存在"):
        write_forms(seed_forms, tmp_path / "missing" / "out.xlsx")
