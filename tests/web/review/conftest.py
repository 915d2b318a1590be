"""The review tests' fixed cast (after healthchecks' hc/test.py): the demo organisation and accounts exactly
as `jixiao serve --demo` loads them, with the seed's eleven forms as drafts (the demo's story not run: these
tests take the forms through the workflow themselves), plus an outsider.

鄂尔多斯市财政局 (finance; admin is a superuser there) → 鄂尔多斯市司法局 (reviewer, clerk) →
鄂尔多斯市法律援助中心 (clerk2) and two more units; 鄂尔多斯市教育局 (outsider, its 审核人).
The seed's eleven 2019 forms are drafts of their self-evaluation: ten at 司法局, one at 法律援助中心.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from jixiao.web.demo import ACCOUNTS, DEPARTMENT, FINANCE, LEGAL_AID, load_demo
from jixiao.web.models import Membership, Org, PerformanceForm, Role
from jixiao.web.tokens import create_token

PASSWORD = "pw-for-tests"
ROLES = ("admin", "finance", "reviewer", "clerk", "clerk2", "outsider")


@dataclass
class Cast:
    finance_org: Org
    department: Org
    centre: Org
    other_department: Org
    forms: list[PerformanceForm]  # the seed's, in document order

    def user(self, name: str) -> User:
        return User.objects.get(username=name)

    def form(self, project: str, n: int = 0) -> PerformanceForm:
        """The n-th demo form of that project (the seed has 社区矫正专项经费 twice)."""
        return [f for f in self.forms if f.project == project][n]

    def page(self, name: str) -> Client:
        """A client logged in (session) as one of the cast; "anonymous" for nobody."""
        client = Client()
        if name != "anonymous":
            client.force_login(self.user(name))
        return client

    def api(self, name: str) -> Client:
        """A client that authenticates with a bearer token only (no session); "anonymous" for none."""
        if name == "anonymous":
            return Client()
        return Client(headers={"Authorization": f"Bearer {create_token(self.user(name))}"})


@pytest.fixture
def cast(db: Any) -> Cast:
    load_demo(dict.fromkeys(ACCOUNTS, PASSWORD), story=False)
    finance_org = Org.objects.get(name=FINANCE)
    other = Org.objects.create(name="鄂尔多斯市教育局", kind=Org.Kind.DEPARTMENT, parent=finance_org)
    outsider = User.objects.create_user("outsider", password=PASSWORD)
    Membership.objects.create(user=outsider, org=other, role=Role.REVIEWER)
    return Cast(
        finance_org=finance_org,
        department=Org.objects.get(name=DEPARTMENT),
        centre=Org.objects.get(name=LEGAL_AID),
        other_department=other,
        forms=list(PerformanceForm.objects.order_by("pk")),
    )


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """The overview cache is per process: no test sees another's figures."""
    from django.core.cache import cache

    cache.clear()
