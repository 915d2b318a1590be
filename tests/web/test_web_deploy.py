"""Issue 16 points 8 and 11: saves conditional on the version seen, a deployment safe by default
(settings from the environment, serve's refusal, check --deploy), throttled logins, CSP, private
files, expiring and revocable tokens, cached public files, capped exports."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from web_helpers import PASSWORD, editor_post

from jixiao.web.models import ApiToken, PerformanceForm
from jixiao.web.tokens import create_token

SRC = str(Path(__file__).resolve().parents[2] / "src")
# The production environment the README documents (its "Operations" section).
PRODUCTION = {
    "JIXIAO_PRODUCTION": "1",
    "JIXIAO_SECRET_KEY": secrets.token_urlsafe(50),
    "JIXIAO_ALLOWED_HOSTS": "jixiao.example.gov.cn",
    "JIXIAO_CSRF_TRUSTED_ORIGINS": "https://jixiao.example.gov.cn",
    "JIXIAO_BEHIND_PROXY": "1",
}


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_", "DJANGO_", "DATABASE_URL"))}
    full = {**clean, "PYTHONPATH": SRC, "JIXIAO_DATA_DIR": str(tmp_path / "data"),
            "DJANGO_SETTINGS_MODULE": "jixiao.web.settings", **env}
    return subprocess.run([sys.executable, *args], env=full, capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------- point 8: versions


def test_a_patch_without_a_version_is_refused_and_overwrites_nothing(web_cast):
    form = web_cast.form_a
    response = web_cast.client("clerk_a").patch(f"/api/forms/{form.pk}", {"form": dict(form.record, project="改名")},
                                                content_type="application/json")
    assert response.status_code == 428
    assert "version" in response.json()["error"]
    assert PerformanceForm.objects.get(pk=form.pk).project == form.project


def test_a_patch_with_an_old_version_is_a_conflict(web_cast):
    form = web_cast.form_a
    client = web_cast.client("clerk_a")
    first = client.patch(f"/api/forms/{form.pk}", {"version": form.version, "form": dict(form.record, project="新")},
                         content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == form.version + 1
    stale = client.patch(f"/api/forms/{form.pk}", {"version": form.version, "form": dict(form.record, project="旧")},
                         content_type="application/json")
    assert stale.status_code == 409


def test_the_editor_refuses_a_save_without_the_version_it_was_opened_at(web_cast):
    form = web_cast.form_a
    data = editor_post(form.record, web_cast.unit_a.pk, "", project="改名")
    response = web_cast.client("clerk_a").post(reverse("form-edit", args=[form.pk]), data)
    assert response.status_code == 400 and "版本号" in response.content.decode()
    assert PerformanceForm.objects.get(pk=form.pk).project == form.project


def test_a_clerk_cannot_print_another_units_name_on_its_form(web_cast):
    form = web_cast.form_a
    record = dict(form.record, unit="单位乙", department="别的部门")
    response = web_cast.client("clerk_a").patch(f"/api/forms/{form.pk}", {"form": record, "version": form.version},
                                                content_type="application/json")
    assert response.status_code == 200
    assert response.json()["form"]["unit"] == "单位甲"
    assert response.json()["form"]["department"] == "鄂尔多斯市司法局"


# ---------------------------------------------------------------- point 11: deployment


def test_check_deploy_reports_nothing_with_the_documented_production_environment(tmp_path):
    result = _run(["-m", "django", "check", "--deploy"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_serve_refuses_to_start_in_production_with_unsafe_settings_and_says_which(tmp_path):
    unsafe = {**PRODUCTION, "JIXIAO_ALLOWED_HOSTS": "*", "JIXIAO_SECURE_COOKIES": "0", "JIXIAO_HSTS_SECONDS": "0"}
    result = _run(["-m", "jixiao.cli", "serve", "--port", "0"], unsafe, tmp_path)
    assert result.returncode == 2
    for named in ("JIXIAO_ALLOWED_HOSTS", "JIXIAO_SECURE_COOKIES", "JIXIAO_HSTS_SECONDS"):
        assert named in result.stderr
    assert "服务未启动" in result.stderr


def test_production_allows_no_host_unless_named_and_a_checkout_only_the_local_machine(tmp_path):
    code = "from django.conf import settings; import django; django.setup(); print(settings.ALLOWED_HOSTS)"
    assert _run(["-c", code], {"JIXIAO_PRODUCTION": "1"}, tmp_path).stdout.strip() == "[]"
    assert "*" not in _run(["-c", code], {}, tmp_path).stdout


def test_the_secret_key_and_the_database_are_created_readable_by_their_owner_only(tmp_path):
    result = _run(["-c", "import django; django.setup()"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("secret_key", "jixiao.sqlite3"):
        mode = stat.S_IMODE((tmp_path / "data" / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


def test_logins_are_throttled_after_repeated_wrong_passwords(web_cast, settings):
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "clerk_a", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "clerk_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked out by clerk_a's failures.
    assert Client().post(reverse("login"), {"username": "clerk_b", "password": PASSWORD}).status_code == 302


def test_every_page_carries_a_content_security_policy_without_inline_script(web_cast):
    response = web_cast.client("clerk_a").get(reverse("form-detail", args=[web_cast.form_a.pk]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page = response.content.decode()
    assert "onclick=" not in page and "<script>" not in page


# ---------------------------------------------------------------- tokens


def test_tokens_expire(web_cast, settings):
    raw = create_token(web_cast.clerk_a, days=-1)
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/units")
    assert response.status_code == 401 and "过期" in response.json()["error"]
    fresh = create_token(web_cast.clerk_a)
    assert Client(headers={"Authorization": f"Bearer {fresh}"}).get("/api/units").status_code == 200


def test_a_password_change_revokes_the_users_tokens(web_cast):
    raw = create_token(web_cast.clerk_a)
    other = create_token(web_cast.clerk_b)
    user = User.objects.get(pk=web_cast.clerk_a.pk)
    user.last_login = None
    user.save()  # not a password change: the token stays
    assert ApiToken.objects.filter(user=user).count() == 1
    user.set_password("a new password 123")
    user.save()
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/units").status_code == 401
    assert Client(headers={"Authorization": f"Bearer {other}"}).get("/api/units").status_code == 200


def test_token_list_and_revoke_from_the_command_line(web_cast, capsys):
    from jixiao.cli import main

    create_token(web_cast.clerk_a, "报表系统")
    token = ApiToken.objects.get(user=web_cast.clerk_a)
    assert main(["token", "list", "clerk_a"]) == 0
    listing = capsys.readouterr().out
    assert token.prefix in listing and "报表系统" in listing and str(token.pk) in listing
    assert main(["token", "revoke", str(token.pk)]) == 0
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert main(["token", "revoke", str(token.pk)]) == 1
    assert "没有编号" in capsys.readouterr().err


# ---------------------------------------------------------------- exports


def test_public_files_are_built_once_per_form_version(web_cast, monkeypatch):
    from jixiao.web.forms import exports

    form = web_cast.form_a
    PerformanceForm.objects.filter(pk=form.pk).update(stage="published")
    built = []
    real = exports.export_forms
    monkeypatch.setattr(exports, "export_forms", lambda forms, fmt: built.append(fmt) or real(forms, fmt))
    visitor = Client()
    first = visitor.get(f"/public/forms/{form.pk}.xlsx")
    second = visitor.get(f"/public/forms/{form.pk}.xlsx")
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert built == ["xlsx"]
    PerformanceForm.objects.filter(pk=form.pk).update(version=form.version + 1)
    visitor.get(f"/public/forms/{form.pk}.xlsx")
    assert built == ["xlsx", "xlsx"]  # a new version is built afresh


def test_an_export_by_ids_is_capped(web_cast, settings):
    settings.JIXIAO_EXPORT_MAX_FORMS = 3
    client = web_cast.client("admin")
    response = client.post("/api/export", {"ids": [1, 2, 3, 4], "format": "xlsx"}, content_type="application/json")
    assert response.status_code == 400 and "最多 3 个" in response.json()["error"]
    page = client.post(reverse("export-selection"), {"ids": ["1", "2", "3", "4"], "format": "xlsx"})
    assert page.status_code == 400


def test_with_debug_off_a_server_error_is_answered_in_chinese(web_cast, settings, monkeypatch):
    from jixiao.web.review import publication

    def broken() -> list[int]:
        raise RuntimeError("boom")

    monkeypatch.setattr(publication, "public_years", broken)
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/public/")
    assert response.status_code == 500 and "服务器内部错误" in response.content.decode()
