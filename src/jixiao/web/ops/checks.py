"""Deployment checks (`python -m django check --deploy`), and the refusal of `jixiao serve` in production.

Django's own security checks say what is unsafe in English; DEPLOY_HINTS says it in Chinese with the
environment variable that fixes it, so `jixiao serve` can name what to change.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

DEPLOY_HINTS = {
    "security.W004": "未启用 HSTS：请设置 JIXIAO_HSTS_SECONDS（如 31536000）。",
    "security.W005": "HSTS 未包含子域名：请设置 JIXIAO_HSTS_INCLUDE_SUBDOMAINS=1。",
    "security.W008": "未把 HTTP 重定向到 HTTPS：请设置 JIXIAO_SSL_REDIRECT=1（反向代理之后再设 JIXIAO_BEHIND_PROXY=1）。",
    "security.W009": "密钥太短或是默认值：请设置 JIXIAO_SECRET_KEY 为 50 个以上的随机字符，或删去它以使用数据目录中自动生成的密钥。",
    "security.W012": "会话 Cookie 未设为仅 HTTPS：请设置 JIXIAO_SECURE_COOKIES=1。",
    "security.W016": "CSRF Cookie 未设为仅 HTTPS：请设置 JIXIAO_SECURE_COOKIES=1。",
    "security.W018": "调试模式已开启：生产环境请去掉 JIXIAO_DEBUG。",
    "security.W020": "没有允许的主机名：请设置 JIXIAO_ALLOWED_HOSTS（如 jixiao.example.gov.cn）。",
    "security.W021": "HSTS 未设 preload：请设置 JIXIAO_HSTS_PRELOAD=1。",
}


@checks.register(checks.Tags.security, deploy=True)
def check_hosts_and_debug(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(checks.Warning(
            "JIXIAO_ALLOWED_HOSTS 含有“*”：任何主机名都会被接受。请只写本系统的域名。", id="jixiao.W001"))
    if getattr(settings, "PRODUCTION", False) and settings.DEBUG:
        problems.append(checks.Warning("生产模式下开启了调试模式（JIXIAO_DEBUG=1）：出错时会显示程序内部信息。",
                                       id="jixiao.W002"))
    return problems


def unsafe_settings() -> list[str]:
    """What makes the running settings unsafe for a deployment, in Chinese (empty when all is well)."""
    messages = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    found = []
    for message in messages:
        if message.level < checks.WARNING or message.is_silenced():
            continue
        hint = DEPLOY_HINTS.get(message.id or "")
        found.append(f"{message.id}：{hint or message.msg}")
    return found
