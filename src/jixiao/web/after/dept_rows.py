"""Adding and removing the repeatable rows of the department-wide form in its editor: fund rows (one per 资金类别),
the inputs of computed indicators (依据名称 / 数值) and the indicator rows.

The editor posts the cells of the rows it keeps as "cell:<block>[<i>].<field>", the rows removed as
remove=<block>[<i>], and the rows added in the browser as "cell:<block>[+<n>].<field>" (a fund row also its
"cell:funds[+<n>].kind"). rows_applied() turns that into the record with the rows removed and added, and the
cells renumbered to the record's new rows, for jixiao.core.dept.with_cells to write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from jixiao.core.dept import FUND_FIELDS, FUND_KINDS, FUND_LABELS, INDICATOR_FIELDS, DeptForm, DeptIndicator
from jixiao.core.dept_rules import DeptProfile
from jixiao.web.forms.errors import ServiceError

BLOCKS = ("funds", "inputs", "indicators")
BLOCK_LABELS = {"funds": "资金行", "inputs": "依据行", "indicators": "指标行"}
NEW = "__n__"  # in the browser's row templates: the number of a row added there
_ROW = re.compile(r"^(funds|inputs|indicators)\[(\d+)\]$")
_CELL = re.compile(r"^(funds|inputs|indicators)\[(\+?)(\d+)\]\.(\w+)$")
MAX_NEW = 200


def _blank(block: str, kind: str = "") -> dict[str, str]:
    if block == "funds":
        return {"kind": kind, "label": "", **dict.fromkeys(FUND_FIELDS, "")}
    if block == "inputs":
        return {"name": "", "value": ""}
    return dict.fromkeys(INDICATOR_FIELDS, "")


def rows_applied(record: Mapping[str, Any], cells: Mapping[str, str], removed: Iterable[str]
                 ) -> tuple[dict[str, Any], dict[str, str]]:
    """The record with the removed rows left out and the new rows appended to their blocks, and the cells at
    the record's new paths. A new row whose cells are all blank is not added."""
    rows = {b: [dict(r) for r in record.get(b) or []] for b in BLOCKS}
    gone: dict[str, set[int]] = {b: set() for b in BLOCKS}
    for ref in removed:
        m = _ROW.match(ref)
        if not m or not 0 <= int(m.group(2)) < len(rows[m.group(1)]):
            raise ServiceError(f"要删除的行“{ref}”不在表中，可能已被他人修改，请刷新后重试。")
        gone[m.group(1)].add(int(m.group(2)))
    kept = {b: [i for i in range(len(rows[b])) if i not in gone[b]] for b in BLOCKS}
    moved = {b: {old: new for new, old in enumerate(kept[b])} for b in BLOCKS}
    out_cells: dict[str, str] = {}
    added: dict[tuple[str, int], dict[str, str]] = {}
    for path, text in cells.items():
        m = _CELL.match(path)
        if not m:
            out_cells[path] = text  # not a row's cell: with_cells decides
            continue
        block, plus, index, key = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        if plus:
            added.setdefault((block, index), {})[key] = text
        elif index in gone[block]:
            continue
        elif index in moved[block]:
            out_cells[f"{block}[{moved[block][index]}].{key}"] = text
        else:
            out_cells[path] = text  # a row not in the record: with_cells names it
    if len(added) > MAX_NEW:
        raise ServiceError(f"一次最多添加 {MAX_NEW} 行。")
    new_rows = {b: [rows[b][i] for i in kept[b]] for b in BLOCKS}
    kinds = {r.get("kind") for r in new_rows["funds"]}
    for (block, _), typed in sorted(added.items(), key=lambda item: (BLOCKS.index(item[0][0]), item[0][1])):
        kind = typed.pop("kind", "").strip()
        if not any(v.strip() for v in typed.values()):
            continue  # an added row left blank
        if block == "funds":
            if kind not in FUND_KINDS:
                raise ServiceError(f"新增资金行的资金类别应为{'、'.join(FUND_LABELS.values())}之一。")
            if kind in kinds:
                raise ServiceError(f"资金类别「{FUND_LABELS[kind]}」已有一行，请直接修改该行。")
            kinds.add(kind)
        n = len(new_rows[block])
        new_rows[block].append(_blank(block, kind))
        out_cells.update({f"{block}[{n}].{key}": text for key, text in typed.items()})
    return {**record, **new_rows}, out_cells


def editor_rows(rows: Sequence[Sequence[Any]], profile: DeptProfile) -> list[dict[str, Any]]:
    """The layout's rows for the editor, each with the repeatable row it shows ("indicators[3]", or "") and,
    for the row below which a block's added rows go when it has none, that block (anchor)."""
    banners = {profile.layout.fund_caption: "funds", profile.layout.inputs_caption: "inputs",
               profile.layout.indicators_caption: "indicators"}
    out = []
    for cells in rows:
        ref = next((m.group(0) for c in cells if (m := re.match(r"^(funds|inputs|indicators)\[\d+\]", c.key))), "")
        texts = [c.text for c in cells]
        anchor = banners.get(texts[0], "") if len(texts) == 1 else ""
        out.append({"cells": cells, "ref": ref, "block": ref.split("[")[0] if ref else "", "anchor": anchor})
    # the indicators' and the inputs' column captions sit below their banners: added rows go under them
    for n, row in enumerate(out[:-1]):
        if row["anchor"] in ("indicators", "inputs", "funds") and not out[n + 1]["ref"] and not out[n + 1]["anchor"]:
            out[n + 1]["anchor"], row["anchor"] = row["anchor"], ""
    return out


def new_row_templates(form: DeptForm, profile: DeptProfile) -> dict[str, Any]:
    """Per block, the cells of a blank row as the editor shows it (keys "<block>[+__n__].<field>"), and the fund
    kinds a new fund row may take (those not yet on the form)."""
    from jixiao.reports.dept import build_dept_layout

    extra = replace(form, indicators=(*form.indicators, DeptIndicator("")), inputs=(*form.inputs, ("", "")))
    layout = build_dept_layout(extra, profile)
    found: dict[str, list[dict[str, Any]]] = {}
    for block, index in (("indicators", len(form.indicators)), ("inputs", len(form.inputs))):
        prefix = f"{block}[{index}]."
        row = next(r for r in layout.rows if any(c.key.startswith(prefix) for c in r))
        found[block] = [{"key": c.key.replace(prefix, f"{block}[+{NEW}]."), "colspan": c.colspan, "role": c.role}
                        for c in row]
    used = {f.kind for f in form.funds}
    labels = dict(profile.layout.fund_rows)
    kinds = [(k, labels.get(k, FUND_LABELS[k])) for k in FUND_KINDS if k not in used]
    found["funds"] = [{"key": f"funds[+{NEW}].kind", "colspan": layout.width - len(FUND_FIELDS), "role": "value",
                       "choices": kinds}] + [{"key": f"funds[+{NEW}].{c}", "colspan": 1, "role": "value"}
                                              for c in FUND_FIELDS]
    return {"blocks": found, "fund_kinds": kinds, "labels": BLOCK_LABELS, "placeholder": NEW}
