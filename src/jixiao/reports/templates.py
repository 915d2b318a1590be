"""The printed templates of the self-evaluation form (docs/domain.md §2): captions, block positions,
column widths; and the same template in a profile's wording ([template.wording] of its TOML file).

A third template is one more Template; a province's wording needs no code, only its profile.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from jixiao.core.model import Form
from jixiao.core.profiles import Template as Wording
from jixiao.core.profiles import column_attribute

__all__ = ["FUND_FIELDS", "MOF_2020", "OPTIONAL_CAPTIONS", "SEED_2019", "TEMPLATES", "Template", "Wording",
           "choose_template", "columned", "fitted", "split_title", "worded"]


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
    # (field, label) of the header rows, two to a row
    header_labels: tuple[tuple[str, str], ...] = (
        ("project", "项目名称"), ("leader", "项目负责人及电话"), ("department", "主管部门"), ("unit", "实施单位"))
    fund_fields: tuple[str, ...] = ("initial", "annual", "executed", "weight", "rate", "score")  # of fund_captions
    funds_caption_span: int = 2  # columns of the block caption 项目资金（万元）
    indicator_spans: tuple[int, ...] = ()  # columns of each indicator column, () for one each
    fund_block: bool = True  # False: a form with no fund rows gets no fund block (决策/过程 frameworks)
    goals_block: bool = True  # False: a form with no goals gets no 年度总体目标 block
    goal_words: tuple[str, ...] = ()  # headings of the goal blocks the template prints (年度绩效目标)

    @property
    def width(self) -> int:
        return len(self.widths)

    def label(self, field: str) -> str:
        return dict(self.header_labels)[field]

    @property
    def indicator_positions(self) -> tuple[tuple[str, str, int, int], ...]:
        """(field, caption, first column, span) of every indicator column; column 0 is the block caption."""
        spans = self.indicator_spans or (1,) * len(self.indicator_columns)
        out, col = [], 1
        for (name, caption), span in zip(self.indicator_columns, spans, strict=True):
            out.append((name, caption, col, span))
            col += span
        return tuple(out)


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


# The captions of the optional fields of a record, by field: the column a standard template lacks as the
# writers print it, and the editor's heading of that column (web/presenters).
OPTIONAL_CAPTIONS = {
    "target_nature": "指标性质",
    "target_unit": "度量单位",
    "formula": "评分标准",  # 得分计算方法 / 评分标准: the scoring rule, not an indicator's 计算公式 (core/library)
    "core": "是否核心指标",
    "measures": "改进措施",
    "block": "所属目标",
    "received": "到位数",
    "reason": "原因",
    "local_department": "地方主管部门",
}
# Captions of every column, the optional ones above; and every column's width (spreadsheet character units).
CAPTIONS = {
    "project": "项目名称", "leader": "项目负责人及电话", "department": "主管部门",
    "local_department": OPTIONAL_CAPTIONS["local_department"], "unit": "实施单位",
    "funds.initial": "年初预算数", "funds.annual": "全年预算数", "funds.executed": "全年执行数", "funds.weight": "分值",
    "funds.rate": "执行率", "funds.score": "得分", "funds.reason": OPTIONAL_CAPTIONS["reason"],
    "funds.received": OPTIONAL_CAPTIONS["received"],
    "indicators.level1": "一级指标", "indicators.level2": "二级指标", "indicators.name": "三级指标",
    "indicators.weight": "分值", "indicators.weight_repeat": "分值", "indicators.target": "年度指标值",
    "indicators.actual": "实际完成值", "indicators.score": "得分", "indicators.reason": "偏差原因分析及改进措施",
    **{f"indicators.{c}": OPTIONAL_CAPTIONS[column_attribute(c)] for c in ("target_op", "target_unit", "formula", "core",
                                                                                 "measures")},
}
WIDTHS = {"level1": 8, "level2": 10, "name": 18, "weight": 6, "weight_repeat": 6, "target": 11, "target_op": 6,
          "target_unit": 6, "actual": 11, "formula": 20, "core": 6, "score": 6, "reason": 16,
          "measures": 16}
# The order columns are added in where a template lacks one that a form prints (Template.fitted).
INDICATOR_ORDER = ("level1", "level2", "name", "target_op", "target", "target_unit", "actual", "weight",
                   "weight_repeat", "formula", "score", "reason", "measures", "core")
FUND_ORDER = ("initial", "annual", "received", "executed", "weight", "rate", "score", "reason")
HEADER_ORDER = ("project", "leader", "department", "local_department", "unit")


def worded(base: Template, wording: Wording | None) -> Template:
    """The template in a profile's wording and columns, as its published forms print it: the columns its
    [template.columns] lists (else the standard ones), captioned as its [template.wording] names them, else
    as its recogniser first reads a field (header labels, fund and indicator columns), else as standard."""
    if wording is None:
        return base
    said = dict(wording.wording)
    for word, field_ in wording.header:
        said.setdefault(field_, word)
    for word, field_ in wording.fund_columns:
        said.setdefault(f"funds.{field_}", word)
    for word, field_ in wording.indicator_columns:
        if wording.target == "split" and field_ == "target":
            continue  # a split target's 指标值 is no whole target's caption
        said.setdefault(f"indicators.{field_}", word)
    if wording.target == "split":
        said.setdefault("indicators.target", "指标值")
    t = base
    if said:
        t = replace(
            base,
            title=said.get("title", base.title),
            header_labels=tuple((f, said.get(f, label)) for f, label in base.header_labels),
            funds_caption=said.get("funds", base.funds_caption),
            fund_captions=tuple(said.get(f"funds.{f}", c) for f, c in zip(base.fund_fields, base.fund_captions,
                                                                           strict=True)),
            indicator_columns=tuple((f, said.get(f"indicators.{f}", c)) for f, c in base.indicator_columns),
        )
    t = replace(t, fund_block=wording.fund_block, goals_block=wording.goals_block, goal_words=wording.goal_blocks)
    if wording.header_fields or wording.fund_fields or wording.indicator_fields:
        t = columned(t, wording.header_fields or tuple(f for f, _ in t.header_labels),
                     wording.fund_fields or t.fund_fields,
                     wording.indicator_fields or tuple(f for f, _ in t.indicator_columns), said)
    return t


def columned(t: Template, header: Sequence[str], funds: Sequence[str], indicators: Sequence[str],
             said: Mapping[str, str] | None = None) -> Template:
    """The template with these columns: the captions it has for them, else the profile's (said), else
    CAPTIONS; column widths from WIDTHS, the 三级指标 column spanning what a wider fund block needs."""
    said = said or {}
    if (tuple(header) == tuple(f for f, _ in t.header_labels) and tuple(funds) == t.fund_fields
            and tuple(indicators) == tuple(f for f, _ in t.indicator_columns)):
        return t
    heads, fund_caps, ind_caps = dict(t.header_labels), dict(zip(t.fund_fields, t.fund_captions, strict=True)), \
        dict(t.indicator_columns)

    def caption(block: str, name: str, own: Mapping[str, str]) -> str:
        where = f"{block}.{name}" if block else name
        text = own.get(name) or said.get(where) or CAPTIONS[where]
        if where == "indicators.reason" and "measures" in indicators:  # 改进措施 has its own column
            text = re.sub(r"[及和与、/]?改进措施$", "", text) or text
        return text

    fields = tuple(indicators)
    width = 1 + len(fields)
    label_span = width - 2 - len(funds)
    caption_span = 2
    if label_span < 1:
        caption_span, label_span = 1, max(1, width - 1 - len(funds))
    extra = max(0, caption_span + label_span + len(funds) - width)
    spans = tuple(1 + extra if f == "name" else 1 for f in fields) if extra else ()
    widths: list[float] = [6 if width >= 9 else 8]  # the block captions', and a narrow table's header labels'
    for f in fields:
        if f == "name" and extra:
            widths += [WIDTHS[f] / (1 + extra)] * (1 + extra)
        else:
            widths.append(WIDTHS.get(f, 8))
    return replace(
        t,
        widths=tuple(widths),
        header_labels=tuple((f, caption("", f, heads)) for f in header),
        fund_fields=tuple(funds),
        fund_captions=tuple(caption("funds", f, fund_caps) for f in funds),
        fund_label_span=label_span,
        funds_caption_span=caption_span,
        indicator_columns=tuple((f, caption("indicators", f, ind_caps)) for f in fields),
        indicator_spans=spans,
        goal_spans=(width // 2 - 1, width - 2 - (width // 2 - 1)),
    )


def _inserted(fields: Sequence[str], wanted: Sequence[str], order: Sequence[str]) -> tuple[str, ...]:
    """The fields with the wanted ones added, each after the last field before it in `order`."""
    out = list(fields)
    for name in wanted:
        if name in out:
            continue
        before = order[: order.index(name)]
        at = max((i + 1 for i, f in enumerate(out) if f in before), default=0)
        out.insert(at, name)
    return tuple(out)


def fitted(t: Template, form: Form) -> Template:
    """The template with a column for every field the form prints that it lacks: a form written out loses
    no cell it was read with (a 评分标准 under a template without one, scores under a no-score template)."""
    ind = [f for f, _ in t.indicator_columns]
    wanted = [f for f in ("target", "actual", "weight", "formula", "score", "reason", "measures", "core")
              if any(getattr(i, f) for i in form.indicators)]
    if any(i.weight_repeat is not None for i in form.indicators) and "weight" in ind:
        wanted.append("weight_repeat")
    if "target" not in ind and "target_op" not in ind and any(getattr(i, column_attribute(c))
                                                              for c in ("target_op", "target_unit")
                                                              for i in form.indicators):
        wanted.append("target")
    funds = [f for f in FUND_ORDER if any(getattr(r, f) for r in form.funds)]
    header = [f for f in ("leader", "local_department") if getattr(form, f)]
    return columned(t, _inserted([f for f, _ in t.header_labels], header, HEADER_ORDER),
                    _inserted(t.fund_fields, funds, FUND_ORDER), _inserted(ind, wanted, INDICATOR_ORDER))


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
