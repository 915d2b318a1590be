"""Helpers of the web tests (a module of its own: tests/ has no packages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jixiao.web.models import Org

SEED = Path(__file__).resolve().parents[2] / "src" / "jixiao" / "data" / "seed.txt"
PASSWORD = "pw-for-tests"


def record_for(seed_records: list[dict[str, Any]], n: int, unit: Org, project: str | None = None) -> dict[str, Any]:
    """Seed form n (1-based) moved to a unit, optionally renamed."""
    record = dict(seed_records[n - 1], unit=unit.name, department="鄂尔多斯市司法局")
    if project:
        record["project"] = project
    return record


def editor_post(record: dict[str, Any], unit_id: int, version: int | str, **changes: str) -> dict[str, str]:
    """The fields the editor page posts for a record."""
    data = {"unit_id": str(unit_id), "version": str(version), "phase": "self", "profile_override": "",
            "year": str(record["year"]), "planned": record["goals"]["planned"],
            "achieved": record["goals"]["achieved"], "total-weight": record["total"]["weight"],
            "total-score": record["total"]["score"]}
    for key in ("title", "project", "leader", "department", "unit"):
        data[key] = record[key]
    for n, f in enumerate(record["funds"]):
        for key, value in f.items():
            data[f"fund-{n}-{key}"] = value
    for n, (name, points) in enumerate(record["category_points"].items()):
        data[f"cat-{n}-name"], data[f"cat-{n}-points"] = name, points
    for n, i in enumerate(record["indicators"]):
        for key, value in i.items():
            data[f"ind-{n}-{key}"] = value
    data.update(changes)
    return data
