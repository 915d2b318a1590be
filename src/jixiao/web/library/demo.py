"""The library of the demo (`jixiao serve --demo`): built-in entries, the seed's and the samples' forms, and a
generated history so that peers and earlier years can be compared.

What is generated is marked as such: those forms carry the title 绩效目标自评表（演示生成）. The generator is
deterministic: the same demo every start.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from jixiao.core.values import format_number, parse_value
from jixiao.web.forms.store import save_form
from jixiao.web.library import services
from jixiao.web.library.models import Entry, Usage
from jixiao.web.models import Org, PerformanceForm, Phase, Stage

GENERATED_TITLE = "绩效目标自评表（演示生成）"
SAMPLES = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "samples"  # in a checkout only
SAMPLE_FILES = ("mof2020-a.json",)
HISTORY_YEARS = (2016, 2017, 2018)
# Units that get a generated copy of some seed forms: peers for the 2019 figures. They belong to another city's
# department, so that the demo department's own figures (its department-wide form's D07) count only its forms.
PEER_FINANCE = "包头市财政局（演示）"
PEER_DEPARTMENT = "包头市司法局（演示）"
PEER_UNITS = ("包头市公证处（演示）", "包头市司法鉴定中心（演示）")


def builtin_entries() -> list[dict[str, Any]]:
    text = (resources.files("jixiao") / "data" / "library_entries.json").read_text(encoding="utf-8")
    records: list[dict[str, Any]] = json.loads(text)
    return records


def _scaled(text: str, factor: Decimal) -> str:
    """A target or actual with its number scaled (percentages kept ≤ 100), or the text unchanged."""
    v = parse_value(text)
    if v.number is None:
        return text
    n = (v.number * factor).quantize(Decimal("1") if v.number >= 10 else Decimal("0.1"))
    if v.unit == "%":
        n = min(n, Decimal(100))
    return f"{v.op or ''}{format_number(n.normalize())}{v.unit}"


def _generated(record: dict[str, Any], year: int, seed: int) -> dict[str, Any]:
    out = copy.deepcopy(record)
    out.update(year=year, title=GENERATED_TITLE)
    for n, ind in enumerate(out["indicators"]):
        k = Decimal(85 + (seed * 7 + n * 13 + year) % 20) / 100  # 0.85–1.04 of the seed's figures
        ind["target"] = _scaled(ind["target"], k)
        ind["actual"] = _scaled(ind["actual"], k * Decimal("1.02"))
    return out


def _samples(admin: Any) -> int:
    added = 0
    for name in SAMPLE_FILES:
        path = SAMPLES / name
        if not path.exists():
            continue
        for record in json.loads(path.read_text(encoding="utf-8")):
            finance, _ = Org.objects.get_or_create(name=f"{record['unit'][:6]}财政局（样例）", parent=None,
                                                   defaults={"kind": Org.Kind.FINANCE})
            dept, _ = Org.objects.get_or_create(name=record["department"] or record["unit"], parent=finance,
                                                defaults={"kind": Org.Kind.DEPARTMENT})
            unit, _ = Org.objects.get_or_create(name=record["unit"], parent=dept, defaults={"kind": Org.Kind.UNIT})
            save_form(admin, record, unit=unit, phase=Phase.SELF, stage=Stage.DRAFT)
            added += 1
    return added


def _peer_units() -> list[Org]:
    finance, _ = Org.objects.get_or_create(name=PEER_FINANCE, parent=None, defaults={"kind": Org.Kind.FINANCE})
    dept, _ = Org.objects.get_or_create(name=PEER_DEPARTMENT, parent=finance, defaults={"kind": Org.Kind.DEPARTMENT})
    return [Org.objects.get_or_create(name=name, parent=dept, defaults={"kind": Org.Kind.UNIT})[0]
            for name in PEER_UNITS]


def _history(admin: Any) -> None:
    peers = _peer_units()
    seed_forms = list(PerformanceForm.objects.filter(year=2019).exclude(record__title=GENERATED_TITLE)
                      .order_by("id").select_related("unit"))
    for n, stored in enumerate(seed_forms):
        for year in HISTORY_YEARS:
            save_form(admin, _generated(stored.record, year, n), unit=stored.unit, phase=Phase.SELF,
                      stage=Stage.APPROVED)
        for m, unit in enumerate(peers):
            if (n + m) % 2 == 0:
                record = dict(_generated(stored.record, 2019, n + 5 * (m + 1)), unit=unit.name,
                              department=PEER_DEPARTMENT)
                save_form(admin, record, unit=unit, phase=Phase.SELF, stage=Stage.DRAFT)


def _entries_from_candidates() -> None:
    """Every group of unmatched names becomes an entry (入库 by the demo), as a finance bureau would start;
    the stored forms are linked to them once at the end."""
    for n, c in enumerate(services.candidates(limit=500), 1):
        if not c.name or c.count < 1:
            continue
        level1 = ("满意度指标" if "满意度" in c.level2 else
                  "效益指标" if "效益" in c.level2 or "可持续" in c.level2 else "产出指标")
        services.apply({"code": f"DEMO-{n:03d}", "name": c.name, "level1": level1, "level2": c.level2,
                        "unit": c.unit, "op": "≥" if c.unit else "", "kind": "定量" if c.unit else "定性",
                        "provenance": "演示：由已存表单的指标归纳（" + "、".join(v for v, _ in c.variants[:3]) + "）",
                        "aliases": [v for v, _ in c.variants[1:6]]}, relink_usage=False)
    services.relink(Usage.objects.all())


def load_library_demo(history: bool = False) -> None:
    """Entries and usage of the demo, once (nothing happens when the library has entries).

    Always: the built-in entries and one entry per group of the seed's names. With `history` (what
    `jixiao serve --demo` asks for): first the samples' forms, and afterwards generated earlier years and peer units.
    """
    if Entry.objects.exists():
        return
    admin = get_user_model().objects.get(username="admin")
    for record in builtin_entries():
        services.apply(record, relink_usage=False)
    if history:
        _samples(admin)
    services.relink(Usage.objects.all())
    _entries_from_candidates()
    if history:
        _history(admin)
    services.refresh_figures(list(Entry.objects.all()))
