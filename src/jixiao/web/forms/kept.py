"""What the pages keep between requests, and the one rule that drops it: the data version.

Database triggers (migration jixiao 0003) give jixiao.web.models.DataVersion a new random value with
every committed change of forms or orgs, so everything kept under (data version, key) is dropped by any
save, import, stage change or move of an org, whichever way it was written. The key holds the user's
scope (access.scope_key) wherever the value depends on who asks.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection

T = TypeVar("T")

_kept: dict[tuple[Any, ...], Any] = {}
_KEPT_MAX = 5000


def data_version() -> int | None:
    """The data version, or None when nothing may be kept: inside a transaction (PostgreSQL changes it
    when the transaction's changes commit), or without its row."""
    if connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM jixiao_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def kept(version: int | None, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """compute(), or what it returned under the same data version and key in this process."""
    if version is None or None in key:
        return compute()
    full = (version, *key)
    try:
        return _kept[full]  # type: ignore[no-any-return]
    except KeyError:
        pass
    value = compute()
    if len(_kept) >= _KEPT_MAX:
        _kept.clear()
    _kept[full] = value
    return value


def digest(version: int | None, key: tuple[Any, ...]) -> str:
    """A name for what is kept under (version, key), for caches outside this process (template fragments);
    "" when nothing may be kept."""
    if version is None:
        return ""
    return hashlib.sha256(repr((version, *key)).encode()).hexdigest()


def keep_seconds() -> int:
    """How long a rendered page part is kept (JIXIAO_OVERVIEW_CACHE_SECONDS, default 300; 0 keeps nothing)."""
    return int(getattr(settings, "JIXIAO_OVERVIEW_CACHE_SECONDS", os.environ.get("JIXIAO_OVERVIEW_CACHE_SECONDS", 300)))
