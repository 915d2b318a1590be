"""单位和用户管理 (/accounts/) for administrators, and 修改密码 (/password/) for everybody. Each view checks its
input, calls jixiao.web.accounts.services or .transfer and renders; a password given out is shown once."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from django.views.decorators.http import require_POST

from jixiao.web import pages
from jixiao.web.accounts import services, transfer
from jixiao.web.forms.errors import ServiceError
from jixiao.web.models import Org, Role

MAX_IMPORT_BYTES = 5 * 1024 * 1024
SESSION_KEY = "accounts_import_rows"


class OrgForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=Org.Kind.choices, initial=Org.Kind.UNIT)
    parent = forms.ModelChoiceField(label="上级单位", queryset=Org.objects.none(), required=False,
                                    empty_label="（请选择）")

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = services.managed_orgs(user).order_by("path")


class UserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    name = forms.CharField(label="姓名", max_length=150, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices, initial=Role.FILLER)
    org = forms.ModelChoiceField(label="所属单位", queryset=Org.objects.none(), empty_label="（请选择）")
    password = forms.CharField(label="初始密码（留空则自动生成）", required=False, widget=forms.PasswordInput)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = services.managed_orgs(user).order_by("path")


def _add_errors(form: forms.Form, error: ServiceError) -> None:
    for name, texts in error.errors.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def _page(request: HttpRequest, org_form: OrgForm | None = None, user_form: UserForm | None = None,
          status: int = 200) -> HttpResponse:
    user = request.user
    accounts = services.managed_users(user).prefetch_related("memberships__org").order_by("username")
    return render(request, "accounts/manage.html", {
        "tree": services.org_tree(user),
        "accounts": [{"user": a, "roles": [f"{m.org.name} · {m.get_role_display()}" for m in a.memberships.all()]}
                     for a in accounts],
        "org_form": org_form or OrgForm(user),
        "user_form": user_form or UserForm(user),
    }, status=status)


def _admin_only(view: Any) -> Any:
    """Logged in and an administrator, else the Chinese refusal page (403)."""

    @wraps(view)
    @login_required
    @pages.refusals
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        services.require_admin(request.user)
        return view(request, *args, **kwargs)

    return checked


@_admin_only
def manage(request: HttpRequest) -> HttpResponse:
    return _page(request)


@_admin_only
@require_POST
def org_add(request: HttpRequest) -> HttpResponse:
    form = OrgForm(request.user, request.POST)
    if form.is_valid():
        try:
            org = services.add_org(request.user, **form.cleaned_data)
        except ServiceError as e:
            _add_errors(form, e)
        else:
            messages.success(request, f"已添加{org.get_kind_display()}「{org.name}」。")
            return redirect("accounts")
    return _page(request, org_form=form, status=400)


@_admin_only
@require_POST
def user_add(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.user, request.POST)
    if form.is_valid():
        try:
            account, password = services.add_user(request.user, **form.cleaned_data)
        except ServiceError as e:
            _add_errors(form, e)
        else:
            return _password_shown(request, account, password, "已添加用户")
    return _page(request, user_form=form, status=400)


def _password_shown(request: HttpRequest, account: Any, password: str, done: str) -> HttpResponse:
    """The one page that shows a password given out; it is not kept anywhere to show again."""
    response = render(request, "accounts/password_shown.html", {"account": account, "password": password,
                                                                "done": done})
    response["Cache-Control"] = "no-store"
    return response


@_admin_only
@require_POST
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        account, password = services.reset_password(request.user, pk, request.POST.get("password", ""))
    except ServiceError as e:
        if e.status != 400:
            raise
        messages.error(request, e.message)
        return redirect("accounts")
    return _password_shown(request, account, password, "已重置密码")


@_admin_only
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    try:
        account = services.set_active(request.user, pk, active)
    except ServiceError as e:
        if e.status != 400:
            raise
        messages.error(request, e.message)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}用户「{account.username}」。")
    return redirect("accounts")


@_admin_only
def import_template(request: HttpRequest) -> HttpResponse:
    return pages.download(transfer.template(), "单位和用户导入模板.xlsx")


@_admin_only
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload: read the workbook, dry-run it and show what would be created and every row's errors."""
    if request.method != "POST":
        return render(request, "accounts/import.html", {})
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ServiceError("请选择要导入的 .xlsx 文件。")
        if upload.size > MAX_IMPORT_BYTES:
            raise ServiceError(f"文件太大（{upload.size} 字节），请小于 5 MB。")
        rows = transfer.read(b"".join(upload.chunks()))
    except ServiceError as e:
        return render(request, "accounts/import.html", {"error": e.message}, status=400)
    outcome = transfer.apply(request.user, rows, commit=False)
    request.session[SESSION_KEY] = rows
    return render(request, "accounts/import.html", {"outcome": outcome, "name": upload.name})


@_admin_only
@require_POST
def import_commit(request: HttpRequest) -> HttpResponse:
    """Create everything the preview listed, or nothing (the rows are checked again: data may have changed)."""
    rows = request.session.get(SESSION_KEY)
    if not rows:
        messages.error(request, "没有待确认的导入，请重新上传文件。")
        return redirect("accounts-import")
    outcome = transfer.apply(request.user, rows, commit=True)
    if outcome.errors:
        return render(request, "accounts/import.html", {"outcome": outcome}, status=400)
    del request.session[SESSION_KEY]
    response = render(request, "accounts/import_done.html", {"outcome": outcome})
    response["Cache-Control"] = "no-store"
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (it keeps the session and, through the user's save, revokes the API tokens)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("form-list")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(self.request.user)
        messages.success(self.request, "密码已修改。您的 API 令牌已全部吊销，如需使用 API 请重新生成。")
        return response


urlpatterns = [
    path("accounts/", manage, name="accounts"),
    path("accounts/orgs/new/", org_add, name="accounts-org-add"),
    path("accounts/users/new/", user_add, name="accounts-user-add"),
    path("accounts/users/<int:pk>/password/", user_password, name="accounts-user-password"),
    path("accounts/users/<int:pk>/active/", user_active, name="accounts-user-active"),
    path("accounts/import/", import_upload, name="accounts-import"),
    path("accounts/import/template.xlsx", import_template, name="accounts-import-template"),
    path("accounts/import/confirm/", import_commit, name="accounts-import-commit"),
    path("password/", PasswordChangeView.as_view(), name="password-change"),
]
