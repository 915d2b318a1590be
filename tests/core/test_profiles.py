"""Scoring profiles (domain.md §4): the built-in data, grades, malformed files, selection and detection."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core.model import Form, FundRow, Indicator, from_record
from jixiao.core.profile_set import ProfileSet
from jixiao.core.profile_toml import parse_profile
from jixiao.core.profiles import Band, ProfileError
from jixiao.profile_files import builtin_profiles, detect_profile, load_profile, profile_for_year

D = Decimal
SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"
BUILTIN_DIR = Path(__file__).parents[2] / "src" / "jixiao" / "data" / "profiles"


# The built-in profiles ------------------------------------------------------------------------

# name → (fund weight, fund in total, level-1 points, indicator total, lowest band edge of 部分达成)
BUILTINS = {
    "mof-2020": (D(10), True, {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)}, D(90), D("0.6")),
    "local-2019": (D(10), False, {"产出指标": D(75), "满意度指标": D(25)}, D(100), D("0.6")),
    "transfer-2020": (D(20), True, {}, D(80), D("0.5")),
    "mof-2021": (D(10), True, {"产出指标": D(40), "成本指标": D(10), "效益指标": D(30), "满意度指标": D(10)},
                 D(90), D("0.6")),
}


@pytest.mark.parametrize("name", list(BUILTINS))
def test_each_builtin_loads_with_the_numbers_of_domain_section_4(name: str) -> None:
    fund_weight, fund_in_total, points, indicator_total, partial_low = BUILTINS[name]
    profile = load_profile(name)
    assert profile.name == name
    assert (profile.fund_weight, profile.fund_in_total) == (fund_weight, fund_in_total)
    assert dict(profile.category_points) == points
    assert (profile.indicator_total, profile.total) == (indicator_total, D(100))
    assert profile.band("部分达成并具有一定效果") == Band("部分达成并具有一定效果", partial_low, D("0.8"))
    assert (profile.overachievement_ratio, profile.low_execution_rate) == (D("1.3"), D("0.9"))
    assert profile.reverse_formula == "ratio"
    assert profile.title and profile.source


def test_builtins_are_listed_with_the_default_first() -> None:
    assert list(builtin_profiles())[:4] == ["mof-2020", "local-2019", "transfer-2020", "mof-2021"]
    assert {"hubei-2021", "sichuan-2020", "framework-2020", "template-free"} <= set(builtin_profiles())


def test_profile_numbers_are_decimals_never_floats() -> None:
    profile = load_profile("mof-2020")
    numbers = [profile.fund_weight, profile.overachievement_ratio, profile.low_execution_rate,
               *(b.low for b in profile.qualitative_bands), *(g.minimum for g in profile.grades)]
    assert all(isinstance(n, Decimal) for n in numbers)


def test_mof_2020_sources_10hao_and_is_in_force_from_2020() -> None:
    profile = load_profile("mof-2020")
    assert "财预〔2020〕10号" in profile.source
    assert (profile.first_year, profile.last_year) == (2020, None)


def test_mof_2021_raises_cost_to_level_1() -> None:
    profile = load_profile("mof-2021")
    assert "财预〔2021〕101号" in profile.source
    assert dict(profile.level2_types)["成本指标"] == ("经济成本指标", "社会成本指标", "生态环境成本指标")


def test_mof_2021_file_marks_its_points_to_be_checked() -> None:
    assert "TO BE CHECKED" in (BUILTIN_DIR / "mof-2021.toml").read_text(encoding="utf-8")


def test_level2_tree_of_mof_2020() -> None:
    profile = load_profile("mof-2020")
    assert dict(profile.level2_types) == {
        "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
        "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
        "满意度指标": ("服务对象满意度指标",),
    }


def test_local_2019_lists_the_correct_tree_not_the_seeds() -> None:
    # The seed files 社会效益指标 under 产出指标 (finding P04); the profile must not.
    profile = load_profile("local-2019")
    assert profile.level1_of("社会效益指标") == "效益指标"
    assert profile.level1_of("数量指标") == "产出指标"
    assert profile.level1_of("不存在的指标") is None


def test_points_of_a_level_1_category() -> None:
    assert load_profile("local-2019").points("产出指标") == D(75)
    assert load_profile("transfer-2020").points("产出指标") is None


# Grades ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "grade"),
    [("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"),
     ("59.99", "差"), ("0", "差"), ("-1", "差")],
)
def test_grade_boundaries(score: str, grade: str) -> None:
    assert load_profile("mof-2020").grade(D(score)) == grade


# Malformed profiles ---------------------------------------------------------------------------


def _builtin_text(name: str = "mof-2020") -> str:
    return (BUILTIN_DIR / f"{name}.toml").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "我的规则.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    message = str(caught.value)
    assert str(path) in message  # every message names the file
    return message


def test_a_copy_of_a_builtin_loads_by_path(tmp_path: Path) -> None:
    path = _write(tmp_path, _builtin_text().replace('name = "mof-2020"', 'name = "my-2020"'))
    profile = load_profile(str(path))
    assert (profile.name, profile.path) == ("my-2020", str(path))
    assert profile.category_points == load_profile("mof-2020").category_points


def test_missing_key_names_it_and_shows_a_valid_line(tmp_path: Path) -> None:
    message = _error(tmp_path, _builtin_text().replace("fund_weight = 10 ", "# no fund weight "))
    assert "fund_weight" in message and "缺失" in message
    assert "fund_weight = 10" in message


def test_wrong_type_names_the_key_and_the_value(tmp_path: Path) -> None:
    message = _error(tmp_path, _builtin_text().replace("fund_weight = 10 ", 'fund_weight = "十" '))
    assert "fund_weight" in message and "'十'" in message and "应为数字" in message
    assert "fund_weight = 10" in message


def test_wrong_boolean_type(tmp_path: Path) -> None:
    message = _error(tmp_path, _builtin_text().replace("fund_in_total = true", 'fund_in_total = "是"'))
    assert "fund_in_total" in message and "fund_in_total = true" in message


def test_bands_that_leave_a_gap_are_refused(tmp_path: Path) -> None:
    text = _builtin_text().replace('tier = "部分达成并具有一定效果"\nlow = 0.6', 'tier = "部分达成并具有一定效果"\nlow = 0.7')
    message = _error(tmp_path, text)
    assert "qualitative_bands" in message and "覆盖 0–1" in message
    assert 'tier = "达成"、low = 0.8、high = 1.0' in message


def test_bands_that_stop_short_of_100_percent_are_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, _builtin_text().replace("low = 0.8\nhigh = 1.0", "low = 0.8\nhigh = 0.9"))
    assert "qualitative_bands" in message and "覆盖 0–1" in message


def test_a_band_without_its_low_edge_names_the_row(tmp_path: Path) -> None:
    message = _error(tmp_path, _builtin_text().replace('tier = "达成"\nlow = 0.8\n', 'tier = "达成"\n'))
    assert "qualitative_bands[1].low" in message and "缺失" in message


def test_a_band_given_in_percent_is_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, _builtin_text().replace("low = 0.8\nhigh = 1.0", "low = 80\nhigh = 100"))
    assert "qualitative_bands[1].high" in message and "不超过 1" in message


def test_a_grade_with_a_quoted_minimum_names_the_row(tmp_path: Path) -> None:
    message = _error(tmp_path, _builtin_text().replace("minimum = 90", 'minimum = "90"'))
    assert "grades[1].minimum" in message and "应为数字" in message


def test_unknown_reverse_formula_is_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, _builtin_text().replace('reverse_formula = "ratio"', 'reverse_formula = "log"'))
    assert "reverse_formula" in message and "'log'" in message and 'reverse_formula = "ratio"' in message


def test_unreadable_toml_gives_the_line_number(tmp_path: Path) -> None:
    text = _builtin_text().replace("total = 100\n", "total = 100\n总分 一百\n")
    line = text.splitlines().index("总分 一百") + 1
    message = _error(tmp_path, text)
    assert "不是有效的 TOML" in message and f"第 {line} 行" in message
    assert "fund_weight = 10" in message


def test_misspelt_key_is_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, _builtin_text().replace("fund_weight = 10 ", "fund_wieght = 10 "))
    assert "fund_wieght" in message and "无法识别" in message


def test_points_that_do_not_add_up_are_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, _builtin_text().replace('"产出指标" = 50', '"产出指标" = 55'))
    assert "category_points" in message and "indicator_total = 90" in message


def test_grades_without_a_bottom_grade_are_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, _builtin_text().replace('minimum = 0\nname = "差"', 'minimum = 10\nname = "差"'))
    assert "grades" in message and 'minimum = 90、name = "优"' in message


TOML_VALUES = ['"x"', "-1", "0", "true", "[]", "{}", "1.5", '[1, "a"]', '["a"]', "2019", '""', "{a = 1}", "nan", "inf", "2020.5"]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_wrong_value_gives_a_profile_error_or_a_profile(data: st.DataObject) -> None:
    lines = _builtin_text().splitlines()
    assignments = [n for n, line in enumerate(lines) if " = " in line]
    n = data.draw(st.sampled_from(assignments))
    key = lines[n].split(" = ")[0]
    lines[n] = f"{key} = {data.draw(st.sampled_from(TOML_VALUES))}"
    try:
        parse_profile("\n".join(lines), "fuzz.toml")
    except ProfileError as error:
        assert "fuzz.toml" in str(error) and "正确写法示例" in str(error)


def test_unknown_name_lists_the_builtins() -> None:
    with pytest.raises(ProfileError, match="mof-2020"):
        load_profile("no-such-profile")


# Selection by year ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "name"),
    [(2015, "local-2019"), (2019, "local-2019"), (2020, "mof-2020"), (2022, "mof-2020"), (None, "mof-2020")],
)
def test_profile_for_year(year: int | None, name: str) -> None:
    assert profile_for_year(year).name == name


def test_covers_checks_the_year_range_and_the_region() -> None:
    from dataclasses import replace

    hubei = replace(load_profile("mof-2020"), regions=("湖北省",))
    assert hubei.covers(2022, "湖北省") and not hubei.covers(2022, "四川省")
    assert hubei.covers(2022)  # no region given: any profile for the year applies
    assert not load_profile("local-2019").covers(2020)


# Detection ------------------------------------------------------------------------------------


def _sample_forms(name: str) -> list[Form]:
    records = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return [from_record(r) for r in records]


@pytest.mark.parametrize(
    ("sample", "name"),
    [("seed.json", "local-2019"), ("seed-stacked.json", "local-2019"),
     ("mof2020-a.json", "mof-2020"), ("mof2020-b.json", "mof-2020")],
)
def test_every_sample_form_is_detected(sample: str, name: str) -> None:
    forms = _sample_forms(sample)
    assert forms
    assert [detect_profile(f).name for f in forms] == [name] * len(forms)


def _form(
    year: int | None = 2022,
    points: tuple[tuple[str, str], ...] = (),
    fund_weight: str = "10",
    weights: tuple[str, ...] = (),
) -> Form:
    indicators = tuple(Indicator("产出指标", "数量指标", f"指标{n}", weight=w) for n, w in enumerate(weights))
    return Form(project="测试项目", year=year, category_points=points,
                funds=(FundRow(kind="total", weight=fund_weight),), indicators=indicators)


def test_points_labels_75_and_25_detect_local_2019_even_in_2022() -> None:
    assert detect_profile(_form(points=(("产出指标", "75"), ("满意度指标", "25")))).name == "local-2019"


def test_points_labels_of_a_cut_short_mof_form_detect_mof_2020() -> None:
    assert detect_profile(_form(year=None, points=(("产出指标", "50"), ("效益指标", "30")))).name == "mof-2020"


def test_a_cost_category_label_detects_mof_2021() -> None:
    points = (("产出指标", "40"), ("成本指标", "10"), ("效益指标", "30"), ("满意度指标", "10"))
    assert detect_profile(_form(points=points)).name == "mof-2021"


def test_indicators_summing_to_100_beside_a_10_point_fund_block_detect_local_2019() -> None:
    assert detect_profile(_form(year=2021, weights=("25", "25", "25", "25"))).name == "local-2019"


def test_indicators_summing_to_90_detect_mof_2020() -> None:
    assert detect_profile(_form(year=2019, weights=("30", "30", "30"))).name == "mof-2020"


def test_a_20_point_fund_block_detects_transfer_2020() -> None:
    assert detect_profile(_form(fund_weight="20", weights=("40", "40"))).name == "transfer-2020"


def test_a_20_point_fund_block_wins_over_matching_labels() -> None:
    form = _form(fund_weight="20", points=(("产出指标", "50"), ("效益指标", "30")), weights=("50", "30"))
    assert detect_profile(form).name == "transfer-2020"


def test_labels_fitting_no_profile_leave_it_to_the_weights() -> None:
    form = _form(points=(("产出指标", "60"), ("满意度指标", "40")), weights=("60", "40"))
    assert detect_profile(form).name == "local-2019"


@pytest.mark.parametrize(("year", "name"), [(2019, "local-2019"), (2023, "mof-2020"), (None, "mof-2020")])
def test_without_evidence_the_year_decides(year: int | None, name: str) -> None:
    assert detect_profile(Form(project="测试项目", year=year)).name == name


def test_a_profile_can_be_forced_by_path(tmp_path: Path) -> None:
    path = _write(tmp_path, _builtin_text("local-2019").replace('name = "local-2019"', 'name = "my-2019"'))
    assert load_profile(str(path)).name == "my-2019"
    assert load_profile("transfer-2020").name == "transfer-2020"


# A set of profiles of one's own ----------------------------------------------------------------


def test_a_profile_set_chooses_only_among_its_profiles() -> None:
    """A province that keeps only its own rules gets them for every form, whatever the evidence."""
    only_local = ProfileSet([load_profile("local-2019")], default="local-2019")
    mof_labels = _form(year=2022, points=(("产出指标", "50"), ("效益指标", "30")))
    assert detect_profile(mof_labels).name == "mof-2020"
    assert only_local.detect(mof_labels).name == "local-2019"
    assert only_local.for_year(2022).name == "local-2019"  # none covers 2022: the set's default


def test_a_regional_profile_in_a_set_wins_for_its_region_only() -> None:
    sichuan = parse_profile(_builtin_text().replace('name = "mof-2020"', 'name = "sichuan-2020"')
                            .replace("regions = []", 'regions = ["四川省"]'), "sichuan.toml")
    assert sichuan.regions == ("四川省",)
    profiles = ProfileSet([*builtin_profiles().values(), sichuan], default="mof-2020")
    assert profiles.for_year(2021, "四川省").name == "sichuan-2020"
    assert profiles.for_year(2021, "湖北省").name == "mof-2020"
    assert profiles.for_year(2019, "四川省").name == "local-2019"


def test_a_profile_set_refuses_a_default_it_does_not_hold() -> None:
    with pytest.raises(ValueError, match="mof-2020"):
        ProfileSet([load_profile("local-2019")], default="mof-2020")


def test_detection_is_remembered_per_shape_and_kept_bounded() -> None:
    profiles = ProfileSet(builtin_profiles().values(), default="mof-2020")
    first = profiles.detect(_form(year=2021, weights=("25", "25", "25", "25")))
    assert profiles.detect(_form(year=2021, weights=("50", "50"))) is first  # same evidence: 100 beside 10
    for n in range(5000):
        profiles.detect(_form(year=2021, weights=(str(n),)))
    assert len(profiles._detected) <= 4096


# Validating an uploaded profile (issue 9, point 5): the error names the line ------------------


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [("fund_weight = 10 ", 'fund_weight = "十" ', "fund_weight"),
     ('weight = "points"', 'weight = "pts"', "template.weight"),
     ('"产出指标" = 50', '"产出指标" = 55', "category_points")],
)
def test_validate_profile_text_names_the_line_of_the_toml(old: str, new: str, key: str) -> None:
    from jixiao.core.profile_toml import validate_profile_text

    text = _builtin_text().replace(old, new, 1)
    error = validate_profile_text(text)
    assert isinstance(error, ProfileError)
    line = next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(new.strip()[:12])
                or (key == "category_points" and line.strip() == "[category_points]"))
    assert error.line == line and f"第 {line} 行" in str(error) and key in str(error)


def test_validate_profile_text_names_the_line_of_a_toml_syntax_error() -> None:
    from jixiao.core.profile_toml import validate_profile_text

    text = _builtin_text().replace("fund_in_total = true", "fund_in_total = tru", 1)
    error = validate_profile_text(text)
    assert isinstance(error, ProfileError) and error.line == 14 and "第 14 行" in str(error)


def test_validate_profile_text_gives_the_profile_when_it_is_right() -> None:
    from jixiao.core.profile_toml import validate_profile_text
    from jixiao.core.profiles import Profile

    profile = validate_profile_text(_builtin_text("hubei-2021"))
    assert isinstance(profile, Profile) and profile.template.weight == "none"


@pytest.mark.parametrize("name", ["hubei-2021", "sichuan-2020", "hebei-2020", "framework-2020", "template-free"])
def test_every_builtin_template_family_names_its_source_and_years(name: str) -> None:
    profile = load_profile(name)
    assert profile.source and profile.years


def test_a_user_profile_for_a_region_and_year_is_chosen_by_year_too(tmp_path: Path) -> None:
    text = _builtin_text("sichuan-2020").replace('name = "sichuan-2020"', 'name = "my-sichuan"') \
        .replace("chosen_by_year = false", "chosen_by_year = true")
    mine = parse_profile(text, "my.toml")
    profiles = ProfileSet([*builtin_profiles().values(), mine], default="mof-2020")
    assert profiles.for_year(2022, "四川省").name == "my-sichuan"
    assert profiles.for_year(2022, "湖北省").name == "mof-2020"


def test_a_profile_gives_the_writers_its_wording_and_a_field_of_no_kind_is_refused_naming_it() -> None:
    hubei = load_profile("hubei-2021").template
    assert ("indicators.target", "年初目标值(A)") in hubei.wording
    assert ("funds.score", "得分(20分*执行率)") in hubei.wording
    text = (Path(__file__).resolve().parents[2] / "src/jixiao/data/profiles/hubei-2021.toml").read_text(encoding="utf-8")
    with pytest.raises(ProfileError, match=r"wording\.indicators\.goal"):
        parse_profile(text.replace('"indicators.reason" = "未完成原因"', '"indicators.goal" = "目标"'), "hubei.toml")
    with pytest.raises(ProfileError, match=r"wording\.indicators\.reason"):
        parse_profile(text.replace('"indicators.reason" = "未完成原因"', '"indicators.reason" = ""'), "hubei.toml")


def test_a_profile_gives_the_writers_its_columns_and_a_wrong_column_is_refused_naming_its_line() -> None:
    noscore = load_profile("noscore-2020").template
    assert noscore.indicator_fields == ("level1", "level2", "name", "target", "actual", "reason")
    assert "score" not in noscore.fund_fields and "weight" not in noscore.fund_fields
    assert load_profile("mof-2020").template.indicator_fields == ()  # the standard template's columns
    text = (Path(__file__).resolve().parents[2] / "src/jixiao/data/profiles/noscore-2020.toml").read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("indicators = "))
    bad = text.replace('"target", "actual", "reason"]', '"target", "actual", "goal"]')
    with pytest.raises(ProfileError, match=rf"第 {line} 行.*columns\.indicators.*'goal'") as error:
        parse_profile(bad, "noscore.toml")
    assert error.value.line == line
    with pytest.raises(ProfileError, match=r"同一栏目写了两次"):
        parse_profile(text.replace('"target", "actual", "reason"]', '"target", "actual", "target"]'), "noscore.toml")
    with pytest.raises(ProfileError, match=r"缺少必需的栏目 'name'"):
        parse_profile(text.replace('"level2", "name", "target"', '"level2", "target"'), "noscore.toml")
    with pytest.raises(ProfileError, match=r"columns\.rows.*无法识别"):
        parse_profile(text.replace("funds = [", "rows = ["), "noscore.toml")
