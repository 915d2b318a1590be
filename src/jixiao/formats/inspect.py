"""`jixiao inspect`: the grid of a file with the role the recogniser gave each row and cell.

A visual debug view in the manner of pdfplumber's: when a file reads wrongly, this shows why.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from jixiao.core.model import Form
from jixiao.formats import ReadError, Skipped
from jixiao.formats.grid import Grid
from jixiao.formats.layout import RowRole, recognise
from jixiao.formats.layout_words import clean

ROLE_NAMES = {
    "title": "标题",
    "year": "年度",
    "header": "表头",
    "funds-header": "资金栏目",
    "funds": "资金",
    "goals-header": "目标栏目",
    "goals": "目标",
    "indicators-header": "指标栏目",
    "indicators": "指标",
    "total": "总分",
    "note": "注释",
    "unplaced": "未识别",
    "outside": "表外",
}
FIELD_NAMES = {
    "initial": "年初预算数",
    "annual": "全年预算数",
    "executed": "全年执行数",
    "weight": "分值",
    "weight_repeat": "分值（重复栏）",
    "rate": "执行率",
    "score": "得分",
    "planned": "年初目标",
    "achieved": "完成情况",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "指标值",
    "target_op": "指标性质",
    "target_unit": "度量单位",
    "actual": "完成值",
    "reason": "原因",
    "formula": "得分计算方法",
    "core": "是否核心指标",
    "measures": "改进措施",
}
COLOURS = {
    "title": "#eef",
    "year": "#eef",
    "header": "#e8f0fe",
    "funds-header": "#fde9c8",
    "funds": "#fff4e0",
    "goals-header": "#d9f2d9",
    "goals": "#ecf9ec",
    "indicators-header": "#e4dcf5",
    "indicators": "#f3effb",
    "total": "#d6eef5",
    "note": "#f4f4e0",
    "unplaced": "#f9d0d0",
    "outside": "#eeeeee",
}


def load(path: str) -> tuple[str, list[Grid]]:
    from jixiao.formats.registry import iter_inputs, read_grids

    for item in iter_inputs([path]):
        if isinstance(item, Skipped):
            continue  # a member not read (a Mac zip's __MACOSX/, an unknown type): look at the next
        if isinstance(item, ReadError):
            raise item
        name, data = item
        return name, read_grids(data, name)
    raise ReadError("没有找到可读取的文件。", path)


def _roles(trace: Sequence[RowRole]) -> dict[tuple[int, int], RowRole]:
    return {(r.grid, r.row): r for r in trace}


def render_text(grids: Sequence[Grid], trace: Sequence[RowRole]) -> str:
    roles = _roles(trace)
    lines: list[str] = []
    for g, grid in enumerate(grids):
        lines.append(f"== 表格 {g + 1} {grid.sheet} ==")
        for number, cells in enumerate(grid.rows, 1):
            role = roles.get((g, number))
            if role is None:
                continue
            fields = dict(role.fields)
            shown = []
            for cell in cells:
                if not clean(cell.text):
                    continue
                name = FIELD_NAMES.get(fields.get(cell.col, ""), "")
                shown.append(clean(cell.text)[:24] + (f"〔{name}〕" if name else ""))
            form = f"表{role.form}" if role.form else "  "
            lines.append(f"{number:4d} {form:>4} {ROLE_NAMES[role.role]:<6} " + " | ".join(shown))
    return "\n".join(lines) + "\n"


def render_html(name: str, grids: Sequence[Grid], trace: Sequence[RowRole]) -> str:
    roles = _roles(trace)
    legend = "".join(
        f'<span class="key" style="background:{COLOURS[k]}">{v}</span>' for k, v in ROLE_NAMES.items()
    )
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>识别结果：{html.escape(name)}</title><style>",
        "body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;margin-bottom:2em}"
        "td{border:1px solid #999;padding:2px 6px;font-size:13px;vertical-align:top}"
        ".role{color:#555;font-size:12px;white-space:nowrap}.key{padding:2px 8px;margin-right:4px}"
        "small{color:#36c;display:block}",
        "</style></head><body>",
        f"<h1>识别结果：{html.escape(name)}</h1><p>{legend}</p>",
    ]
    for g, grid in enumerate(grids):
        parts.append(f"<h2>表格 {g + 1} {html.escape(grid.sheet)}</h2><table>")
        for number, cells in enumerate(grid.rows, 1):
            role = roles.get((g, number))
            kind = role.role if role else "outside"
            fields = dict(role.fields) if role else {}
            label = f"第{number}行 {ROLE_NAMES[kind]}" + (f" 表{role.form}" if role and role.form else "")
            parts.append(f"<tr style='background:{COLOURS[kind]}'><td class='role'>{label}</td>")
            for cell in cells:
                field = FIELD_NAMES.get(fields.get(cell.col, ""), "")
                tag = f"<small>{field}</small>" if field else ""
                parts.append(
                    f"<td rowspan='{cell.rowspan}' colspan='{cell.colspan}'>"
                    f"{html.escape(cell.text).replace(chr(10), '<br>')}{tag}</td>"
                )
            parts.append("</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def evidence_lines(forms: Sequence[Form]) -> list[str]:
    """For each form: the profile chosen for it, why, and the wordings it was chosen from."""
    from jixiao.profile_files import builtin_set

    lines = []
    for n, form in enumerate(forms, 1):
        choice = builtin_set().choose(form)
        lines.append(f"表{n} {form.project or '（无项目名称）'}：评分规则 {choice.profile.name}（{choice.profile.title}）；"
                     f"{choice.reason}")
        if form.captions:
            lines.append(f"    表头与栏目用语：{'、'.join(dict.fromkeys(form.captions))}")
    return lines


def inspect_path(path: str, *, html: str | None = None, out: TextIO) -> int:
    """Print the roles of a file's rows; write the HTML view too when asked. Returns the exit code."""
    try:
        name, grids = load(path)
    except ReadError as err:
        print(f"无法读取 {err.file or path}：{err.message}", file=out)
        return 2
    trace: list[RowRole] = []
    forms = recognise(grids, trace)
    out.write(render_text(grids, trace))
    print(f"共识别出自评表 {len(forms)} 张。", file=out)
    for line in evidence_lines(forms):
        print(line, file=out)
    if html:
        Path(html).write_text(render_html(name, grids, trace), encoding="utf-8")
        print(f"已写出识别结果页面 {html}", file=out)
    return 0
