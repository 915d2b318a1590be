"""The printed templates of the self-evaluation form (docs/domain.md §2): captions, block positions,
column widths; and the same template in a profile's wording ([template.wording] of its TOML file).

A third template is one more Template; a province's wording needs no code, only its profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from jixiao.core.model import Form
from jixiao.core.profiles import Template as Wording

__all__ = ["FUND_FIELDS", "MOF_2020", "SEED_2019", "TEMPLATES", "Template", "Wording", "choose_template", "split_title", "worded"]


@dataclass(frozen=True)
class Template:
    """One printed template: its captions, the positions of its blocks, its column widths."""

    key: str
    title: str
    widths: tuple[float, ...]  # column widths in spreadsheet character units (a CJK character ≈ 2)
    landscape: bool
    funds_caption: str
    fund_label_span: int  # columns of the row label (年度资金总额：…)
    fund_captions: tuple[str, ...]  # initial, annual, executed, weight, rate, score
    goals_caption: str
    goal_captions: tuple[str, str]  # planned, achieved
    goal_spans: tuple[int, int]
    indicators_caption: str
    # (field, caption) of the indicator columns from column 1 on; field "weight_repeat" is the
    # seed's second 分值 column.
    indicator_columns: tuple[tuple[str, str], ...]
    # (field, label) of the header rows
    header_labels: tuple[tuple[str, str], ...] = (
        ("project", "项目名称"), ("leader", "项目负责人及电话"), ("department", "主管部门"), ("unit", "实施单位"))

    @property
    def width(self) -> int:
        return len(self.widths)

    def label(self, field: str) -> str:
        return dict(self.header_labels)[field]


SEED_2019 = Template(
    key="seed-2019",
    title="绩效目标自评表",
    widths=(6, 12, 12, 22, 6, 11, 12, 6, 7, 21),
    landscape=True,
    funds_caption="资金情况（万元）",
    fund_label_span=2,
    fund_captions=("年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A)", "得分"),
    goals_caption="年度总体目标",
    goal_captions=("年初设定目标", "年度总体目标完成情况综述"),
    goal_spans=(4, 4),
    indicators_caption="绩效指标",
    indicator_columns=(
        ("level1", "一级指标"),
        ("level2", "二级指标"),
        ("name", "三级指标"),
        ("weight", "分值"),
        ("target", "年度指标值"),
        ("actual", "全年实际完成值"),
        ("weight_repeat", "分值"),
        ("score", "得分"),
        ("reason", "未完成原因及拟采取的改进措施"),
    ),
)

MOF_2020 = Template(
    key="mof-2020",
    title="项目支出绩效自评表",
    widths=(4, 8, 12, 20, 12, 12, 7, 7, 16),
    landscape=False,
    funds_caption="项目资金（万元）",
    fund_label_span=1,
    fund_captions=("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
    goals_caption="年度总体目标",
    goal_captions=("预期目标", "实际完成情况"),
    goal_spans=(4, 3),
    indicators_caption="绩效指标",
    indicator_columns=(
        ("level1", "一级指标"),
        ("level2", "二级指标"),
        ("name", "三级指标"),
        ("target", "年度指标值"),
        ("actual", "实际完成值"),
        ("weight", "分值"),
        ("score", "得分"),
        ("reason", "偏差原因分析及改进措施"),
    ),
)

TEMPLATES = (SEED_2019, MOF_2020)
FUND_FIELDS = ("initial", "annual", "executed", "weight", "rate", "score")
_TITLE_YEAR = re.compile(r"^(.*?)\s*[（(]\s*((?:19|20)\d{2})\s*年度?\s*[)）]\s*$")


def worded(base: Template, wording: Wording | None) -> Template:
    """The template in a profile's wording, as its published forms print it: the captions its
    [template.wording] names, else the first caption its recogniser reads for a field (header labels,
    fund and indicator columns), else the standard ones."""
    if wording is None:
        return base
    said = dict(wording.wording)
    for word, field_ in wording.header:
        said.setdefault(field_, word)
    for word, field_ in wording.fund_columns:
        said.setdefault(f"funds.{field_}", word)
    for word, field_ in wording.indicator_columns:
        said.setdefault(f"indicators.{field_}", word)
    if not said:
        return base
    return replace(
        base,
        title=said.get("title", base.title),
        header_labels=tuple((f, said.get(f, label)) for f, label in base.header_labels),
        funds_caption=said.get("funds", base.funds_caption),
        fund_captions=tuple(said.get(f"funds.{f}", c) for f, c in zip(FUND_FIELDS, base.fund_captions, strict=True)),
        indicator_columns=tuple((f, said.get(f"indicators.{f}", c)) for f, c in base.indicator_columns),
    )


def choose_template(form: Form) -> Template:
    """The template a form was printed in: by its fund rows, its second 分值 column, its title, its year."""
    if any(f.kind == "carryover" for f in form.funds):
        return MOF_2020
    if any(i.weight_repeat is not None for i in form.indicators):
        return SEED_2019
    title = re.sub(r"\s", "", form.title)
    if "项目支出" in title:
        return MOF_2020
    if "目标自评" in title:
        return SEED_2019
    return MOF_2020 if (form.year or 0) >= 2020 else SEED_2019


def split_title(title: str, year: int | None) -> tuple[str, int | None]:
    """"项目支出绩效自评表 (2022年度)" → ("项目支出绩效自评表", 2022): the year goes on its own line."""
    m = _TITLE_YEAR.match(title)
    if m and (year is None or int(m.group(2)) == year):
        return m.group(1), int(m.group(2))
    return title, year
