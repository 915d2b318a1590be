"""What an administrator may do to organisations and users, and within which scope.

A 管理员 manages the orgs at and under its place and the users whose every role lies there (a superuser
manages all). Giving a user a password (new account, reset, import) obliges them to choose their own at
the next login; changing a password revokes the user's API tokens (jixiao.web.ops.signals).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from jixiao.web.accounts.models import PasswordState
from jixiao.web.forms.access import User, memberships
from jixiao.web.forms.errors import PermissionDenied, ServiceError
from jixiao.web.models import ROLE_LABELS, Membership, Org, Role

KIND_LABELS = dict(Org.Kind.choices)
# Letters and digits that cannot be mistaken for one another when read aloud or copied from paper.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def is_admin(user: User) -> bool:
    return bool(user.is_superuser) or any(m.role == Role.ADMIN for m in memberships(user))


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied("只有管理员可以管理单位和用户。")


def managed_orgs(user: User) -> QuerySet[Org]:
    """The orgs the user administers: under its 管理员 places (all of them for a superuser)."""
    if user.is_superuser:
        return Org.objects.all()
    q = Q(pk__in=[])
    for m in memberships(user):
        if m.role == Role.ADMIN:
            q |= Q(path__startswith=m.org.path)
    return Org.objects.filter(q)


def managed_users(user: User) -> QuerySet[Any]:
    """The users whose every role lies in the user's orgs (no superuser, unless the user is one)."""
    users = get_user_model().objects.all()
    if user.is_superuser:
        return users
    inside = managed_orgs(user).values("pk")
    outside = Membership.objects.exclude(org__in=inside).values("user_id")
    return users.filter(is_superuser=False, memberships__org__in=inside).exclude(pk__in=outside).distinct()


def generated_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def _checked_password(password: str, user: Any = None) -> str:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        raise ServiceError("密码不符合要求：" + "；".join(e.messages), {"password": list(e.messages)}) from None
    return password


def add_org(user: User, *, name: str, kind: str, parent: Org | None) -> Org:
    """A new node under one of the user's orgs (a superuser may also open a new root)."""
    require_admin(user)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["请填写单位名称。"]
    if kind not in KIND_LABELS:
        errors["kind"] = [f"请选择单位类型：{'、'.join(KIND_LABELS.values())}。"]
    if parent is None and not user.is_superuser:
        errors["parent"] = ["请选择上级单位。"]
    elif parent is not None and not managed_orgs(user).filter(pk=parent.pk).exists():
        errors["parent"] = ["所选上级单位不在您的管理范围内。"]
    if not errors and Org.objects.filter(parent=parent, name=name).exists():
        errors["name"] = [f"「{parent.name if parent else '最上级'}」下已有名为「{name}」的单位。"]
    if errors:
        raise ServiceError("请更正标出的内容。", errors)
    return Org.objects.create(name=name, kind=kind, parent=parent)


def add_user(user: User, *, username: str, name: str, email: str, role: str, org: Org,
             password: str = "", dry_run: bool = False) -> tuple[Any, str]:
    """A new account with one role at one org; returns it and its first password (generated if none given),
    which the user must change at the first login. A dry run (rolled back by its caller) hashes no password:
    hashing is slow by design, and an import's preview would hash every row once more."""
    require_admin(user)
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["请填写用户名。"]
    elif get_user_model().objects.filter(username=username).exists():
        errors["username"] = [f"用户名「{username}」已被使用。"]
    if role not in ROLE_LABELS:
        errors["role"] = [f"请选择角色：{'、'.join(ROLE_LABELS.values())}。"]
    if not managed_orgs(user).filter(pk=org.pk).exists():
        errors["org"] = ["所选单位不在您的管理范围内。"]
    if errors:
        raise ServiceError("请更正标出的内容。", errors)
    password = _checked_password(password) if password else generated_password()
    account = get_user_model().objects.create_user(username, email=(email or "").strip(),
                                                   password=None if dry_run else password,
                                                   first_name=(name or "").strip()[:150])
    Membership.objects.create(user=account, org=org, role=role)
    _must_change(account, user)
    return account, password


def get_managed(user: User, pk: int) -> Any:
    require_admin(user)
    account = managed_users(user).filter(pk=pk).first()
    if account is None:
        raise ServiceError("没有找到此用户，或其不在您的管理范围内。", status=404)
    return account


def reset_password(user: User, pk: int, password: str = "") -> tuple[Any, str]:
    """Give a user a new password (the one given, or a generated one); their API tokens are revoked and they
    must choose their own at the next login. Returns the user and the password, to be shown once."""
    account = get_managed(user, pk)
    password = _checked_password(password, account) if password else generated_password()
    account.set_password(password)
    account.save()  # the pre_save signal revokes the API tokens
    _must_change(account, user)
    return account, password


def set_active(user: User, pk: int, active: bool) -> Any:
    """Deactivate a user (they can no longer log in nor use their tokens) or reactivate them."""
    account = get_managed(user, pk)
    if account.pk == user.pk and not active:
        raise ServiceError("不能停用自己的账号。")
    account.is_active = active
    account.save(update_fields=["is_active"])
    return account


def _must_change(account: Any, by: User) -> None:
    PasswordState.objects.update_or_create(
        user=account, defaults={"must_change": True, "set_by": by if by.is_authenticated else None})


def password_changed(account: Any) -> None:
    """The user chose their own password: no longer obliged to change it."""
    PasswordState.objects.filter(user=account).update(must_change=False)


def org_tree(user: User) -> list[dict[str, Any]]:
    """The managed orgs in tree order, each with its depth under the top managed one and its user count."""
    from django.db.models import Count

    orgs = list(managed_orgs(user).annotate(users=Count("memberships__user", distinct=True)).order_by("path"))
    top = min((o.path.count("/") for o in orgs), default=0)
    return [{"org": o, "depth": o.path.count("/") - top, "kind_label": KIND_LABELS[o.kind], "users": o.users}
            for o in orgs]
