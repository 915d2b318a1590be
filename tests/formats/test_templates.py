"""Every template family, read, scored and checked by its own profile (issue 9).

The cases are data (tests/fixtures/templates/cases.toml): for each family a published-layout sample in
three formats, the profile it must be read under, the total its rules give, and errors planted one
cell at a time. A consistent form gives no error-level finding; a planted error gives exactly its codes.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from jixiao import services
from jixiao.core.findings import Severity
from jixiao.core.model import Form, Total, to_record
from jixiao.formats.layout import recognise
from jixiao.formats.registry import read_grids
from jixiao.profile_files import load_profile

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "templates"
CASES: list[dict[str, Any]] = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"]
FORMATS = ("html", "xlsx", "docx")
BY_FAMILY = {case["family"]: case for case in CASES}


def read(family: str, fmt: str = "html") -> list[Form]:
    path = HERE / f"{family}.{fmt}"
    forms = recognise(read_grids(path.read_bytes(), path.name))
    return [replace(f, source=replace(f.source, file=path.name)) for f in forms]


def errors(evaluation: services.Evaluation) -> set[str]:
    return {f.code for f in evaluation.findings if f.severity is Severity.ERROR}


def plant(form: Form, cell: str, value: str) -> Form:
    """The form with one printed cell changed: "indicators.2.score", "funds.0.rate", "total.score"."""
    block, *rest = cell.split(".")
    if block == "total":
        return replace(form, total=replace(form.total, **{rest[0]: value}))
    index, name = int(rest[0]), rest[1]
    rows = list(getattr(form, block))
    rows[index] = replace(rows[index], **{name: value})
    return replace(form, **{block: tuple(rows)})


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("family", list(BY_FAMILY))
def test_each_family_reads_cell_for_cell_in_every_format(family: str, fmt: str) -> None:
    expected = json.loads((HERE / f"{family}.json").read_text(encoding="utf-8"))
    assert [to_record(f) for f in read(family, fmt)] == expected


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("family", list(BY_FAMILY))
def test_each_family_is_read_under_its_profile_with_a_reason_and_no_error(family: str, fmt: str) -> None:
    (form,) = read(family, fmt)
    evaluation = services.evaluate(form)
    assert evaluation.profile.name == BY_FAMILY[family]["profile"]
    assert evaluation.reason
    assert errors(evaluation) == set(), [f.message for f in evaluation.findings]


@pytest.mark.parametrize("family", list(BY_FAMILY))
def test_each_family_scores_to_its_total(family: str) -> None:
    (form,) = read(family)
    card = services.evaluate(form).scorecard
    expected = BY_FAMILY[family]["total"]
    assert (str(card.total) if card.total is not None else "") == expected


PLANTED = [(case["family"], plant_) for case in CASES for plant_ in case["planted"]]


@pytest.mark.parametrize(("family", "planted"), PLANTED, ids=[f"{f}-{p['cell']}" for f, p in PLANTED])
def test_a_planted_error_gives_exactly_that_error(family: str, planted: dict[str, Any]) -> None:
    (form,) = read(family)
    evaluation = services.evaluate(plant(form, planted["cell"], planted["value"]))
    assert evaluation.profile.name == BY_FAMILY[family]["profile"]
    assert errors(evaluation) == set(planted["errors"]), planted["what"]
    warnings = {f.code for f in evaluation.findings if f.severity is Severity.WARNING}
    assert set(planted.get("warnings", ())) <= warnings


def test_the_hubei_form_that_adds_up_gets_no_a03_though_its_weights_are_blank() -> None:
    (form,) = read("hubei-2021")
    assert all(i.weight == "" for i in form.indicators)
    evaluation = services.evaluate(form)
    assert "A03" not in {f.code for f in evaluation.findings}
    assert evaluation.scorecard.fund_score is not None and str(evaluation.scorecard.fund_score) == "19.80"


def test_a_framework_form_is_not_held_to_mof_2020_points() -> None:
    (form,) = read("framework-2020")
    codes = {f.code for f in services.evaluate(form).findings}
    assert not codes & {"A03", "A05", "P09", "S01"}
    # forced under mof-2020 it would be wrong, and says so: the detection is what keeps it honest
    assert "A05" in {f.code for f in services.evaluate(form, "mof-2020").findings}


def test_a_form_of_no_known_template_cites_only_template_free_rules_and_says_so() -> None:
    (form,) = read("unknown")
    evaluation = services.evaluate(form)
    free = set(load_profile("template-free").template.checks) | {"S01", "S02"}
    codes = [f.code for f in evaluation.findings]
    assert set(codes) <= free
    assert codes.count("U01") == 1
    u01 = next(f for f in evaluation.findings if f.code == "U01")
    assert "jixiao profile init" in u01.message and u01.severity is Severity.INFO
    assert evaluation.scorecard.total is None  # never scored under a template it does not follow


def test_a_form_cut_off_before_its_total_gets_s01_and_no_weight_sum_or_total_error() -> None:
    (form,) = read("sichuan-2020")
    cut = replace(form, indicators=form.indicators[:3], total=Total())
    evaluation = services.evaluate(cut)
    assert errors(evaluation) == {"S01"}
    assert "A05" not in {f.code for f in evaluation.findings}


def test_split_targets_are_read_from_their_parts_and_checked() -> None:
    (form,) = read("sichuan-2020")
    first = form.indicators[0]
    assert (first.target_nature, first.target, first.target_unit) == ("正向", "500", "人次")
    assert first.target_value.format() == "≥500人次"
    card = services.evaluate(form).scorecard
    assert str(card.indicators[2].score) == "13.50"  # 90 ÷ 100 × 15: scored, not taken for a phrase


def test_a_score_formula_column_is_kept_and_never_taken_for_the_score() -> None:
    (form,) = read("framework-2020")
    assert form.indicators[2].formula.startswith("编制依据充分") and form.indicators[2].score == "9"


def test_transfer_payment_header_words_are_read() -> None:
    (form,) = read("transfer-2020")
    assert (form.project, form.department, form.unit) == ("农业生产发展资金", "农业农村部", "某县农业农村局")
    assert [f.label for f in form.funds] == ["年度资金总额", "其中：中央补助", "地方资金", "其他资金"]


def test_note_lines_and_empty_template_rows_are_neither_indicators_nor_unplaced() -> None:
    (form,) = read("hubei-2021")
    assert [i.name for i in form.indicators] == ["新建集中供水工程", "工程验收合格率", "受益农村人口", "受益群众满意度"]
    assert form.unplaced == ()


# A profile from a sample (jixiao profile init / check) ----------------------------------------

SCORED = [c["family"] for c in CASES]


def _draft(family: str, tmp_path: Path) -> Path:
    from jixiao.cli import main

    target = tmp_path / f"my-{family}.toml"
    assert main(["profile", "init", str(HERE / f"{family}.html"), "-o", str(target)]) == 0
    return target


@pytest.mark.parametrize("family", SCORED)
def test_a_draft_from_one_sample_scores_the_other_sample_as_the_builtin_does(family: str, tmp_path: Path) -> None:
    """No hand edits: the draft from the html sample, used on the xlsx sample and its planted errors."""
    draft = load_profile(str(_draft(family, tmp_path)))
    (form,) = read(family, "xlsx")
    builtin = services.evaluate(form)
    mine = services.evaluate(form, draft)
    if not builtin.profile.template.template_free:  # a template no profile knows is never scored built-in
        assert mine.scorecard.total == builtin.scorecard.total
    assert errors(mine) == errors(builtin) == set()
    for planted in BY_FAMILY[family]["planted"]:
        changed = plant(form, planted["cell"], planted["value"])
        assert errors(services.evaluate(changed, draft)) == set(planted["errors"]), planted["what"]


@pytest.mark.parametrize("family", SCORED)
def test_a_draft_from_one_sample_scores_its_profile_s_other_samples_and_their_variants_as_the_builtin_does(
        family: str, tmp_path: Path) -> None:
    """No hand edits: the draft from one family's html sample, used on every sample its built-in profile reads
    (Hubei's goal-block form and its 产出/效益 form; the county and caption forms of mof-2020) and on variants of
    them (tests/formats/variants.py): the same total as the built-in profile, and no error."""
    import random
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import variants

    profile = BY_FAMILY[family]["profile"]
    if profile == "template-free":
        return  # nothing to score: test_templates checks its template-free rules
    draft = load_profile(str(_draft(family, tmp_path)))
    for other in [c["family"] for c in CASES if c["profile"] == profile]:
        for seed in range(4):
            layout = variants.variant(other, random.Random(f"draft-{family}-{seed}"))
            (form,) = recognise(read_grids(variants.write(layout, "html"), "variant.html"))
            builtin, mine = services.evaluate(form), services.evaluate(form, draft)
            assert mine.scorecard.total == builtin.scorecard.total, (other, seed, layout.changes)
            assert errors(mine) == errors(builtin) == set(), (other, seed, layout.changes,
                                                            [f.message for f in mine.findings])


def test_a_draft_marks_its_guesses_and_reads_back(tmp_path: Path) -> None:
    text = _draft("hubei-2021", tmp_path).read_text(encoding="utf-8")
    assert "推测" in text
    assert 'weight = "none"' in text and "fund_weight = 20" in text and "fund_in_total = true" in text
    assert tomllib.loads(text)["template"]["goal_blocks"] == ["年度绩效目标"]


@pytest.mark.parametrize("family", list(BY_FAMILY))
def test_a_form_written_under_its_draft_profile_reads_back_the_same(family: str, tmp_path: Path) -> None:
    """The draft names the columns the form fills ([template.columns]), so a writer prints no column the
    template lacks and leaves out none it has: the form read back is the form written."""
    from jixiao.reports import write_forms

    draft = load_profile(str(_draft(family, tmp_path)))
    (form,) = read(family, "xlsx")
    path = tmp_path / f"{family}.html"
    write_forms([form], path, wordings=[draft.template])
    (back,) = recognise(read_grids(path.read_bytes(), path.name))
    assert to_record(back) == to_record(form)


def test_profile_check_shows_how_forms_score_under_a_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from jixiao.cli import main

    draft = _draft("sichuan-2020", tmp_path)
    capsys.readouterr()
    code = main(["profile", "check", str(draft), str(HERE / "sichuan-2020.docx")])
    out = capsys.readouterr().out
    assert code == 0
    assert "my-sichuan-2020" in out and "印制 98  计算 98.00" in out


def test_profile_init_on_a_file_with_no_form_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from jixiao.cli import main

    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><p>没有表格</p></body></html>", encoding="utf-8")
    assert main(["profile", "init", str(empty), "-o", str(tmp_path / "x.toml")]) == 2
    assert "无法从" in capsys.readouterr().err and not (tmp_path / "x.toml").exists()


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "html"])
def test_a_level1_label_stays_as_printed_through_json_and_back(fmt: str, tmp_path: Path) -> None:
    """"产出指标（50分）" with full-width brackets: convert → JSON → file → read gives the same record."""
    from jixiao.core.model import from_record
    from jixiao.reports import write_forms

    source = HERE.parent / "samples" / "mof2020-b.txt"
    (form,) = recognise(read_grids(source.read_bytes(), source.name))
    record = to_record(form)
    record["category_labels"] = {"产出指标": "产出指标（50分）"}
    out = tmp_path / f"form.{fmt}"
    write_forms([from_record(json.loads(json.dumps(record, ensure_ascii=False)))], out)
    assert [to_record(f) for f in recognise(read_grids(out.read_bytes(), out.name))] == [record]


def test_goal_block_headings_are_kept_as_printed() -> None:
    (form,) = read("hubei-2021")
    assert dict(form.category_points) == {"年度绩效目标1": "40", "年度绩效目标2": "40"}
    assert dict(form.category_labels)["年度绩效目标1"] == "年度绩效目标1(40分)：完成饮水工程建设"


def test_the_issue_s_decision_management_performance_form_gets_no_false_error() -> None:
    """决策 2 / 管理 13 / 绩效 85 (issue 9): scored against mof-2020 it got A03 and A05; now no error, no P04."""
    from jixiao.core.model import Indicator

    rows = [("决策", "项目立项", "立项程序规范性", "2", "2"), ("管理", "资金管理", "资金使用合规性", "8", "8"),
            ("管理", "组织实施", "管理制度执行有效性", "5", "4"), ("绩效", "产出数量", "实际完成率", "40", "39"),
            ("绩效", "产出质量", "质量达标率", "20", "20"), ("绩效", "项目效益", "社会效益", "25", "22")]
    form = Form(project="某项目", year=2022, category_points=(("决策", "2"), ("管理", "13"), ("绩效", "85")),
                indicators=tuple(Indicator(a, b, c, weight=w, score=s) for a, b, c, w, s in rows),
                total=Total(weight="100", score="95"))
    evaluation = services.evaluate(form)
    assert evaluation.profile.name == "framework-2020"
    codes = {f.code for f in evaluation.findings}
    assert not codes & {"A03", "A05", "P04", "P09"}
    wrong = replace(form, total=Total(weight="100", score="96"))
    assert errors(services.evaluate(wrong)) == {"A03"}


# Written by jixiao's writers and read back, a form keeps its record, its template's profile and its findings:
# the writers print each profile's columns ([template.columns]: no 分值/得分 for noscore, 分值 | 评分标准 | 得分
# for the framework, 指标性质 | 指标值 | 度量单位 for split targets) in its wording ([template.wording]).


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "html", "pdf"])
@pytest.mark.parametrize("family", list(BY_FAMILY))
def test_a_family_written_and_read_back_keeps_its_record_profile_and_findings(family: str, fmt: str,
                                                                             tmp_path: Path) -> None:
    from jixiao.reports import write_forms

    (form,) = read(family, "html")
    before = services.evaluate(form)
    path = tmp_path / f"{family}.{fmt}"
    write_forms([form], path, wordings=[before.profile.template])
    (back,) = recognise(read_grids(path.read_bytes(), path.name))
    assert to_record(back) == to_record(form)
    after = services.evaluate(back)
    assert after.profile.name == before.profile.name, after.reason
    assert sorted(f.code for f in after.findings) == sorted(f.code for f in before.findings)


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_jixiao_convert_writes_a_hubei_form_that_reads_back_as_hubeis(fmt: str, tmp_path: Path) -> None:
    from jixiao.cli import main

    out = tmp_path / f"hubei.{fmt}"
    assert main(["convert", str(HERE / "hubei-2021.xlsx"), "-o", str(out), "--jobs", "1"]) == 0
    (back,) = recognise(read_grids(out.read_bytes(), out.name))
    evaluation = services.evaluate(back)
    assert evaluation.profile.name == "hubei-2021" and errors(evaluation) == set(), evaluation.reason


# A form that departs from its profile but adds up (issue 9: A05 and A02 decisions) ----------------------------


def _fund_20(total_weight: str = "110", total_score: str = "108") -> Form:
    """The mof-2020 caption sample with a fund 分值 of 20 (scored 20 at 100%) and its total printed to match."""
    (form,) = read("caption-2022")
    for cell, value in (("funds.0.weight", "20"), ("funds.0.score", "20"), ("total.weight", total_weight),
                        ("total.score", total_score)):
        form = plant(form, cell, value)
    return form


def test_a_form_whose_weights_add_up_to_another_sum_than_its_profile_s_is_warned_not_called_wrong() -> None:
    """Fund 分值 20 under mof-2020 (fund weight 10), weights 90, total 分值 110, total 108: the form's own
    numbers add up, so A05 is a warning (a departure from the profile), and A02/A03 find nothing: the scorer
    scores the fund by the printed 分值 (scoring.fund_weight), as A02 does."""
    evaluation = services.evaluate(_fund_20(), load_profile("mof-2020"))
    a05 = [f for f in evaluation.findings if f.code == "A05"]
    assert errors(evaluation) == set()
    assert [f.severity for f in a05] == [Severity.WARNING] and "与模板不同" in a05[0].message
    assert evaluation.scorecard.fund_score == 20 and str(evaluation.scorecard.total) == "108.00"
    assert "印出的分值 20" in evaluation.scorecard.fund_formula


def test_a_total_weight_its_parts_do_not_add_up_to_stays_an_error() -> None:
    """Total 分值 printed 110 but 90 + the fund's 10: the printed numbers disprove it, an error."""
    (form,) = read("caption-2022")
    evaluation = services.evaluate(plant(form, "total.weight", "110"), load_profile("mof-2020"))
    (a05,) = [f for f in evaluation.findings if f.code == "A05"]
    assert a05.severity is Severity.ERROR and "为 100" in a05.message
    # and a fund 分值 of 20 whose total 分值 still says 100: 90 + 20 ≠ 100
    assert "A05" in errors(services.evaluate(_fund_20(total_weight="100"), load_profile("mof-2020")))


def test_weights_short_of_the_profile_s_sum_with_no_total_weight_printed_are_a_warning() -> None:
    """Weights of 80 under mof-2020 (90), no points labels and no total 分值: nothing on the form disproves
    them (with the level-1's printed 50 分 the 20 would be its error: _category_weights)."""
    (form,) = read("caption-2022")
    form = plant(plant(form, "total.weight", ""), "indicators.0.weight", "20")
    form = replace(form, category_points=(), category_labels=())
    evaluation = services.evaluate(form, load_profile("mof-2020"))
    assert [f.severity for f in evaluation.findings if f.code == "A05"] == [Severity.WARNING]
