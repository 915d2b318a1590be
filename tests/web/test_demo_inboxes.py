"""Every demo account starts with something in its messages that says what waits for it (jixiao/data/demo.toml):
the administrator and the finance bureau a clerk's proposal for the indicator library, the reviewer and the
finance bureau the next year's declarations waiting for them; the year before's news is not among them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from jixiao.web.library import services as library
from jixiao.web.library.models import EntryChange
from jixiao.web.notify.models import Notification


def _unread(username: str) -> list[str]:
    user = get_user_model().objects.get(username=username)
    return list(Notification.objects.filter(user=user, read_at__isnull=True).values_list("title", flat=True))


@pytest.mark.parametrize("username", ["admin", "finance", "reviewer", "clerk", "clerk2"])
def test_every_demo_account_has_unread_messages(demo_passwords: Any, username: str) -> None:
    assert _unread(username)


def test_the_administrator_hears_of_the_clerks_library_proposal_and_the_clerk_of_the_decision(
        demo_passwords: Any) -> None:
    [proposal] = _unread("admin")
    assert "人民调解案件调解成功率" in proposal and "鄂尔多斯市司法局" in proposal
    assert any("人民调解案件调解成功率" in t for t in _unread("finance"))
    assert not any("人民调解案件调解成功率" in t for t in _unread("clerk"))  # the proposer is not told his own
    change = EntryChange.objects.get(status=EntryChange.Status.PENDING, code="SF-TJ-001")
    library.decide(get_user_model().objects.get(username="admin"), change.pk, True, "同意入库。")
    assert any("已批准" in t and "同意入库" in t for t in _unread("clerk"))


def test_the_reviewer_and_the_finance_bureau_find_the_declarations_waiting_for_them(demo_passwords: Any) -> None:
    assert any("绩效目标申报表" in t and "等待主管部门审核" in t for t in _unread("reviewer"))
    assert any("绩效目标申报表" in t and "等待财政审核" in t for t in _unread("finance"))
    # The 2019 targets (all approved and published the year before) and their July 预警 are no news now.
    assert not [t for t in _unread("clerk") if "随部门预算公开" in t or "预警" in t]
