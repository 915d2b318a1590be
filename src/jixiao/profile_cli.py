"""`jixiao profile init FILE [-o NEW.toml]` and `jixiao profile check NEW.toml FILE...` (issue 9, point 5).

init reads one filled form of a template no profile describes and writes a draft profile: the points,
the fund weight and whether it counts in the total, the columns and their wordings, the level-1 blocks,
with a comment (“# 推测”) wherever the form did not say and the draft had to guess. check shows how forms
score under a profile file, so that the draft can be corrected before it is used with --profile.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from jixiao.core.model import Form
from jixiao.core.profile_toml import COLUMN_FIELDS, REQUIRED_COLUMNS, parse_profile
from jixiao.core.profiles import ProfileError, column_attribute, stem
from jixiao.core.scoring import fmt
from jixiao.core.values import parse_number

GUESS = "  # 推测：请核对"
_BANDS_AND_GRADES = """
# 定性指标的得分档次（占分值的比例）与等级：按财预〔2020〕10号，请按本地规定核对。
[[qualitative_bands]]
tier = "达成"
low = 0.8
high = 1.0

[[qualitative_bands]]
tier = "部分达成并具有一定效果"
low = 0.6
high = 0.8

[[qualitative_bands]]
tier = "未达成且效果较差"
low = 0.0
high = 0.6

[[grades]]
minimum = 90
name = "优"

[[grades]]
minimum = 80
name = "良"

[[grades]]
minimum = 60
name = "中"

[[grades]]
minimum = 0
name = "差"
"""


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _sum(numbers: Iterable[Decimal | None]) -> Decimal | None:
    known = [n for n in numbers if n is not None]
    return sum(known, Decimal(0)) if known else None


def draft_profile(form: Form, name: str, source_file: str) -> str:
    """The text of a draft profile describing the template of one filled form."""
    weights = [i.weight for i in form.indicators if i.weight.strip()]
    percent = bool(weights) and all(w.strip().endswith(("%", "％")) for w in weights)
    weight_mode = "none" if not weights else ("percent" if percent else "points")
    weight_sum = _sum(parse_number(w) for w in weights)
    score_sum = _sum(i.score_number for i in form.indicators)
    scored = score_sum is not None or bool(form.total.score.strip())
    fund = form.fund("total") or (form.funds[0] if form.funds else None)
    fund_weight = parse_number(fund.weight) if fund else None
    fund_score = parse_number(fund.score) if fund else None
    printed_total = parse_number(form.total.score)
    points = {n: p for n, p in form.points.items() if p is not None}
    lines = [f"# 评分规则草稿：由 jixiao profile init 从 {source_file} 生成。标有“推测”的行是表中没有写明、"
             "由程序推测的，请逐项核对；", "# 核对后用 jixiao profile check 本文件 其他表格… 查看计分结果。", ""]
    lines.append(f"name = {_q(name)}")
    lines.append(f"title = {_q((form.title or '自评表') + '（' + name + '）')}")
    lines.append(f"source = {_q('由 ' + source_file + ' 的版式生成；请填写所依据的文件（文号）')}{GUESS}")
    year = f"{form.year}年起" if form.year else "年份未知"
    lines.append(f"years = {_q(year + '，请填写适用地区')}{GUESS}")
    lines.append(f"first_year = {form.year}{GUESS}" if form.year else "# first_year = 2022  # 表中没有年份")
    lines.append('regions = []  # 推测：适用地区，如 ["湖北省"]；空表示各地')
    lines.append("chosen_by_year = false  # 由表中依据识别，或用 --profile 指定")
    lines.append("")
    # The fund block: its weight, and whether its score is in the total.
    if fund_weight is None and fund_score is not None and fund is not None and fund.rate_value.number:
        rate = fund.rate_value.number / 100 if fund.rate_value.unit == "%" else fund.rate_value.number
        fund_weight = fund_score / rate if rate else None
        note = f"  # 推测：表中无分值，按得分 {fund.score} ÷ 执行率 {fund.rate} 算得"
    else:
        note = "" if fund_weight is not None else "  # 推测：表中没有预算执行分值"
    fund_weight = fund_weight if fund_weight is not None else Decimal(0)
    lines.append(f"fund_weight = {fmt(fund_weight.quantize(Decimal('0.01')).normalize())}{note}")
    in_total, why = _fund_in_total(printed_total, score_sum, fund_score)
    lines.append(f"fund_in_total = {'true' if in_total else 'false'}{why}")
    indicator_total = _indicator_total(points, weight_sum, percent, printed_total, fund_weight, in_total)
    lines.append(f"indicator_total = {fmt(indicator_total)}")
    total = indicator_total + (fund_weight if in_total else 0)
    lines.append(f"total = {fmt(total)}")
    lines += ['reverse_formula = "ratio"  # 推测：反向指标 A ÷ B × 分值', "overachievement_ratio = 1.3",
              "low_execution_rate = 0.9", ""]
    blocks = any(stem(n).startswith("年度绩效目标") for n in points)  # goal blocks are no level-1 category
    fixed = bool(points) and not blocks and sum(points.values(), Decimal(0)) == indicator_total
    lines.append("[category_points]" + ("" if fixed else "  # 表中没有（或不能合计为 indicator_total 的）一级指标分值：按表中所标"))
    if fixed:
        lines += [f"{_q(n)} = {fmt(p)}" for n, p in points.items()]
    lines += ["", "[level2_types]  # 表中所见的一级、二级指标"]
    tree: dict[str, list[str]] = {}
    for ind in form.indicators:
        if ind.level1 and ind.level2 and ind.level2 not in tree.setdefault(ind.level1, []):
            tree[ind.level1].append(ind.level2)
    lines += [f"{_q(l1)} = [{', '.join(map(_q, l2s))}]" for l1, l2s in tree.items()]
    lines.append(_BANDS_AND_GRADES)
    lines += _template_lines(form, weight_mode, scored, fixed)
    return "\n".join(lines) + "\n"


def _fund_in_total(printed: Decimal | None, scores: Decimal | None, fund: Decimal | None) -> tuple[bool, str]:
    if printed is not None and scores is not None:
        if fund is not None and printed == scores + fund:
            return True, f"  # 总分 {fmt(printed)} = 预算执行得分 {fmt(fund)} + 指标得分 {fmt(scores)}"
        if printed == scores:
            return False, f"  # 总分 {fmt(printed)} = 指标得分之和"
    return fund is not None, "  # 推测：总分与各项之和对不上，无法判断"


def _indicator_total(points: dict[str, Decimal], weights: Decimal | None, percent: bool, printed: Decimal | None,
                     fund_weight: Decimal, in_total: bool) -> Decimal:
    if points:
        return sum(points.values(), Decimal(0))
    if weights is not None and not percent:
        return weights
    return Decimal(100) - (fund_weight if in_total else 0)


def _template_lines(form: Form, weight_mode: str, scored: bool, fixed: bool) -> list[str]:
    split = any(i.target_nature or i.target_unit for i in form.indicators)
    lines = ["[template]", f'weight = "{weight_mode}"  # 指标分值：points 分、percent 权重占比、none 无分值栏',
             f'target = "{"split" if split else "whole"}"  # 指标值：whole 一格，split 分为指标性质、指标值、度量单位',
             f"scored = {'true' if scored else 'false'}",
             f'total = "{_total_place(form, scored)}"  # row 总分行，header 表头中的总分，none 无总分',
             f"points_from_form = {'false' if fixed else 'true'}",
             f"fund_block = {'true' if form.funds else 'false'}"]
    blocks = [n for n in form.points if stem(n).startswith("年度绩效目标")]
    if blocks:
        lines.append('goal_blocks = ["年度绩效目标"]')
    captions = [c for c in form.captions if c and c != form.title]
    lines.append(f"detect = [{', '.join(map(_q, captions[:3]))}]  # 推测：能区分本模板的表头用语，请删去通用的")
    names = [n for n in dict.fromkeys(i.level1 for i in form.indicators) if n]
    lines.append(f"level1_names = [{', '.join(map(_q, names))}]")
    columns = [f"{block} = [{', '.join(map(_q, fields))}]" for block, fields in _printed_columns(form).items()]
    return [*lines, "", "[template.columns]  # 推测：表中填有内容的栏目（jixiao 写出此模板的表时只印这些栏目）", *columns]


def _printed_columns(form: Form) -> dict[str, list[str]]:
    """Each block's columns that some row of the form fills, in the standard order (the required ones always)."""
    rows: dict[str, Any] = {"header": [form], "funds": form.funds, "indicators": form.indicators}
    return {block: [f for f in fields if f in REQUIRED_COLUMNS[block]
                    or any(getattr(r, column_attribute(f), "") for r in rows[block])]
            for block, fields in COLUMN_FIELDS.items()}


def _total_place(form: Form, scored: bool) -> str:
    if form.total.row is None and not form.total.score:
        return "none" if not scored else "row"
    return "row"


# ---------------------------------------------------------------------------------------------- commands


def cmd_init(args: argparse.Namespace) -> int:
    from jixiao import services

    batch = services.read_paths([args.file])
    if not batch.forms:
        problem = batch.problems[0].message if batch.problems else services.NO_FORM
        print(f"无法从 {args.file} 生成评分规则：{problem}", file=sys.stderr)
        return 2
    form = batch.forms[0]
    target = Path(args.output) if args.output else None
    name = (target.stem if target else Path(args.file).stem) or "my-profile"
    text = draft_profile(form, name, Path(args.file).name)
    try:
        parse_profile(text, str(target or name))
    except ProfileError as error:  # a draft that can't be read is a bug: say so, don't write it
        print(f"生成的草稿无法读取，未写出：{error}", file=sys.stderr)
        return 2
    if target is None:
        sys.stdout.write(text)
    else:
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
        print(f"已写出评分规则草稿 {target}（依据 {args.file} 的第 1 张表）。请核对标有“推测”的行，"
              f"再用 jixiao profile check {target} 表格… 查看计分结果。", file=sys.stderr)
    return 0


def cmd_profile_check(args: argparse.Namespace) -> int:
    from jixiao import streaming
    from jixiao.core.profiles import ProfileError

    try:
        return streaming.run_check(args.files, sys.stdout, fmt="text", min_severity=args.min_severity,
                                   profile=args.profile_file, jobs=1, progress=sys.stderr)
    except ProfileError as err:
        print(f"评分规则有误：{err}", file=sys.stderr)
        return 2


def register(sub: Any) -> None:
    """Add `jixiao profile init|check` to the command line's subcommands."""
    profile = sub.add_parser("profile", help="由一张表生成评分规则草稿，或查看表格按某评分规则的计分结果")
    actions = profile.add_subparsers(dest="profile_command", required=True, metavar="操作")
    init = actions.add_parser("init", help="从一张已填好的表生成评分规则草稿（TOML）")
    init.add_argument("file", metavar="表格文件")
    init.add_argument("-o", "--output", metavar="新规则.toml", help="写出的文件；不给则打印")
    init.set_defaults(handler=cmd_init)
    check = actions.add_parser("check", help="按评分规则文件复核表格，显示计分结果")
    check.add_argument("profile_file", metavar="规则.toml")
    check.add_argument("files", nargs="+", metavar="表格文件")
    check.add_argument("--min-severity", choices=("info", "warning", "error"), default="info")
    check.set_defaults(handler=cmd_profile_check)
