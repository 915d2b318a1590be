"""The year app's stored forms as the API gives them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixiao.web.forms import access
from jixiao.web.year.models import MonitorForm, TargetDecl
from jixiao.web.year.monitoring import warning_json
from jixiao.web.year.services import STAGE_LABELS, target_actions


def target_json(decl: TargetDecl, user: access.User | None = None) -> dict[str, Any]:
    data = {"id": decl.pk, "unit": {"id": decl.unit_id, "name": decl.unit.name}, "year": decl.year,
            "project": decl.project, "lineage": decl.lineage, "version": decl.version, "reason": decl.reason,
            "stage": decl.stage, "stage_label": STAGE_LABELS[decl.stage], "rounds": decl.rounds,
            "published": decl.published, "edit": decl.edit, "target": decl.record, "findings": decl.findings}
    if user is not None:
        data["actions"] = target_actions(user, decl)
    return data


def monitor_json(form: MonitorForm) -> dict[str, Any]:
    return {"id": form.pk, "target": form.target_id, "round": form.round_id, "unit": form.unit.name,
            "submitted": form.submitted, "edit": form.edit, "monitor": form.record, "findings": form.findings,
            "warnings": [warning_json(w, timezone.localdate()) for w in form.warnings.all()]}
