"""A page's title (the browser tab, the history, a bookmark) is plain Chinese text: the candidates page's title
block once held the page's second table, which showed as raw HTML in the tab and was missing from the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "src" / "jixiao" / "web"
TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)
TEMPLATES = sorted(p for p in WEB.rglob("*.html") if "block title" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(WEB)))
def test_a_title_block_is_one_line_of_text(template: Path) -> None:
    (title,) = TITLE.findall(template.read_text(encoding="utf-8"))
    assert "<" not in title and "\n" not in title.strip(), title[:200]


def test_the_candidates_page_title(web_cast) -> None:
    page = web_cast.client("finance").get("/library/candidates/").content.decode()
    assert re.search(r"<title>[^<]*候选指标[^<]*</title>", page)
    assert page.count("名称相似、待确认的对应") == 1
