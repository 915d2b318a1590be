"""The command line on the seed and on bad input: what it prints and how it exits."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from jixiao.cli import main, schema_text

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
SEED = FIXTURES / "seed.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, dict]:
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    return code, json.loads(out)


def test_check_json_of_the_seed_matches_the_golden_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check_json(capsys, SEED)
    for form in report["forms"]:
        form["file"] = "seed.txt"
    golden = json.loads((GOLDEN / "seed-check.json").read_text(encoding="utf-8"))
    assert report == golden
    assert code == 1  # forms 4, 5 and 9 have error-level findings


def test_convert_of_the_seed_matches_the_golden_records(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "seed.json"
    code, _, _ = run(capsys, "convert", str(SEED), "-o", str(out))
    records = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0
    assert records == json.loads((GOLDEN / "seed-convert.json").read_text(encoding="utf-8"))
    jsonschema.validate(records, json.loads(schema_text()))


def test_schema_command_prints_a_valid_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    jsonschema.Draft202012Validator.check_schema(json.loads(out))
    assert code == 0


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-8-sig"])
def test_other_encodings_of_the_seed_check_exactly_like_the_original(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, encoding: str
) -> None:
    copy = tmp_path / "seed.txt"
    copy.write_bytes(SEED_TEXT.encode(encoding))
    _, original = check_json(capsys, SEED)
    _, other = check_json(capsys, copy)
    for report in (original, other):
        for form in report["forms"]:
            form.pop("file")
    assert other == original


def test_text_output_names_forms_profile_and_totals(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(SEED))
    assert "[4] 法律援助专项经费" in out and "local-2019" in out
    assert "错误 A03" in out and "合计" in out
    assert code == 1


def test_min_severity_hides_lower_findings(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = check_json(capsys, SEED)
    code, out, _ = run(capsys, "check", str(SEED), "--format", "json", "--min-severity", "error")
    shown = [f["severity"] for form in json.loads(out)["forms"] for f in form["findings"]]
    everything = [f["severity"] for form in report["forms"] for f in form["findings"]]
    assert shown and set(shown) == {"error"} and len(everything) > len(shown)
    assert json.loads(out)["summary"] == report["summary"]
    assert code == 1


def test_score_prints_every_formula(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(SEED))
    assert "96 ÷ 100 × 25 = 24.00" in out
    assert code == 0


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def one_form(text: str) -> str:
    """The seed's first form alone."""
    end = text.index("绩效目标自评表", text.index("总分"))
    return text[: text.rindex("\n\t", 0, end)]


def bad_inputs(tmp_path: Path) -> dict[str, Path]:
    rng = random.Random(7)
    return {
        "empty": write(tmp_path, "empty.txt", b""),
        "binary": write(tmp_path, "binary.txt", bytes(rng.randrange(256) for _ in range(5000))),
        "pdf-renamed": write(tmp_path, "fake.txt", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n"),
        "random-text": write(tmp_path, "random.txt", "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(3000))),
    }


@pytest.mark.parametrize("case", ["empty", "binary", "pdf-renamed", "random-text"])
def test_unreadable_input_gets_one_line_naming_the_file_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    path = bad_inputs(tmp_path)[case]
    code, out, _ = run(capsys, "check", str(path))
    lines = [line for line in out.splitlines() if str(path) in line]
    assert code == 2
    assert len(lines) == 1 and "无法读取" in lines[0]
    assert "Traceback" not in out


def test_a_bad_file_does_not_stop_the_others(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.txt", b"")
    code, out, _ = run(capsys, "check", str(empty), str(SEED), "--format", "json")
    report = json.loads(out)
    assert code == 2
    assert report["summary"]["forms"] == 11 and report["problems"][0]["file"] == str(empty)


def findings_of(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, list[dict]]:
    code, report = check_json(capsys, path)
    return code, [f for form in report["forms"] for f in form["findings"]]


def test_a_form_cut_off_in_the_middle_is_an_error_naming_the_missing_part(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    form = one_form(SEED_TEXT)
    cut = write(tmp_path, "cut.txt", form[: form.index("质量")])
    code, report = check_json(capsys, cut)
    s01 = [f for form in report["forms"] for f in form["findings"] if f["code"] == "S01"]
    assert s01 and "总分" in s01[0]["message"]
    # The file, cut in the middle of a row, is also named as cut short (issue 16 point 7): exit 2.
    assert code == 2 and "文本文件不完整" in report["problems"][0]["message"]


def test_letters_in_a_number_cell_are_an_error_naming_the_cell(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    form = one_form(SEED_TEXT).replace("\t  10\n\t10\n\t7.56", "\t  10\n\t十万\n\t7.56", 1)
    code, findings = findings_of(capsys, write(tmp_path, "letters.txt", form))
    v01 = [f for f in findings if f["code"] == "V01"]
    assert code == 1 and v01 and "十万" in v01[0]["found"]
    assert v01[0]["location"]["block"] == "funds" and v01[0]["location"].get("row")


def test_a_zero_budget_is_an_error_not_a_division(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    form = one_form(SEED_TEXT).replace("\t　10\n\t10　\n", "\t　0\n\t0　\n", 1)
    form = form.replace("\t  10\n\t10\n\t7.56", "\t  0\n\t0\n\t7.56", 1)
    code, findings = findings_of(capsys, write(tmp_path, "zero.txt", form))
    assert code == 1 and any(f["code"] == "V02" for f in findings)


def test_twenty_megabytes_of_random_text_is_refused_cleanly(tmp_path: Path) -> None:
    rng = random.Random(3)
    chunk = "".join(rng.choice("\t\n abc数量指标≥%0123456789") for _ in range(100_000))
    big = write(tmp_path, "big.txt", chunk * 200)
    assert big.stat().st_size > 20_000_000
    proc = subprocess.run(
        [sys.executable, "-m", "jixiao.cli", "check", str(big)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert str(big) in proc.stdout


def test_folders_zips_and_parallel_reading_give_the_same_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import shutil
    import zipfile

    samples = FIXTURES / "samples"
    folder = tmp_path / "批次"
    (folder / "子目录").mkdir(parents=True)
    for name in ("seed.docx", "mof2020-a.xlsx"):
        shutil.copy(samples / name, folder / name)
    shutil.copy(samples / "mof2020-b.html", folder / "子目录" / "mof2020-b.html")
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*.*")):
            zf.write(path, path.relative_to(folder).as_posix())

    def projects(*args: str) -> list[str]:
        _, out, _ = run(capsys, "check", *args, "--format", "json")
        return sorted(f["project"] for f in json.loads(out)["forms"])

    serial = projects(str(folder))
    assert len(serial) == 14
    assert projects(str(folder), "--jobs", "2") == serial
    assert projects(str(archive)) == serial


def test_text_output_ends_with_the_batch_summary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.txt", b"")
    _, out, _ = run(capsys, "check", str(SEED), str(empty))
    assert "读取文件 2 个，找到自评表 11 张，无法读取 1 个" in out.splitlines()[-1]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_findings_are_coloured_on_a_terminal_and_plain_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.cli import Printer

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert Printer(_Terminal()).paint("错误 A03", "error") == "\033[31m错误 A03\033[0m"
    assert Printer(io.StringIO()).paint("错误 A03", "error") == "错误 A03"
    monkeypatch.setenv("NO_COLOR", "1")
    assert Printer(_Terminal()).paint("错误 A03", "error") == "错误 A03"


def test_a_folder_lists_its_files_of_unknown_type_as_skipped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "批次"
    folder.mkdir()
    write(folder, "seed.txt", SEED.read_bytes())
    write(folder, "图纸.dwg", b"AC1015")
    write(folder, "说明", b"no extension")
    code, out, _ = run(capsys, "check", str(folder))
    last = out.splitlines()[-1]
    assert "读取文件 1 个，找到自评表 11 张，无法读取 0 个，跳过 2 个" in last
    assert str(folder / "图纸.dwg") in last and str(folder / "说明") in last
    assert any(line.startswith("跳过") and "“.dwg”" in line for line in out.splitlines())
    assert code == 1  # the seed's own findings; a skipped file is not an unreadable one
