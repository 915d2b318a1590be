"""A published target as the public reads it: which level reviewed it and how, not the reviewers' login names,
and a download named for what it is rather than by its schema's name."""

from __future__ import annotations

from typing import Any

from django.test import Client

from jixiao.web.year import services as year
from jixiao.year_files import review_profile


def test_the_public_target_page_names_no_reviewer_account(web_cast: Any, target_record: dict[str, Any]) -> None:
    grades = dict.fromkeys(review_profile().point_names, "优")
    decl = year.submit_target(web_cast.clerk_a, year.save_target(web_cast.clerk_a, target_record, unit=web_cast.unit_a))
    decl = year.review_target(web_cast.reviewer, decl, grades).target
    decl = year.publish_target(web_cast.finance, year.review_target(web_cast.finance, decl, grades).target)
    page = Client().get(f"/public/targets/{decl.pk}/").content.decode()
    assert "主管部门审核意见" in page and "财政部门审核意见" in page
    assert ">reviewer<" not in page and ">finance<" not in page
    assert "jixiao.target" not in page and "下载数据文件（JSON）" in page
