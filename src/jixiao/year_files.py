"""The settings of the year's forms as files: built-in ones in jixiao/data/year, a user's by path.

jixiao.core parses their text (core.yearrules); this module reads the packaged files once, as
jixiao.profile_files does for the scoring profiles.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from jixiao.core.yearrules import (
    MonitorRules,
    PublicationRules,
    ReviewProfile,
    RulesError,
    TargetRules,
    parse_monitor_rules,
    parse_publication_rules,
    parse_review_profile,
    parse_target_rules,
)

TARGET_RULES = ("target-88",)
MONITOR_RULES = ("monitor-national", "monitor-sichuan")
REVIEW_PROFILES = ("review-88",)
PUBLICATION_RULES = ("publication",)


def _text(name: str) -> str:
    return resources.files("jixiao.data").joinpath("year", f"{name}.toml").read_text(encoding="utf-8")


def _read(name_or_path: str, builtins: tuple[str, ...]) -> tuple[str, str]:
    if name_or_path in builtins:
        return _text(name_or_path), f"{name_or_path}.toml"
    path = Path(name_or_path)
    if not path.is_file():
        raise RulesError(f"找不到设置“{name_or_path}”：请使用内置设置（{'、'.join(builtins)}）之一，或给出 .toml 文件的路径。")
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as error:
        raise RulesError(f"设置文件 {path} 无法读取（{error}）：请确认文件存在且以 UTF-8 编码保存。") from None


@cache
def target_rules(name: str = "target-88") -> TargetRules:
    return parse_target_rules(*_read(name, TARGET_RULES))


@cache
def monitor_rules(name: str = "monitor-national") -> MonitorRules:
    return parse_monitor_rules(*_read(name, MONITOR_RULES))


@cache
def review_profile(name: str = "review-88") -> ReviewProfile:
    return parse_review_profile(*_read(name, REVIEW_PROFILES))


@cache
def publication_rules(name: str = "publication") -> PublicationRules:
    return parse_publication_rules(*_read(name, PUBLICATION_RULES))


def monitor_rules_for(region: str = "") -> MonitorRules:
    """The monitoring settings of a region (四川省 → its checkpoint table), else the national ones."""
    for name in MONITOR_RULES:
        rules = monitor_rules(name)
        if region and region in rules.regions:
            return rules
    return monitor_rules()
