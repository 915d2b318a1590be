"""Issue 10, friction 10: the finance bureau's administrator manages units and users in Chinese pages (tree,
add, import from a workbook with a preview and row errors, password reset, deactivation), and everybody
changes their own password; a password change revokes the user's API tokens."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import Workbook, load_workbook
from web_helpers import PASSWORD

from jixiao.web.accounts import transfer
from jixiao.web.accounts.models import PasswordState
from jixiao.web.models import ApiToken, Membership, Org, Role
from jixiao.web.tokens import create_token


@pytest.fixture
def dept_admin(web_cast: Any) -> User:
    """An administrator of the department 司法局 only (not a superuser)."""
    user = User.objects.create_user("dept_admin", password=PASSWORD)
    Membership.objects.create(user=user, org=web_cast.department, role=Role.ADMIN)
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _one_time_password(response: Any) -> str:
    return re.search(r'id="one-time-password">([^<]+)<', response.content.decode()).group(1)


def _logs_in(username: str, password: str) -> bool:
    return Client().login(username=username, password=password)


@pytest.mark.parametrize("name", ["clerk_a", "reviewer", "finance"])
def test_only_administrators_open_the_page(web_cast: Any, name: str) -> None:
    response = web_cast.client(name).get("/accounts/")
    assert response.status_code == 403 and "只有管理员" in response.content.decode()
    assert "单位和用户" not in web_cast.client(name).get("/").content.decode()


def test_the_page_lists_the_tree_and_users_in_chinese(web_cast: Any) -> None:
    page = web_cast.client("admin").get("/accounts/").content.decode()
    for text in ("单位和用户", "鄂尔多斯市财政局", "鄂尔多斯市司法局", "单位甲", "主管部门", "实施单位", "clerk_a",
                 "单位甲 · 填报人", "重置密码", "停用", "添加单位", "添加用户"):
        assert text in page, text
    assert page.index("鄂尔多斯市司法局") < page.index("单位甲") < page.index("鄂尔多斯市教育局")  # tree order
    assert 'href="/accounts/"' in web_cast.client("admin").get("/").content.decode()


def test_a_department_administrator_sees_only_its_subtree(web_cast: Any, dept_admin: User) -> None:
    page = _client(dept_admin).get("/accounts/").content.decode()
    listed = set(re.findall(r'data-username="([^"]+)"', page))
    assert listed == {"clerk_a", "clerk_b", "reviewer", "dept_admin"}  # not outsider, finance, the superuser
    assert "单位甲" in page and "鄂尔多斯市教育局" not in page and "鄂尔多斯市财政局" not in page


def test_a_unit_is_added_under_the_administrators_scope_only(web_cast: Any, dept_admin: User) -> None:
    client = _client(dept_admin)
    response = client.post("/accounts/orgs/new/", {"name": "单位丁", "kind": "unit", "parent": web_cast.department.pk})
    assert response.status_code == 302
    assert Org.objects.get(name="单位丁").parent == web_cast.department
    refused = client.post("/accounts/orgs/new/", {"name": "单位戊", "kind": "unit", "parent": web_cast.unit_c.parent_id})
    assert refused.status_code == 400 and "选择一个有效的选项" in refused.content.decode()
    twice = client.post("/accounts/orgs/new/", {"name": "单位甲", "kind": "unit", "parent": web_cast.department.pk})
    assert twice.status_code == 400 and "已有名为「单位甲」的单位" in twice.content.decode()
    assert not Org.objects.filter(name="单位戊").exists()


def test_a_new_user_gets_a_role_and_a_password_shown_once_to_be_changed(web_cast: Any, dept_admin: User) -> None:
    response = _client(dept_admin).post("/accounts/users/new/", {
        "username": "clerk_d", "name": "李四", "email": "", "role": "filler", "org": web_cast.unit_a.pk, "password": ""})
    assert response.status_code == 200 and "只显示这一次" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    password = _one_time_password(response)
    user = User.objects.get(username="clerk_d")
    assert user.first_name == "李四" and user.memberships.get().org == web_cast.unit_a
    assert _logs_in("clerk_d", password)
    client = Client()
    client.login(username="clerk_d", password=password)
    forced = client.get("/")
    assert forced.status_code == 302 and forced["Location"] == "/password/?required=1"
    assert "请先修改为您自己的密码" in client.get(forced["Location"]).content.decode()


def test_a_user_cannot_be_added_outside_the_scope_or_twice(web_cast: Any, dept_admin: User) -> None:
    client = _client(dept_admin)
    outside = client.post("/accounts/users/new/", {"username": "x1", "role": "filler", "org": web_cast.unit_c.pk})
    assert outside.status_code == 400
    twice = client.post("/accounts/users/new/", {"username": "clerk_a", "role": "filler", "org": web_cast.unit_a.pk})
    assert twice.status_code == 400 and "用户名「clerk_a」已被使用" in twice.content.decode()
    assert not User.objects.filter(username="x1").exists()


def test_a_password_reset_shows_a_new_one_revokes_tokens_and_forces_a_change(web_cast: Any) -> None:
    create_token(web_cast.clerk_a)
    response = web_cast.client("admin").post(f"/accounts/users/{web_cast.clerk_a.pk}/password/", {"password": ""})
    password = _one_time_password(response)
    assert len(password) == 12 and not _logs_in("clerk_a", PASSWORD) and _logs_in("clerk_a", password)
    assert not ApiToken.objects.filter(user=web_cast.clerk_a).exists()
    assert PasswordState.objects.get(user=web_cast.clerk_a).must_change


def test_a_password_reset_may_set_a_given_password_but_not_a_short_one(web_cast: Any) -> None:
    client = web_cast.client("admin")
    client.post(f"/accounts/users/{web_cast.clerk_b.pk}/password/", {"password": "sheng-cai-2020"})
    assert _logs_in("clerk_b", "sheng-cai-2020")
    short = client.post(f"/accounts/users/{web_cast.clerk_b.pk}/password/", {"password": "abc"}, follow=True)
    assert "密码不符合要求" in short.content.decode() and _logs_in("clerk_b", "sheng-cai-2020")


def test_nobody_resets_a_password_outside_their_scope(web_cast: Any, dept_admin: User) -> None:
    response = _client(dept_admin).post(f"/accounts/users/{web_cast.outsider.pk}/password/", {"password": ""})
    assert response.status_code == 404 and _logs_in("outsider", PASSWORD)
    assert _client(dept_admin).post(f"/accounts/users/{web_cast.admin.pk}/password/").status_code == 404


def test_a_deactivated_user_cannot_log_in_nor_use_a_token_until_reactivated(web_cast: Any) -> None:
    token = create_token(web_cast.clerk_a)
    client = web_cast.client("admin")
    client.post(f"/accounts/users/{web_cast.clerk_a.pk}/active/", {"active": "0"})
    assert not _logs_in("clerk_a", PASSWORD)
    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/forms").status_code == 401
    assert "已停用" in client.get("/accounts/").content.decode()
    client.post(f"/accounts/users/{web_cast.clerk_a.pk}/active/", {"active": "1"})
    assert _logs_in("clerk_a", PASSWORD)


def test_an_administrator_cannot_deactivate_themselves(web_cast: Any) -> None:
    page = web_cast.client("admin").post(f"/accounts/users/{web_cast.admin.pk}/active/", {"active": "0"}, follow=True)
    assert "不能停用自己的账号" in page.content.decode()
    web_cast.admin.refresh_from_db()
    assert web_cast.admin.is_active


def test_everybody_changes_their_own_password_and_loses_their_tokens(web_cast: Any) -> None:
    create_token(web_cast.reviewer)
    PasswordState.objects.create(user=web_cast.reviewer, must_change=True)
    client = Client()
    client.login(username="reviewer", password=PASSWORD)
    page = client.get("/password/").content.decode()
    assert "修改密码" in page and "旧密码" in page and "新密码" in page
    wrong = client.post("/password/", {"old_password": "nope", "new_password1": "xin-mima-2020",
                                       "new_password2": "xin-mima-2020"})
    assert wrong.status_code == 200 and "旧密码不正确" in wrong.content.decode()
    done = client.post("/password/", {"old_password": PASSWORD, "new_password1": "xin-mima-2020",
                                      "new_password2": "xin-mima-2020"}, follow=True)
    assert "密码已修改" in done.content.decode()
    assert client.get("/").status_code == 200  # still logged in, no longer sent to /password/
    assert _logs_in("reviewer", "xin-mima-2020") and not ApiToken.objects.filter(user=web_cast.reviewer).exists()
    assert not PasswordState.objects.get(user=web_cast.reviewer).must_change


# ---------------------------------------------------------------- import


def _workbook(orgs: list[tuple[str, ...]], users: list[tuple[str, ...]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "单位"
    for row in [transfer.ORG_COLUMNS, *orgs]:
        sheet.append(row)
    sheet = book.create_sheet("用户")
    for row in [transfer.USER_COLUMNS, *users]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "导入.xlsx"
    return out


def test_the_template_has_both_sheets_and_their_headers(web_cast: Any) -> None:
    response = web_cast.client("admin").get("/accounts/import/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["单位", "用户"]
    assert tuple(c.value for c in book["用户"][1]) == transfer.USER_COLUMNS


def test_an_import_previews_then_creates_everything_at_once(web_cast: Any, dept_admin: User) -> None:
    client = _client(dept_admin)
    upload = _workbook([("单位丁", "实施单位", "鄂尔多斯市司法局"), ("丁下属所", "实施单位", "单位丁")],
                       [("wang", "王五", "wang@example.cn", "填报人", "单位丁", ""),
                        ("zhao", "赵六", "", "审核人", "鄂尔多斯市司法局", "zhao-mima-2020")])
    preview = client.post("/accounts/import/", {"file": upload}).content.decode()
    assert preview.count('class="preview-org"') == 2 and preview.count('class="preview-user"') == 2
    assert "确认导入" in preview and "自动生成" in preview
    assert not Org.objects.filter(name="单位丁").exists() and not User.objects.filter(username="wang").exists()
    done = client.post("/accounts/import/confirm/")
    assert done.status_code == 200 and "已创建 2 个单位、2 个用户" in done.content.decode()
    assert Org.objects.get(name="丁下属所").parent == Org.objects.get(name="单位丁")
    wang = User.objects.get(username="wang")
    assert wang.memberships.get().role == Role.FILLER and wang.email == "wang@example.cn"
    generated = re.search(r"<td>wang</td>.*?<code>([^<]+)</code>", done.content.decode(), re.S).group(1)
    assert _logs_in("wang", generated) and _logs_in("zhao", "zhao-mima-2020")
    assert PasswordState.objects.get(user=wang).must_change
    assert client.post("/accounts/import/confirm/", follow=True).content.decode().count("没有待确认的导入") == 1


def test_an_import_names_each_bad_row_and_column_and_creates_nothing(web_cast: Any, dept_admin: User) -> None:
    client = _client(dept_admin)
    upload = _workbook([("单位丁", "实施单位", "鄂尔多斯市司法局"), ("单位戊", "科室", "鄂尔多斯市教育局")],
                       [("wang", "王五", "", "科员", "单位丁", ""), ("clerk_a", "", "", "填报人", "单位甲", ""),
                        ("li", "", "", "填报人", "单位丁", "")])
    response = client.post("/accounts/import/", {"file": upload})
    page = response.content.decode()
    assert "「单位」表第 3 行「类型」列：「科室」不是单位类型" in page
    assert "「单位」表第 3 行「上级单位」列：您管理的单位中没有「鄂尔多斯市教育局」" in page
    assert "「用户」表第 2 行「角色」列：「科员」不是角色" in page
    assert "「用户」表第 3 行「用户名」列：用户名「clerk_a」已被使用" in page
    assert "确认导入" not in page
    assert client.post("/accounts/import/confirm/").status_code == 400  # the rows fail again: nothing is created
    assert not Org.objects.filter(name="单位丁").exists() and not User.objects.filter(username="li").exists()


def test_an_import_that_became_wrong_before_the_commit_creates_nothing(web_cast: Any, dept_admin: User) -> None:
    client = _client(dept_admin)
    upload = _workbook([("单位丁", "实施单位", "鄂尔多斯市司法局")],
                       [("wang", "", "", "填报人", "单位丁", ""), ("li", "", "", "填报人", "单位丁", "")])
    assert "确认导入" in client.post("/accounts/import/", {"file": upload}).content.decode()
    User.objects.create_user("li")  # someone took the name meanwhile
    response = client.post("/accounts/import/confirm/")
    assert response.status_code == 400 and "「用户」表第 3 行「用户名」列" in response.content.decode()
    assert not Org.objects.filter(name="单位丁").exists() and not User.objects.filter(username="wang").exists()


def test_the_preview_hashes_no_password(web_cast: Any, dept_admin: User, monkeypatch: Any) -> None:
    from django.contrib.auth.hashers import MD5PasswordHasher

    hashed: list[str] = []
    real = MD5PasswordHasher.encode
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, pw, salt: hashed.append(pw) or real(self, pw, salt))
    upload = _workbook([], [("wang", "", "", "填报人", "单位甲", "wang-mima-2020"), ("li", "", "", "填报人", "单位甲", "")])
    client = _client(dept_admin)
    assert "确认导入" in client.post("/accounts/import/", {"file": upload}).content.decode()
    assert hashed == []
    client.post("/accounts/import/confirm/")
    assert len(hashed) == 2 and _logs_in("wang", "wang-mima-2020")


def test_a_file_that_is_no_workbook_is_refused_in_chinese(web_cast: Any) -> None:
    upload = io.BytesIO(b"not a workbook")
    upload.name = "x.xlsx"
    response = web_cast.client("admin").post("/accounts/import/", {"file": upload})
    assert response.status_code == 400 and "不是 Excel 工作簿" in response.content.decode()
