"""What a budget official reads on the form pages: the fund block's formulas in words, not in code notation
(core's "10 × min(75.60%, 1)"); a profile by its title, not its program name (local-2019); a rule's source as
the documents it names, without the project's research tags ([K], [I]) or pointers into its docs."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

from jixiao.web import presenters
from jixiao.web.templatetags.jixiao_tags import official_source, profile_title

PROFILE_NAMES = re.compile(r"\b(?:local-2019|mof-20\d\d|template-free|[a-z]+-20\d\d)\b")


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def test_the_fund_score_is_read_as_rate_times_weight_with_its_cap() -> None:
    assert presenters.fund_score_in_words(Decimal("0.56"), Decimal("5.6"), Decimal(10), "") == \
        "执行率 56.00%（不超过 100%）× 分值 10 = 5.60"
    assert presenters.fund_score_in_words(Decimal("1.2"), Decimal(10), Decimal(10), "") == \
        "执行率 120.00%（超过 100% 按 100% 计）× 分值 10 = 10.00"
    assert presenters.fund_score_in_words(None, None, Decimal(10), "未填写全年执行数，无法计算执行率") == \
        "未填写全年执行数，无法计算执行率"  # core's reason where there is no score


def test_the_form_page_shows_the_fund_formulas_in_words(web_cast: Any) -> None:
    page = _page(web_cast.client("clerk_a"), f"/forms/{web_cast.form_a.pk}/")
    assert "min(" not in page
    assert "执行率 75.60%（不超过 100%）× 分值 10 = 7.56" in page  # the seed's first form: 7.56 of 10 spent
    assert "执行率 = 全年执行数 7.56 ÷ 全年预算数 10 = 75.60%" in page


def test_the_editors_live_evaluation_sends_the_fund_formulas_in_words(web_cast: Any) -> None:
    from web_helpers import editor_post

    form = web_cast.form_a
    data = editor_post(form.record, web_cast.unit_a.pk, form.version)
    words = web_cast.client("clerk_a").post("/forms/evaluate/", data).json()["words"]
    assert words == {"execution": "执行率 = 全年执行数 7.56 ÷ 全年预算数 10 = 75.60%",
                     "fund": "执行率 75.60%（不超过 100%）× 分值 10 = 7.56"}


def test_the_words_use_the_fund_weight_the_form_prints_as_the_scorer_does(web_cast: Any) -> None:
    """A form printing a fund 分值 of 20 where its profile's is 10 is scored with its own 20 (scoring.fund_weight):
    the words took the profile's 10 and said 7.56 where the score was 15.12."""
    from jixiao import services
    from jixiao.core.model import from_record

    record = dict(web_cast.form_a.record)
    record["funds"] = [dict(record["funds"][0], weight="20"), *record["funds"][1:]]
    form = from_record(record)
    card = services.evaluate(form, "local-2019").scorecard
    assert card.fund_score == Decimal("15.12")
    assert presenters.fund_words(form, card)["fund"] == "执行率 75.60%（不超过 100%）× 印出的分值 20 = 15.12"


def test_the_form_page_and_the_editor_name_the_profile_by_its_title(web_cast: Any) -> None:
    client = web_cast.client("clerk_a")
    detail = _page(client, f"/forms/{web_cast.form_a.pk}/")
    assert "评分规则：绩效目标自评表（2019年及以前地方模板）" in detail
    editor = _page(client, f"/forms/{web_cast.form_a.pk}/edit/")
    options = re.findall(r"<option value=\"[^\"]*\"[^>]*>([^<]*)</option>", editor)
    assert "财政部项目支出绩效自评表（2020年起）" in options
    assert not [o for o in options if PROFILE_NAMES.search(o)], options
    assert profile_title("gone-2020") == "gone-2020"  # a profile no longer there: its name, not nothing


def test_a_rules_source_is_shown_as_the_documents_it_names() -> None:
    assert official_source("《预算法》第十四条（[K]）；部门整体支出绩效自评随部门决算公开（[I]）") == \
        "《预算法》第十四条；部门整体支出绩效自评随部门决算公开（本系统设定）"
    assert official_source("财预〔2020〕10号 [K]；达州市商务局 结果应用（docs/cycle.md §6.4 Dazhou）；核减比例为本地设置") == \
        "财预〔2020〕10号；达州市商务局 结果应用；核减比例为本地设置"
    assert official_source("财预〔2020〕10号 附件3（参考提纲）[K]；章节顺序见 docs/cycle.md §5.2（Report-guide）") == \
        "财预〔2020〕10号 附件3（参考提纲）"


def test_the_publication_page_shows_no_research_tags(web_cast: Any) -> None:
    page = _page(web_cast.client("finance"), "/year/publication/")
    assert "《预算法》第十四条" in page
    assert not re.search(r"\[(?:K|V|V2|I|V-code[^\]]*)\]", page)


def test_no_finding_of_the_seed_shows_the_formula_in_code_notation() -> None:
    from web_helpers import SEED

    from jixiao import services as core_services

    evaluations = core_services.evaluate_batch(core_services.read_paths([SEED]).forms)
    messages = [f.message for e in evaluations for f in e.findings]
    assert not [m for m in messages if "min(" in m]
    assert "预算执行得分印为 10，应为 5.60：执行率 56.00%（不超过 100%）× 分值 10 = 5.60" in messages


def test_the_publication_list_says_each_forms_year(demo_passwords: Any) -> None:
    from django.test import Client

    client = Client()
    assert client.login(username="finance", password="pw-for-tests")
    page = _page(client, "/year/publication/")
    assert "<th>年度</th><th>项目</th>" in page
    rows = re.findall(r"<tr class=\"[a-z ]+\"><td>(\d{4})</td>", page)
    assert {"2019", "2020"} <= set(rows)  # one project of several years is told apart by its year


def test_a_finding_outside_the_indicators_names_the_part_of_the_form_it_is_in(web_cast: Any) -> None:
    page = _page(web_cast.client("clerk_a"), f"/forms/{web_cast.form_a.pk}/")
    assert "<td>资金情况 · 全年执行数</td>" in page  # A06: the fund block's 全年执行数 left blank
    assert "<td> · " not in page  # no place that starts with a separator


def test_the_review_page_names_the_department_once_and_as_such(demo_passwords: Any) -> None:
    from django.test import Client

    from jixiao.web.models import PerformanceForm

    client = Client()
    assert client.login(username="reviewer", password="pw-for-tests")
    own = PerformanceForm.objects.filter(unit__name="鄂尔多斯市司法局", stage="submitted").first()
    other = PerformanceForm.objects.filter(unit__name="鄂尔多斯市法律援助中心").first()
    assert own is not None and other is not None
    assert "鄂尔多斯市司法局（鄂尔多斯市司法局）" not in _page(client, f"/review/forms/{own.pk}/")
    assert "鄂尔多斯市法律援助中心（主管部门：鄂尔多斯市司法局）" in _page(client, f"/review/forms/{other.pk}/")
