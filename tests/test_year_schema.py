"""`jixiao schema target` and `jixiao schema monitor` print JSON Schemas the records of the core satisfy."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).parent / "core"))
from year_helpers import load

from jixiao.cli import main
from jixiao.core import monitor, target


def printed(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    assert main(["schema", *argv]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema  # type: ignore[no-any-return]


def test_schema_without_a_kind_is_still_the_forms(capsys: pytest.CaptureFixture[str]) -> None:
    assert printed(capsys)["$defs"]["form"]["properties"]["schema"] == {"const": "jixiao.form/1"}


def test_the_target_schema_accepts_a_declaration_and_refuses_a_bad_one(capsys: pytest.CaptureFixture[str]) -> None:
    schema = printed(capsys, "target")
    record = target.to_record(target.from_record(load("target_clean.toml")))
    jsonschema.validate([record], schema)
    record["indicators"][0]["core"] = "是"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([record], schema)


def test_the_monitor_schema_accepts_a_monitoring_form_and_refuses_a_bad_one(capsys: pytest.CaptureFixture[str]) -> None:
    schema = printed(capsys, "monitor")
    record = monitor.to_record(monitor.from_record(load("monitor_clean.toml")))
    jsonschema.validate([record], schema)
    record["period"]["to_month"] = 13
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([record], schema)
