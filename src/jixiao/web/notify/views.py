"""The user's messages (/notifications/): newest first, unread marked; opening one marks it read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jixiao.web.notify import services
from jixiao.web.notify.models import Notification


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = Notification.objects.filter(user=request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "notify/list.html", {"page": page, "unread": services.unread(request.user).count()})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the message read and go where it points."""
    row = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_read(request.user, row.pk)
    if row.url and url_has_allowed_host_and_scheme(row.url, allowed_hosts={request.get_host()}):
        return redirect(row.url)
    return redirect("notify-list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.mark_read(request.user)
    return redirect("notify-list")


urlpatterns = [
    path("notifications/", notification_list, name="notify-list"),
    path("notifications/<int:pk>/open/", notification_open, name="notify-open"),
    path("notifications/read-all/", notification_read_all, name="notify-read-all"),
]
