"""Shapes for the review templates: the overview's bars.

Pure functions of records and figures; no queries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def bars(items: Sequence[Mapping[str, Any]], width: int = 260) -> list[dict[str, Any]]:
    """Items with `count`, given a bar length in pixels relative to the largest (for inline SVG)."""
    top = max((i["count"] for i in items), default=0) or 1
    return [{**i, "bar": round(width * i["count"] / top), "percent": 0} for i in items]
