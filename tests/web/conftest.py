"""The web tests' fixed cast (after healthchecks' hc/test.py), so that each permission test is one line.

鄂尔多斯市财政局 (finance) → 鄂尔多斯市司法局 (department: reviewer) → unit A (clerk_a) and unit B (clerk_b);
another department → unit C (outsider, a clerk there). One form in A, one in B, both drafts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from web_helpers import PASSWORD, SEED, launched_browser, record_for

from jixiao import services as core_services
from jixiao.core.model import to_record
from jixiao.web.forms.store import save_form
from jixiao.web.models import Membership, Org, PerformanceForm, Phase, Role
from jixiao.web.tokens import create_token


@dataclass
class WebCast:
    finance_org: Org
    department: Org
    unit_a: Org
    unit_b: Org
    unit_c: Org
    admin: User
    finance: User
    reviewer: User
    clerk_a: User
    clerk_b: User
    outsider: User
    form_a: PerformanceForm
    form_b: PerformanceForm

    def user(self, name: str) -> User:
        return getattr(self, name)

    def client(self, name: str) -> Client:
        """A client logged in as one of the cast ("anonymous" for nobody)."""
        client = Client()
        if name != "anonymous":
            client.force_login(self.user(name))
        return client

    def token_client(self, name: str) -> Client:
        """A client that authenticates with a bearer token only (no session)."""
        return Client(headers={"Authorization": f"Bearer {create_token(self.user(name))}"})


@pytest.fixture(scope="session")
def seed_records() -> list[dict[str, Any]]:
    """The seed's eleven forms as interchange records (read once per test session)."""
    batch = core_services.read_paths([SEED])
    return [to_record(f) for f in batch.forms]


def _user(name: str, org: Org | None = None, role: str | None = None, **extra: Any) -> User:
    user = User.objects.create_user(name, password=PASSWORD, **extra)
    if org is not None and role is not None:
        Membership.objects.create(user=user, org=org, role=role)
    return user


@pytest.fixture
def web_cast(db: Any, seed_records: list[dict[str, Any]]) -> WebCast:
    finance_org = Org.objects.create(name="鄂尔多斯市财政局", kind=Org.Kind.FINANCE)
    department = Org.objects.create(name="鄂尔多斯市司法局", kind=Org.Kind.DEPARTMENT, parent=finance_org)
    unit_a = Org.objects.create(name="单位甲", kind=Org.Kind.UNIT, parent=department)
    unit_b = Org.objects.create(name="单位乙", kind=Org.Kind.UNIT, parent=department)
    other = Org.objects.create(name="鄂尔多斯市教育局", kind=Org.Kind.DEPARTMENT, parent=finance_org)
    unit_c = Org.objects.create(name="单位丙", kind=Org.Kind.UNIT, parent=other)
    admin = _user("admin", is_superuser=True, is_staff=True)
    clerk_a = _user("clerk_a", unit_a, Role.FILLER)
    clerk_b = _user("clerk_b", unit_b, Role.FILLER)
    form_a = save_form(clerk_a, record_for(seed_records, 1, unit_a), unit=unit_a, phase=Phase.SELF)
    form_b = save_form(clerk_b, record_for(seed_records, 4, unit_b), unit=unit_b, phase=Phase.SELF)
    return WebCast(
        finance_org=finance_org, department=department, unit_a=unit_a, unit_b=unit_b, unit_c=unit_c,
        admin=admin,
        finance=_user("finance", finance_org, Role.FINANCE),
        reviewer=_user("reviewer", department, Role.REVIEWER),
        clerk_a=clerk_a, clerk_b=clerk_b,
        outsider=_user("outsider", unit_c, Role.FILLER),
        form_a=form_a, form_b=form_b,
    )


@pytest.fixture
def demo_passwords(db: Any) -> dict[str, str]:
    """The demo organisation, accounts and the seed's eleven forms, as `jixiao serve --demo` loads them: the
    year in motion (jixiao/data/demo.toml: drafts, submitted, returned, approved, re-checked, published)."""
    from jixiao.web.demo import load_demo

    return load_demo(dict.fromkeys(("admin", "finance", "reviewer", "clerk", "clerk2"), PASSWORD))


@pytest.fixture
def demo_drafts(db: Any) -> dict[str, str]:
    """The demo organisation and accounts with the seed's eleven forms all drafts (the demo's story not run),
    for tests that take the forms through the workflow, or replace them, from the start."""
    from jixiao.web.demo import load_demo

    return load_demo(dict.fromkeys(("admin", "finance", "reviewer", "clerk", "clerk2"), PASSWORD), story=False)


# ---------------------------------------------------------------- the browser tests' fixtures (Debian's chromium)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_browser()


@pytest.fixture
def viewport() -> dict[str, int]:
    """The window a browser test's page opens in (a test module overrides it to test another width)."""
    return {"width": 1366, "height": 768}


@pytest.fixture
def page(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db: Any) -> None:
    """The demo data (`make run`'s, its story run) with the test password for every account, for a live server."""
    from jixiao.web.demo import ACCOUNTS, load_demo

    load_demo(dict.fromkeys(ACCOUNTS, PASSWORD))


@pytest.fixture
def demo_drafts_live(transactional_db: Any) -> None:
    """The demo data with the seed's forms all drafts (story not run), for a live server's workflow tests."""
    from jixiao.web.demo import ACCOUNTS, load_demo

    load_demo(dict.fromkeys(ACCOUNTS, PASSWORD), story=False)
