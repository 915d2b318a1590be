"""The scoring profiles as files: the built-in ones packaged in jixiao/data/profiles, a user's by path.

jixiao.core reads no files: it parses a profile's TOML text (core.profile_toml.parse_profile) and chooses
among the profiles it is given (core.profile_set.ProfileSet). This module reads the files and keeps the
built-in set, so that the command line, the web app and the tests all choose from the same one.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from jixiao.core.model import Form
from jixiao.core.profile_set import ProfileSet
from jixiao.core.profile_toml import parse_profile
from jixiao.core.profiles import Profile, ProfileError

DEFAULT_PROFILE = "mof-2020"
BUILTIN_NAMES = ("mof-2020", "local-2019", "transfer-2020", "mof-2021", "hubei-2021", "sichuan-2020", "yunnan-2020",
                 "xianjie-2021", "hebei-2020", "ningxia-2020", "framework-2020", "noscore-2020", "template-free")


@cache
def builtin_set() -> ProfileSet:
    """The built-in profiles, read once: mof-2020 (the default), then the others of BUILTIN_NAMES."""
    folder = resources.files("jixiao.data").joinpath("profiles")
    profiles = [parse_profile(folder.joinpath(f"{name}.toml").read_text(encoding="utf-8"), f"{name}.toml")
                for name in BUILTIN_NAMES]
    return ProfileSet(profiles, DEFAULT_PROFILE)


def builtin_profiles() -> dict[str, Profile]:
    """The built-in profiles by name, in the order of BUILTIN_NAMES: mof-2020 (the default) first."""
    return dict(builtin_set().by_name)


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a user's TOML file by path; raises ProfileError."""
    builtins = builtin_set().by_name
    if name_or_path in builtins:
        return builtins[name_or_path]
    path = Path(name_or_path)
    if not path.is_file():
        names = "、".join(builtins)
        raise ProfileError(f"找不到评分规则“{name_or_path}”：请使用内置规则（{names}）之一，或给出 .toml 文件的路径。")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError(f"评分规则文件 {path} 无法读取（{error}）：请确认文件存在且以 UTF-8 编码保存。") from None
    return parse_profile(text, str(path))


def detect_profile(form: Form) -> Profile:
    """The built-in profile a form was written under (ProfileSet.detect)."""
    return builtin_set().detect(form)


def profile_for_year(year: int | None, region: str = "") -> Profile:
    """The built-in profile in force for a year and region (ProfileSet.for_year)."""
    return builtin_set().for_year(year, region)
