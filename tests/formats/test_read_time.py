"""Issue 16: a read that takes longer than Limits.max_seconds is stopped with a ReadError naming the file —
enforced while reading (each reader looks at the clock once per page, table row or sheet row), not only by
the fuzz tests' watch. A read within its time is not affected."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.formats import ReadError
from jixiao.formats.limits import Limits
from jixiao.formats.registry import read_grids

ROOT = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLES = [ROOT / "templates" / f"hubei-2021.{ext}" for ext in ("html", "xlsx", "docx")] + \
    [ROOT / "pdf_new_row_after_page_break.pdf"]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_a_read_past_its_time_is_stopped_and_names_the_file(path: Path) -> None:
    data = path.read_bytes()
    assert read_grids(data, path.name)  # within the default time: read
    with pytest.raises(ReadError) as stopped:
        read_grids(data, path.name, limits=Limits(max_seconds=-1))  # the deadline has passed at once
    assert stopped.value.file == path.name
    assert "秒仍未完成" in stopped.value.message and "请只保留自评表" in stopped.value.message
