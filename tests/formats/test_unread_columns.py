"""A column the recogniser has no field for is named, never dropped in silence.

Published forms print columns no built-in template has: 偏差原因分析 and 改进措施 as two columns where MoF's
template has one (偏差原因分析及改进措施), a 备注 column, a 资金来源说明 beside the fund rows. Their cells used to
vanish from the record without a word; now each cell with text is kept aside (S02, with its row and its
column's caption), and the columns the form's template does have are read as before.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao import services
from jixiao.core.model import to_record
from jixiao.reports import forms_bytes

HEAD = """<html><head><meta charset="utf-8"></head><body><h3>项目支出绩效自评表</h3><p>（2021年度）</p>
<table border="1">
<tr><td colspan="2">项目名称</td><td colspan="8">社区卫生服务能力提升项目</td></tr>
<tr><td colspan="2">主管部门</td><td colspan="3">某市卫生健康委员会</td><td colspan="2">实施单位</td><td colspan="3">某市社区卫生服务中心</td></tr>
<tr><td colspan="2" rowspan="3">项目资金（万元）</td><td></td><td>年初预算数</td><td>全年预算数</td><td>全年执行数</td><td>分值</td><td>执行率</td><td>得分</td><td>{fund_extra}</td></tr>
<tr><td>年度资金总额</td><td>120</td><td>120</td><td>108</td><td>10</td><td>90%</td><td>9</td><td>{fund_note}</td></tr>
<tr><td>其中：财政拨款</td><td>120</td><td>120</td><td>108</td><td>—</td><td>90%</td><td>—</td><td></td></tr>
<tr><td rowspan="2">年度总体目标</td><td colspan="5">预期目标</td><td colspan="4">实际完成情况</td></tr>
<tr><td colspan="5">完成20家社区卫生服务中心设备配置。</td><td colspan="4">完成18家。</td></tr>
<tr><td rowspan="5">绩效指标</td><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>年度指标值</td><td>实际完成值</td><td>分值</td><td>得分</td><td>偏差原因分析</td><td>{extra}</td></tr>
<tr><td rowspan="2">产出指标（50分）</td><td>数量指标</td><td>配置设备的中心数量</td><td>≥20家</td><td>18家</td><td>30</td><td>27</td><td>2家招标流标</td><td>{note1}</td></tr>
<tr><td>质量指标</td><td>设备验收合格率</td><td>100%</td><td>100%</td><td>20</td><td>20</td><td></td><td>{note2}</td></tr>
<tr><td>效益指标（30分）</td><td>社会效益指标</td><td>居民就医便利程度</td><td>≥90%</td><td>95%</td><td>30</td><td>30</td><td></td><td></td></tr>
<tr><td>满意度指标（10分）</td><td>服务对象满意度指标</td><td>居民满意度</td><td>≥90%</td><td>92%</td><td>10</td><td>10</td><td></td><td></td></tr>
<tr><td colspan="6">总分</td><td>100</td><td>96</td><td colspan="2"></td></tr>
</table></body></html>"""


def _checked(**cells: str) -> tuple[object, list[object]]:
    html = HEAD.format(**{"fund_extra": "", "fund_note": "", "extra": "", "note1": "", "note2": "", **cells})
    batch = services.read_upload(html.encode(), "form.html")
    (form,) = batch.forms
    return form, services.evaluate(form).findings


def _kept_aside(findings: list[object]) -> list[str]:
    return [f.found for f in findings if f.code == "S02"]  # type: ignore[attr-defined]


def test_a_second_reason_column_is_read_as_the_measures_and_written_back() -> None:
    """偏差原因分析 | 改进措施 in two columns (MoF's template has one, 偏差原因分析及改进措施): the second is the
    indicator's measures, kept in the record and printed again by every writer."""
    form, findings = _checked(extra="改进措施", note1="重新组织招标")
    assert (form.indicators[0].reason, form.indicators[0].measures) == ("2家招标流标", "重新组织招标")
    assert to_record(form)["indicators"][0]["measures"] == "重新组织招标"
    assert _kept_aside(findings) == []
    assert not [f for f in findings if f.severity.value == "error"]  # type: ignore[attr-defined]
    for suffix in (".xlsx", ".docx", ".html"):
        out = forms_bytes([form], suffix.lstrip("."))
        (again,) = services.read_upload(out, "again" + suffix).forms
        assert [(i.reason, i.measures) for i in again.indicators] == [(i.reason, i.measures) for i in form.indicators]


def test_a_column_of_no_field_is_named_with_its_row_and_caption() -> None:
    _, findings = _checked(extra="整改责任人", note1="王五")
    assert _kept_aside(findings) == ["第9行“整改责任人”列（未读入）：王五"]


def test_a_column_no_template_names_is_named_in_the_fund_block_too() -> None:
    _, findings = _checked(fund_extra="资金来源说明", fund_note="市级财政安排")
    assert _kept_aside(findings) == ["第4行“资金来源说明”列（未读入）：市级财政安排"]


def test_an_empty_extra_column_says_nothing() -> None:
    _, findings = _checked(extra="备注")
    assert _kept_aside(findings) == []


@settings(max_examples=40, deadline=None)
@given(caption=st.sampled_from(["备注", "说明", "改进措施", "佐证材料", "责任人"]),
       texts=st.lists(st.text(alphabet="整改完成情况良好已落实下一步加强管理", min_size=1, max_size=12), min_size=2,
                      max_size=2))
def test_every_text_of_an_unknown_column_is_either_read_or_named(caption: str, texts: list[str]) -> None:
    form, findings = _checked(extra=caption, note1=texts[0], note2=texts[1])
    kept = _kept_aside(findings)
    for row, text in zip((9, 10), texts, strict=True):
        read = any(text in (i.reason, i.measures, i.name, i.target, i.actual) for i in form.indicators)
        assert read or any(k.startswith(f"第{row}行") and k.endswith(text) for k in kept), (text, kept)
