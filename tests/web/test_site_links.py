"""A newcomer's walk, without a browser: every role of the demo follows every link the pages show it, and no
link is broken (404), answers 500, or shows a page that is not in Chinese.

Links are followed breadth first from the home page, a few of each kind (the same URL with other ids is the
same page), GET only: a link never changes anything. Downloads are fetched too (they are links a user clicks).
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from web_helpers import PASSWORD

from jixiao.web.demo import ACCOUNTS, load_demo

PER_KIND = 2  # pages of one kind (the URL with its numbers taken out) followed per role
NOT_FOLLOWED = ("/logout/", "/static/", "/admin/")  # leaving, assets, Django's admin (its own tests)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.lang = ""
        self.title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        elif tag == "html":
            self.lang = found.get("lang") or ""
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)


def _kind(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _walk(client: Client) -> tuple[dict[str, int], list[str]]:
    """Status of every page reached from the home page, and what was wrong on the way."""
    seen: dict[str, int] = {}
    kinds: dict[str, int] = {}
    problems: list[str] = []
    queue = deque([("/", "(起点)")])
    while queue:
        url, came_from = queue.popleft()
        parts = urlsplit(url)
        if (parts.netloc and parts.netloc != "testserver") or parts.scheme not in ("", "http", "https"):
            continue  # another site, mailto:, javascript: (none expected)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kind = _kind(parts.path)
        if path in seen or path.startswith(NOT_FOLLOWED) or kinds.get(kind, 0) >= PER_KIND:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code in (301, 302):
            queue.append((response["Location"], path))
            continue
        if response.status_code >= 400:
            problems.append(f"{path} ← {came_from}: {response.status_code}")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # a download
        page = _Links()
        page.feed(response.content.decode("utf-8", "replace"))
        title = "".join(page.title).strip()
        if page.lang != "zh-CN" or not CHINESE.search(title):
            problems.append(f"{path}: 页面语言 {page.lang!r}，标题 {title!r}")
        for href in page.links:
            if not href.startswith("#"):
                queue.append((urljoin(path, href), path))
    return seen, problems


@pytest.fixture
def demo(db: Any) -> None:
    load_demo(dict.fromkeys(ACCOUNTS, PASSWORD))


@pytest.mark.parametrize("role", [*ACCOUNTS, "anonymous"])
def test_every_link_a_role_is_shown_leads_to_a_chinese_page(demo: None, role: str) -> None:
    client = Client()
    if role != "anonymous":
        assert client.login(username=role, password=PASSWORD)
    seen, problems = _walk(client)
    assert not problems, "\n".join(problems)
    assert len(seen) >= (3 if role == "anonymous" else 15), sorted(seen)  # the walk got somewhere
