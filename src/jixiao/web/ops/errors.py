"""Error answers in Chinese: a page for people, JSON under /api/; never a traceback for a visitor.

Django's handlers (urls.handler400 … handler500) and SafeErrorsMiddleware (with JIXIAO_DEBUG=1, for
everyone but staff) both answer through error_response.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

MESSAGES = {
    400: "请求有误，无法处理。请检查填写的内容后重试。",
    403: "您没有权限进行此操作。",
    404: "没有找到这个页面，或您无权查看。",
    405: "不支持此请求方式。",
    413: "上传的内容太大。",
    500: "服务器出错了。问题已记录，请稍后再试；若一再出现，请联系管理员。",
}


def error_response(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    text = message or MESSAGES.get(status, MESSAGES[400])
    if request.path.startswith("/api/"):
        return JsonResponse({"error": text, "errors": {"": [text]}}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    html = render_to_string("ops/error.html", {"status": status, "message": text})
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_response(request, 403)


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500)
