"""The profiles the server knows: the built-in ones and those an administrator uploaded.

Every request names a profile (editor, API, /api/check, /api/evaluate); the name is looked up here and
an unknown one is refused (400, in Chinese) — no request ever gives a path to a file. Uploaded profiles
apply to the forms under their org (a finance bureau's units) and join the choice by year and by a
form's evidence (ProfileSet) for those forms.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from jixiao.core.profile_set import ProfileSet
from jixiao.core.profile_toml import parse_profile, validate_profile_text
from jixiao.core.profiles import Profile, ProfileError
from jixiao.profile_files import DEFAULT_PROFILE, builtin_set

_lock = threading.Lock()
_parsed: dict[tuple[str, str], Profile] = {}  # (name, changed) → profile
_sets: dict[tuple[Any, ...], ProfileSet] = {}


def validate(text: str, file: str = "上传的评分规则") -> Profile:
    """The profile of an uploaded TOML text, or ProfileError whose message names the line.

    core.profile_toml.validate_profile_text names the line itself where it can; where it can't, a
    top-level key's line is looked up here.
    """
    try:
        result = validate_profile_text(text, file)
        if isinstance(result, ProfileError):
            raise result
        profile = result
    except ProfileError as error:
        message = str(error)
        if "行" not in message and (key := re.search(r"键“([^”.\[]+)", message)):
            line = _line_of(text, key[1])
            if line:
                message = f"第 {line} 行：{message}"
        raise ProfileError(message) from None
    if profile.name in builtin_set().by_name:
        raise ProfileError(f"第 {_line_of(text, 'name') or 1} 行：规则名称“{profile.name}”与内置规则重名，请另起一个名称。")
    return profile


def _line_of(text: str, key: str) -> int | None:
    """The line where a top-level key or table is written (1-based)."""
    pattern = re.compile(rf"^\s*(\[\[?\s*{re.escape(key)}\s*\]\]?|\"?{re.escape(key)}\"?\s*=)")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


def _rows() -> list[tuple[str, str, str, str | None, bool]]:
    from jixiao.web.ops.models import UploadedProfile

    return [(name, str(changed), text, path, retired) for name, changed, text, path, retired in
            UploadedProfile.objects.values_list("name", "changed", "text", "org__path", "retired").order_by("pk")]


def _profile(name: str, changed: str, text: str) -> Profile:
    key = (name, changed)
    found = _parsed.get(key)
    if found is None:
        found = _parsed[key] = parse_profile(text, f"{name}.toml")
    return found


def profile_set(unit: Any = None, *, retired: bool = False) -> ProfileSet:
    """Built-in profiles and the uploaded ones that apply to `unit` (all of them when None)."""
    rows = _rows()
    path = getattr(unit, "path", None)
    chosen = tuple(r for r in rows if (retired or not r[4]) and (path is None or r[3] is None or path.startswith(r[3])))
    if not chosen:
        return builtin_set()
    key = tuple((r[0], r[1]) for r in chosen)
    with _lock:
        found = _sets.get(key)
        if found is None:
            uploaded = []
            for name, changed, text, _, _ in chosen:
                try:
                    uploaded.append(_profile(name, changed, text))
                except ProfileError:  # checked when uploaded; a hand-edited row must not break scoring
                    continue
            if len(_sets) > 256:
                _sets.clear()
            found = _sets[key] = ProfileSet([*builtin_set().profiles, *uploaded], DEFAULT_PROFILE)
    return found


def choices(unit: Any = None) -> list[tuple[str, str]]:
    """(name, title) of the profiles a user may choose for a form of `unit`."""
    return [(p.name, p.title) for p in profile_set(unit).profiles]


def choose(name: str, unit: Any = None, field: str = "profile") -> Profile | None:
    """The profile a request names (None for "" or "auto": chosen by year and evidence); unknown → 400."""
    name = (name or "").strip()
    if name in ("", "auto"):
        return None
    found = profile_set(unit).by_name.get(name)
    if found is None:
        from jixiao.web.forms.errors import ServiceError

        names = "、".join(p.name for p in profile_set(unit).profiles)
        raise ServiceError(f"没有名为「{name[:100]}」的评分规则：请从 {names} 中选择（留空则按年度自动选择）。",
                           {field: [f"没有名为「{name[:100]}」的评分规则"], "": [f"没有名为「{name[:100]}」的评分规则"]})
    return found


def stored(name: str) -> Profile | None:
    """A stored form's profile by name, retired ones included; None when it is gone (or never was)."""
    return profile_set(retired=True).by_name.get(name) if name else None


def profile_named(name: str) -> Profile | None:
    """The profile of a name: a built-in one without a query (most forms' on every page), else an uploaded one
    (retired ones too); None when it is gone."""
    return builtin_set().by_name.get(name) or stored(name)
