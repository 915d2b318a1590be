"""`jixiao inspect` shows the role of every row and the field of every cell."""

from __future__ import annotations

import io
from pathlib import Path

from jixiao.formats import layout, text
from jixiao.formats.inspect import inspect_path, render_html

SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"


def test_trace_gives_each_row_its_role_in_order() -> None:
    grids = text.read((SAMPLES / "mof2020-b.txt").read_bytes(), "b.txt")
    trace: list[layout.RowRole] = []
    layout.recognise(grids, trace)
    roles = [r.role for r in trace]
    assert roles[:5] == ["title", "year", "header", "header", "funds-header"]
    assert roles.count("funds") == 4 and roles.count("indicators") == 10 and roles[-1] == "total"
    first_indicator = next(r for r in trace if r.role == "indicators")
    assert {"level1", "level2", "name", "target", "actual", "weight", "score"} <= {f for _, f in first_indicator.fields}


def test_inspect_prints_roles_and_writes_html(tmp_path: Path) -> None:
    out = io.StringIO()
    page = tmp_path / "view.html"
    assert inspect_path(str(SAMPLES / "seed.txt"), html=str(page), out=out) == 0
    printed = out.getvalue()
    assert "共识别出自评表 11 张" in printed and "〔得分〕" in printed
    html = page.read_text(encoding="utf-8")
    assert "指标栏目" in html and "<small>完成值</small>" in html


def test_inspect_of_a_missing_file_says_so() -> None:
    out = io.StringIO()
    assert inspect_path("/nonexistent/x.docx", out=out) == 2
    assert "不存在" in out.getvalue()


def test_render_html_escapes_cell_text() -> None:
    grids = [text.read(b"\t<script>\n", "x.txt")[0]]
    assert "<script>" not in render_html("x", grids, [])


def test_inspect_shows_the_profile_chosen_and_its_evidence() -> None:
    out = io.StringIO()
    fixture = Path(__file__).parent.parent / "fixtures" / "templates" / "transfer-2020.html"
    assert inspect_path(str(fixture), out=out) == 0
    printed = out.getvalue()
    assert "评分规则 transfer-2020" in printed and "依据：" in printed and "“中央主管部门”" in printed
    assert "表头与栏目用语：" in printed and "资金使用单位" in printed
