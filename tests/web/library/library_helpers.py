"""What the library's web tests share: an entry of the seed's 法律援助 form, and that form saved with a target."""

from __future__ import annotations

from typing import Any

from web_helpers import record_for

from jixiao.web.forms.store import save_form
from jixiao.web.models import Org, Phase

AID = {"code": "T-AJ", "name": "法律援助案件数量", "level1": "产出指标", "level2": "数量指标", "op": "≥", "unit": "",
       "explanation": "当年办结的法律援助案件数"}


def aid_form(cast: Any, seed: list[dict[str, Any]], unit: Org, year: int, target: str, actual: str = "") -> Any:
    """Seed form 4 (法律援助专项经费: 法律援助案件数量 ≥300 / 300) in a unit and year, with its first target changed."""
    record = record_for(seed, 4, unit)
    record["year"] = year
    record["indicators"] = [dict(i) for i in record["indicators"]]
    record["indicators"][0].update(target=target, actual=actual)
    return save_form(cast.admin, record, unit=unit, phase=Phase.SELF)
