"""Template context of the ops pages: whether the menu offers the profiles page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def ops(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_manage_profiles": False}
    from jixiao.web.ops.views import _admin_org

    return {"can_manage_profiles": _admin_org(user)[0]}
