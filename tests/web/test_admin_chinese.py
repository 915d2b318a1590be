"""The administrator's Django admin speaks Chinese for the third-party apps it lists too: django-axes (login
throttling) and django-tasks-db (background tasks) ship no Chinese, so jixiao/web/locale and jixiao.web.apps name
them, their models and their columns."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from web_helpers import PASSWORD

from jixiao.web.demo import ACCOUNTS

pytestmark = pytest.mark.django_db

# Pages of the admin whose own words (not the data) must be Chinese: the index and the two apps' lists and forms.
PAGES = ("/admin/", "/admin/axes/", "/admin/axes/accessattempt/", "/admin/axes/accessfailurelog/",
         "/admin/axes/accesslog/", "/admin/django_tasks_database/dbtaskresult/")
ENGLISH = re.compile(r"\b[A-Z]?[a-z]{3,}(?: [a-z]{2,})*\b")


def _admin() -> Client:
    from jixiao.web.demo import load_demo

    load_demo(dict.fromkeys(ACCOUNTS, PASSWORD), story=False)
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    return client


def _visible_words(html: str) -> list[str]:
    """Words of English in what the page shows: headings, links, table heads and labels (not scripts, attributes)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    shown = re.findall(r"<(?:h1|h2|caption|th|a|label|option|button)\b[^>]*>(.*?)</", body, flags=re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", s) for s in shown)
    return [w for w in ENGLISH.findall(text) if w not in {"jixiao", "sha", "Accept", "http", "https"}]


@pytest.mark.parametrize("path", PAGES)
def test_the_admin_pages_of_third_party_apps_show_no_english(path: str) -> None:
    response = _admin().get(path)
    assert response.status_code == 200
    assert _visible_words(response.content.decode()) == []


def test_the_admin_index_names_the_apps_and_their_models_in_chinese() -> None:
    html = _admin().get("/admin/").content.decode()
    for words in ("登录限制", "登录尝试", "登录日志", "后台任务", "后台任务记录"):
        assert words in html
    for english in ("Axes", "Access attempts", "Tasks Database Backend", "Task Results"):
        assert english not in html


def test_the_compiled_catalogue_holds_every_translation_of_its_source() -> None:
    """django.mo is committed beside django.po: it must be compiled again whenever the .po changes."""
    import gettext
    from pathlib import Path

    import jixiao.web

    folder = Path(jixiao.web.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
    source = (folder / "django.po").read_text(encoding="utf-8")
    entries = re.findall(r'(?:msgctxt "([^"]*)"\n)?msgid "([^"]+)"\nmsgstr "([^"]*)"', source)
    with (folder / "django.mo").open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    assert len(entries) > 40
    for context, msgid, msgstr in entries:
        assert (catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)) == msgstr


# Field names that are the same in Chinese: technical words an administrator reads as they are.
LATIN_KEPT = re.compile(r"^(ID|id|IP 地址|HTTP Accept 头|GET 数据|POST 数据|会话密钥摘要（sha256）|.*（jixiao\.form/1）|.*（SHA-256）)$")


def test_every_field_the_admin_shows_has_a_chinese_name() -> None:
    """The token list's columns read "Created", "Last used", an import's "Status", "Heartbeat": fields of the
    project's own models without a verbose name, which Django shows in English."""
    from django.contrib import admin
    from django.utils import translation

    english = []
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            for field in model._meta.get_fields():
                if getattr(field, "auto_created", False) and not getattr(field, "concrete", False):
                    continue
                name = str(getattr(field, "verbose_name", ""))
                if re.search(r"[A-Za-z]{2,}", name) and not LATIN_KEPT.match(name):
                    english.append(f"{model._meta.label}.{field.name}: {name}")
    assert english == []
