"""Helpers of the pages: a refusal as the error page, a file as a download, pages of a list and the
options of its filters."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from jixiao.web.forms.errors import ServiceError
from jixiao.web.forms.kept import kept


def options(choices: Any, chosen: str) -> str:
    """<option>s of a filter, built in one pass (a finance bureau's unit list has hundreds)."""
    from html import escape

    from django.utils.safestring import mark_safe

    return mark_safe("".join(  # every value is escaped here
        f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>{escape(str(label))}</option>'
        for value, label in choices
    ))


class _IdsFirstPaginator(Paginator):
    """Pages whose rows are picked by id first: the page's ids come from the ordered, filtered forms
    alone (an index scan, no joins, no wide columns), and only those rows are read with their columns.

    Without this, page 150 joins and projects the 7,450 rows it skips (and the API casts their JSON).
    """

    def __init__(self, forms: QuerySet[Any], per_page: int, values: tuple[str, ...], annotations: dict[str, Any]) -> None:
        super().__init__(forms, per_page)
        self.values, self.annotations = values, annotations

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        forms = self.object_list
        rows = forms.model._default_manager.order_by(*forms.query.order_by or forms.model._meta.ordering)
        # The filters (and permissions) are the subquery's: the outer query reads these rows only.
        rows = rows.none() if top <= bottom else rows.filter(pk__in=forms.values("pk")[bottom:top])
        return self._get_page(rows.values(*self.values, **self.annotations), number, self)


def paginate(forms: QuerySet[Any], per_page: int, number: str | None, values: tuple[str, ...] = (),
             annotations: dict[str, Any] | None = None, version: int | None = None,
             key: tuple[Any, ...] | None = None) -> Any:
    """A page of `forms` as dicts of `values` and `annotations`, counted on `forms` alone: no join in the count.

    With a data version and a key that determines `forms` (filter_key), the count is kept: counting
    20,000 forms on every page costs more than the page.
    """
    paginator = _IdsFirstPaginator(forms, per_page, values, annotations or {})
    counted = forms.order_by()
    paginator.count = kept(version, ("count", key), counted.count)  # type: ignore[misc]  # a cached_property, set ahead
    return paginator.get_page(number)


View = Callable[..., HttpResponse]


def error_page(request: HttpRequest, error: ServiceError, template: str = "jixiao/error.html") -> HttpResponse:
    """A refusal as a page: its message and, if any, the list of what stands in the way."""
    return render(request, template, {"error": error, "items": getattr(error, "items", [])}, status=error.status)


def refusals(view: View, template: str = "jixiao/error.html") -> View:
    """A service refusal becomes the error page (`template`) with its status and message."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ServiceError as e:
            return error_page(request, e, template)

    return wrapper


def download(data: bytes, filename: str) -> HttpResponse:
    from jixiao.web.content_types import content_type

    response = HttpResponse(data, content_type=content_type(filename))
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


METHOD_NAMES = {"GET": "打开（GET）", "POST": "提交（POST）", "PUT": "PUT", "PATCH": "PATCH", "DELETE": "DELETE"}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """A refusal in Chinese: JSON under /api/, the error page elsewhere."""
    if _is_api(request):
        return JsonResponse({"error": message, "errors": {"": [message]}}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    return error_page(request, ServiceError(message, status=status))


def allow(*methods: str) -> Callable[[View], View]:
    """Only these request methods; any other is answered 405 in Chinese (Django's decorator answers an
    empty page, which a browser shows blank)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                wanted = "、".join(METHOD_NAMES.get(m, m) for m in methods)
                response = refusal(request, f"此地址不接受 {request.method} 请求，只接受 {wanted}。", 405)
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 handler: "没有找到此页面" in Chinese, as JSON under /api/."""
    return refusal(request, "没有找到此页面或此项内容，请检查地址，或从列表重新进入。", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler: a short Chinese apology (the details are in the server's log)."""
    if _is_api(request):
        return JsonResponse({"error": "服务器内部错误，请稍后再试；问题已记录在服务器日志中。"}, status=500,
                            json_dumps_params={"ensure_ascii": False})
    return HttpResponse("<!doctype html><meta charset=utf-8><title>服务器内部错误</title>"
                        "<h1>服务器内部错误</h1><p>请稍后再试；问题已记录在服务器日志中。</p>", status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return refusal(request, "请求无效，请检查填写的内容后重试。", 400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return refusal(request, "您没有权限进行此操作。", 403)
