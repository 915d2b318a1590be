"""Issue 10's friction 10 and 14 in a real browser: the administrator adds and imports units and users and
resets a password in Chinese pages; the new user must choose a password; a clerk sees a returned form in
the header's messages and opens it from there."""

from __future__ import annotations

import io
from typing import Any

from web_helpers import SHOTS, login, require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"friction-{name}.png"), full_page=True)


def _workbook(path: Any, orgs: list[tuple[str, ...]], users: list[tuple[str, ...]]) -> str:
    from openpyxl import load_workbook

    from jixiao.web.accounts import transfer

    book = load_workbook(io.BytesIO(transfer.template()))
    for sheet, rows in (("单位", orgs), ("用户", users)):
        book[sheet].delete_rows(2)
        for row in rows:
            book[sheet].append(row)
    book.save(path)
    return str(path)


def test_the_administrator_adds_a_user_who_must_then_choose_a_password(live_server, demo, page):
    login(page, live_server.url, "admin")
    page.get_by_role("link", name="单位和用户").click()
    expect(page.get_by_role("heading", name="单位和用户")).to_be_visible()
    expect(page.locator(".org-tree")).to_contain_text("鄂尔多斯市法律援助中心")
    form = page.locator("#user-add")
    form.get_by_label("用户名").fill("clerk3")
    form.get_by_label("姓名").fill("王五")
    form.get_by_label("角色").select_option(label="填报人")
    form.get_by_label("所属单位").select_option(label="鄂尔多斯市公证处")
    form.get_by_role("button", name="添加用户").click()
    expect(page.get_by_text("此密码只显示这一次")).to_be_visible()
    shot(page, "10-password-shown-once")
    password = page.locator("#one-time-password").inner_text()

    page.get_by_role("button", name="退出").click()
    page.get_by_label("用户名").fill("clerk3")
    page.get_by_label("密码").fill(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("请先修改为您自己的密码")
    page.get_by_label("旧密码").fill(password)
    page.get_by_label("新密码", exact=True).fill("gongzheng-2020")
    page.get_by_label("新密码确认").fill("gongzheng-2020")
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_text("密码已修改")).to_be_visible()
    expect(page.get_by_role("heading", name="绩效自评表")).to_be_visible()


def test_the_administrator_imports_units_and_users_after_fixing_a_row(live_server, demo, page, tmp_path):
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("link", name="从 Excel 导入单位和用户").click()
    bad = _workbook(tmp_path / "bad.xlsx", [("鄂尔多斯市社区矫正中心", "实施单位", "鄂尔多斯市司法局")],
                    [("zhou", "周七", "", "科员", "鄂尔多斯市社区矫正中心", "")])
    page.locator("input[type=file]").set_input_files(bad)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("#import-errors")).to_contain_text("「用户」表第 2 行「角色」列：「科员」不是角色")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    shot(page, "10-import-row-errors")
    good = _workbook(tmp_path / "good.xlsx", [("鄂尔多斯市社区矫正中心", "实施单位", "鄂尔多斯市司法局")],
                     [("zhou", "周七", "", "填报人", "鄂尔多斯市社区矫正中心", "")])
    page.locator("input[type=file]").set_input_files(good)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator(".preview-user")).to_contain_text("zhou")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", name="导入完成")).to_be_visible()
    expect(page.locator(".created-user code")).to_have_count(1)
    page.get_by_role("link", name="返回单位和用户").click()
    expect(page.locator(".org-tree")).to_contain_text("鄂尔多斯市社区矫正中心")
    expect(page.locator('tr[data-username="zhou"]')).to_contain_text("鄂尔多斯市社区矫正中心 · 填报人")


def test_the_administrator_resets_a_password_and_deactivates_a_user(live_server, demo, page):
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/accounts/")
    row = page.locator('tr[data-username="clerk2"]')
    row.get_by_role("button", name="重置密码").click()
    expect(page.get_by_role("heading", name="已重置密码：clerk2")).to_be_visible()
    page.get_by_role("link", name="返回单位和用户").click()
    page.locator('tr[data-username="clerk2"]').get_by_role("button", name="停用").click()
    expect(page.get_by_text("已停用用户「clerk2」")).to_be_visible()
    expect(page.locator('tr[data-username="clerk2"]')).to_contain_text("已停用")
    shot(page, "10-users")


def test_a_clerk_sees_a_returned_form_in_the_header_and_opens_it(live_server, demo_drafts_live, page):
    from django.contrib.auth.models import User

    from jixiao.web.models import PerformanceForm
    from jixiao.web.review import workflow

    form = PerformanceForm.objects.get(project="信息化建设")
    workflow.transition(form, User.objects.get(username="clerk"), "submit", "已与主管部门核实")
    workflow.transition(form, User.objects.get(username="reviewer"), "return", "请补充佐证材料。")
    login(page, live_server.url, "clerk")
    link = page.locator(".notice-link")
    expect(link.locator(".notice-count")).to_have_text("1")
    link.click()
    expect(page.get_by_role("heading", name="消息")).to_be_visible()
    expect(page.locator("tr.unread")).to_contain_text("「信息化建设」被退回：请补充佐证材料。")
    shot(page, "14-messages")
    page.locator("tr.unread").get_by_role("button", name="查看").click()
    expect(page).to_have_url(f"{live_server.url}/forms/{form.pk}/")
    expect(page.locator(".notice-count")).to_have_count(0)
