"""第三方 evaluators: granted a round by the finance bureau, they see and re-check that round's forms only, and
their re-checks are marked as theirs."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User

from jixiao.web.after import thirdparty
from jixiao.web.after.models import ThirdPartyRecheck
from jixiao.web.forms.errors import ServiceError
from jixiao.web.models import PerformanceForm, Phase
from jixiao.web.review.models import Round


@pytest.fixture
def granted(cast: Any) -> Round:
    User.objects.create_user("evaluator", password="pw-for-tests")
    r = Round.objects.create(year=2019, phase=Phase.SELF, title="2019 年度项目支出绩效自评",
                             deadline=datetime.date(2099, 1, 1))
    response = cast.page("finance").post("/after/third-party/grants/",
                                          {"round": str(r.pk), "username": "evaluator", "firm": "某会计师事务所"})
    assert response.status_code == 302
    return r


def test_the_evaluator_sees_the_forms_of_its_round_only(cast: Any, granted: Round) -> None:
    other = PerformanceForm.objects.filter(year=2019).first()
    PerformanceForm.objects.filter(pk=other.pk).update(year=2018)  # a form of another round
    page = cast.page("evaluator").get("/after/third-party/").content.decode()
    assert "信息化建设" in page and page.count("/after/third-party/forms/") == 10
    assert cast.page("evaluator").get(f"/after/third-party/forms/{other.pk}/").status_code == 404
    assert cast.page("evaluator").get(f"/review/forms/{other.pk}/").status_code == 404  # no unit role, no other page
    assert cast.page("evaluator").get(f"/review/forms/{cast.form('信息化建设').pk}/").status_code == 404


def test_the_evaluator_rechecks_and_the_recheck_is_marked_as_theirs(cast: Any, granted: Round) -> None:
    form = cast.form("信息化建设")
    cast.page("evaluator").post(f"/after/third-party/forms/{form.pk}/", {"score": "91", "problems": "问卷样本偏少"})
    done = ThirdPartyRecheck.objects.get()
    assert (done.score, done.grant.firm, done.grant.user.username) == (91, "某会计师事务所", "evaluator")
    assert thirdparty.rechecks_of(form) == [{**thirdparty.rechecks_of(form)[0], "firm": "某会计师事务所",
                                             "by": "evaluator", "score": "91.00", "problems": ["问卷样本偏少"]}]
    page = cast.page("finance").get("/after/third-party/grants/").content.decode()
    assert "某会计师事务所" in page and "91.00" in page
    form.refresh_from_db()
    assert form.printed_total == 100  # the unit's figures are untouched


def test_only_the_finance_bureau_grants_and_never_to_a_unit_account(cast: Any) -> None:
    r = Round.objects.create(year=2019, phase=Phase.SELF, title="t", deadline=datetime.date(2099, 1, 1))
    User.objects.create_user("evaluator", password="x")
    with pytest.raises(ServiceError, match="只有财政复核人员"):
        thirdparty.grant(cast.user("reviewer"), r.pk, "evaluator", "某所")
    with pytest.raises(ServiceError, match="相互独立"):
        thirdparty.grant(cast.user("finance"), r.pk, "clerk", "某所")
    assert cast.page("reviewer").get("/after/third-party/grants/").status_code == 403


def test_a_user_without_a_grant_sees_nothing(cast: Any, granted: Round) -> None:
    form = cast.form("信息化建设")
    assert cast.page("outsider").get(f"/after/third-party/forms/{form.pk}/").status_code == 404
    with pytest.raises(ServiceError):
        thirdparty.record(cast.user("clerk"), form.pk, "90", "")
