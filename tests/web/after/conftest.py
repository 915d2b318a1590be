"""The after-score tests' cast: the demo organisation and accounts (as `jixiao serve --demo` loads them, the
seed's forms and the department-wide form as drafts: the demo's story not run), an outsider (审核人 of another department), a second finance user (finance2), and a way to bring a demo form to a recorded re-check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from jixiao.web.demo import ACCOUNTS, DEPARTMENT, FINANCE, load_demo
from jixiao.web.models import Membership, Org, PerformanceForm, Role
from jixiao.web.review import recheck as rechecks
from jixiao.web.review import workflow
from jixiao.web.tokens import create_token

PASSWORD = "pw-for-tests"


@dataclass
class Cast:
    department: Org

    def user(self, name: str) -> User:
        return User.objects.get(username=name)

    def form(self, project: str) -> PerformanceForm:
        return PerformanceForm.objects.filter(project=project).order_by("pk").first()  # type: ignore[return-value]

    def page(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(self.user(name))
        return client

    def api(self, name: str) -> Client:
        if name == "anonymous":
            return Client()
        return Client(headers={"Authorization": f"Bearer {create_token(self.user(name))}"})

    def rechecked(self, project: str = "信息化建设", score: str = "93.5",
                  problems: str = "1、满意度无问卷佐证\n2、传送增长率口径不清") -> PerformanceForm:
        """The form submitted, approved, drawn and re-checked by the finance bureau with these problems."""
        form = self.form(project)
        workflow.transition(form, self.user("clerk"), "submit", "已说明")
        workflow.transition(form, self.user("reviewer"), "approve")
        rechecks.draw_sample(self.user("finance"), year=2019, count=20, seed=1)
        rechecks.record_recheck(self.user("finance"), form, score, problems)
        workflow.transition(form, self.user("finance"), "recheck", problems)
        return PerformanceForm.objects.get(pk=form.pk)


@pytest.fixture
def cast(db: Any, settings: Any, tmp_path: Any) -> Cast:
    settings.DATA_DIR = tmp_path  # evidence files of a test go to its own folder
    load_demo(dict.fromkeys(ACCOUNTS, PASSWORD), story=False)
    finance = Org.objects.get(name=FINANCE)
    other = Org.objects.create(name="鄂尔多斯市教育局", kind=Org.Kind.DEPARTMENT, parent=finance)
    outsider = User.objects.create_user("outsider", password=PASSWORD)
    Membership.objects.create(user=outsider, org=other, role=Role.REVIEWER)
    # A second person of the finance bureau: the internal review of a rectification draft is another's.
    Membership.objects.create(user=User.objects.create_user("finance2", password=PASSWORD), org=finance,
                              role=Role.FINANCE)
    return Cast(department=Org.objects.get(name=DEPARTMENT))
