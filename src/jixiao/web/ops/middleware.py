"""What every request passes through for issue 16: ids too large for the database are not found,
and with JIXIAO_DEBUG=1 only staff see Django's technical pages (a visitor gets the Chinese one: jixiao.web.pages' answers)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse

from jixiao.web import pages

# The largest id a database column holds (a signed 64-bit integer): /forms/99999999999999999999/ is not found.
MAX_ID = 2**63 - 1
# The years a URL may name: a budget year, and next year's beside it, stays inside what a database holds.
YEARS = (1900, 2999)
log = logging.getLogger("django.request")


class SafeErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]) -> HttpResponse | None:
        if any(isinstance(v, int) and not 0 <= v <= MAX_ID for v in (*args, *kwargs.values())):
            return pages.not_found(request)
        year = kwargs.get("year")
        if isinstance(year, int) and not YEARS[0] <= year <= YEARS[1]:  # /…/99999999999999999999/: no such year
            return pages.not_found(request)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from jixiao.web.forms.errors import ServiceError

        if isinstance(exception, ServiceError):  # a refusal no view caught: its status and message
            return pages.refusal(request, exception.message, exception.status)
        if not settings.DEBUG or getattr(request.user, "is_staff", False):
            return None  # without DEBUG, Django's handlers (jixiao.web.pages) answer
        if isinstance(exception, Http404):
            return pages.not_found(request)
        if isinstance(exception, PermissionDenied):
            return pages.forbidden(request)
        if isinstance(exception, RequestDataTooBig):
            return pages.refusal(request, "上传的内容太大。", 413)
        if isinstance(exception, SuspiciousOperation | BadRequest):
            return pages.bad_request(request)
        log.error("Internal Server Error: %s", request.path, exc_info=exception)
        return pages.server_error(request)
