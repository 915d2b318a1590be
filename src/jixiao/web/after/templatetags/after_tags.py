"""{% recheck_block form %}: the finance bureau's re-check beside the unit's own score, on the public form page."""

from __future__ import annotations

from typing import Any

from django import template

from jixiao.web.after.results import recheck_result

register = template.Library()


@register.inclusion_tag("after/public_recheck.html")
def recheck_block(form: Any) -> dict[str, Any]:
    return {"recheck": recheck_result(form)}
