"""Helpers of the web tests (a module of its own: tests/ has no packages)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jixiao.web.models import Org

SEED = Path(__file__).resolve().parents[2] / "src" / "jixiao" / "data" / "seed.txt"
PASSWORD = "pw-for-tests"


def record_for(seed_records: list[dict[str, Any]], n: int, unit: Org, project: str | None = None) -> dict[str, Any]:
    """Seed form n (1-based) moved to a unit, optionally renamed."""
    record = dict(seed_records[n - 1], unit=unit.name, department="鄂尔多斯市司法局")
    if project:
        record["project"] = project
    return record


def editor_post(record: dict[str, Any], unit_id: int, version: int | str, **changes: str) -> dict[str, str]:
    """The fields the editor page posts for a record."""
    data = {"unit_id": str(unit_id), "version": str(version), "phase": "self", "profile_override": "",
            "year": str(record["year"]), "planned": record["goals"]["planned"],
            "achieved": record["goals"]["achieved"], "total-weight": record["total"]["weight"],
            "total-score": record["total"]["score"]}
    for key in ("title", "project", "leader", "department", "unit"):
        data[key] = record[key]
    for n, f in enumerate(record["funds"]):
        for key, value in f.items():
            data[f"fund-{n}-{key}"] = value
    for n, (name, points) in enumerate(record["category_points"].items()):
        data[f"cat-{n}-name"], data[f"cat-{n}-points"] = name, points
    for n, i in enumerate(record["indicators"]):
        for key, value in i.items():
            data[f"ind-{n}-{key}"] = value
    data.update(changes)
    return data


# Browser tests: Debian's chromium, never a downloaded browser.
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def require_browser() -> None:
    """Skip the calling module without chromium or playwright; fail instead when CI requires them."""
    import importlib.util
    import os

    import pytest

    if CHROMIUM.exists() and importlib.util.find_spec("playwright"):
        # Playwright's sync API runs an event loop in this thread; the tests' ORM calls stay synchronous.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        return
    if os.environ.get("JIXIAO_REQUIRE_BROWSER") == "1":
        raise RuntimeError("浏览器测试需要 /usr/bin/chromium 和 playwright：apt-get install -y chromium")
    pytest.skip("no /usr/bin/chromium or playwright", allow_module_level=True)


def launched_browser() -> Iterator[Any]:
    """A headless chromium for a module-scoped fixture."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def login(page: Any, base: str, username: str, heading: str = "绩效自评表") -> None:
    """Log in through the login page as one of the demo accounts."""
    from playwright.sync_api import expect

    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
