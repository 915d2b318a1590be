"""The administrator's page of scoring profiles (/profiles/): upload, validate, list, retire."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from jixiao.core.profiles import ProfileError
from jixiao.profile_files import builtin_profiles
from jixiao.web.forms import access
from jixiao.web.forms.errors import PermissionDenied, ServiceError
from jixiao.web.models import Role
from jixiao.web.ops import profiles
from jixiao.web.ops.models import UploadedProfile

MAX_PROFILE_BYTES = 256 * 1024


class ProfileUpload(forms.Form):
    file = forms.FileField(label="评分规则文件（.toml）", required=False)
    text = forms.CharField(label="或直接粘贴 TOML 内容", required=False, widget=forms.Textarea(attrs={"rows": 12}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_PROFILE_BYTES:
                raise forms.ValidationError(f"文件太大（{upload.size} 字节），评分规则文件应小于 256 KB。")
            try:
                data["text"] = b"".join(upload.chunks()).decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError("文件不是 UTF-8 编码的文本，请以 UTF-8 保存后再上传。") from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError("请选择 .toml 文件，或粘贴 TOML 内容。")
        try:
            data["profile"] = profiles.validate(data["text"], getattr(upload, "name", "") or "粘贴的内容")
        except ProfileError as e:
            raise forms.ValidationError(str(e)) from None
        return data


def _admin_org(user: Any) -> tuple[bool, Any]:
    """Whether the user administers profiles, and the org its uploads apply to (None: everywhere)."""
    if user.is_superuser:
        return True, None
    for m in access.memberships(user):
        if m.role in (Role.ADMIN, Role.FINANCE):
            return True, m.org
    return False, None


def _managed(user: Any) -> Any:
    rows = UploadedProfile.objects.select_related("org", "uploaded_by")
    if user.is_superuser:
        return rows
    orgs = [m.org_id for m in access.memberships(user) if m.role in (Role.ADMIN, Role.FINANCE)]
    return rows.filter(org_id__in=orgs)


@login_required
def profile_list(request: HttpRequest) -> HttpResponse:
    allowed, org = _admin_org(request.user)
    if not allowed:
        return render(request, "jixiao/error.html", {"error": PermissionDenied(
            "只有财政部门的管理员可以管理评分规则。")}, status=403)
    upload = ProfileUpload(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if upload.is_valid():
            profile = upload.cleaned_data["profile"]
            if UploadedProfile.objects.filter(name=profile.name).exclude(org=org).exists():
                upload.add_error(None, f"规则名称“{profile.name}”已被其他单位使用，请另起一个名称。")
            else:
                UploadedProfile.objects.update_or_create(name=profile.name, defaults={
                    "title": profile.title, "region": "、".join(profile.regions), "first_year": profile.first_year,
                    "last_year": profile.last_year, "org": org, "text": upload.cleaned_data["text"],
                    "uploaded_by": request.user, "retired": False})
                messages.success(request, f"已上传评分规则「{profile.title}」（{profile.name}），"
                                          "导入和新建的表将按年度和地区使用它。")
                return redirect("ops-profiles")
        status = 400
    return render(request, "ops/profiles.html", {
        "upload": upload, "uploaded": _managed(request.user), "builtins": builtin_profiles().values(),
        "scope": org,
    }, status=status)


@login_required
@require_POST
def profile_retire(request: HttpRequest, pk: int) -> HttpResponse:
    allowed, _ = _admin_org(request.user)
    row = _managed(request.user).filter(pk=pk).first() if allowed else None
    if row is None:
        return render(request, "jixiao/error.html", {"error": ServiceError(
            "没有找到这个评分规则，或您无权管理。", status=404)}, status=404)
    row.retired = request.POST.get("retired", "1") == "1"
    row.save(update_fields=["retired", "changed"])
    messages.success(request, f"已{'停用' if row.retired else '恢复'}评分规则「{row.title}」。")
    return redirect("ops-profiles")


urlpatterns = [
    path("profiles/", profile_list, name="ops-profiles"),
    path("profiles/<int:pk>/retire/", profile_retire, name="ops-profile-retire"),
]
