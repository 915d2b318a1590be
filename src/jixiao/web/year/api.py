"""The year's forms in the JSON API (/api/year/…): targets with their versions and reviews, rounds,
monitoring forms and their 预警, the live checks, 新建自评; published targets at /public/targets…json.
Authentication and errors are the web API's (`api_view`: session or Bearer)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.http import require_http_methods

from jixiao.web.api import api_view, json_body, json_response
from jixiao.web.forms import access, errors
from jixiao.web.models import Org
from jixiao.web.ops.params import is_id
from jixiao.web.year import disclosure, monitoring, presenters
from jixiao.web.year import services as year
from jixiao.web.year.models import YearRound


def _unit(data: dict[str, Any]) -> Org:
    pk = data.get("unit")
    if not isinstance(pk, int):
        raise errors.ServiceError("请以 unit 指定实施单位的 id。", {"unit": ["请指定实施单位。"]})
    found = Org.objects.filter(pk=pk).first()
    if found is None:
        raise errors.ServiceError("没有这个实施单位。", status=404)
    return found


@api_view
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    """GET: the targets the user sees (?year=); POST {"unit": id, "target": {jixiao.target/1}}: declare."""
    if request.method == "POST":
        data = json_body(request)
        decl = year.save_target(request.user, data.get("target") or {}, unit=_unit(data))
        return json_response(presenters.target_json(decl, request.user), status=201)
    qs = year.visible_targets(request.user)
    if is_id(request.GET.get("year", "")):
        qs = qs.filter(year=int(request.GET["year"]))
    return json_response({"results": [presenters.target_json(d) for d in qs[:500]]})


@api_view
@require_http_methods(["GET", "PUT"])
def target(request: HttpRequest, pk: int) -> HttpResponse:
    decl = year.get_target(request.user, pk)
    if request.method == "PUT":
        data = json_body(request)
        edit = data.get("edit")
        decl = year.save_target(request.user, data.get("target") or {}, decl=decl,
                                edit=edit if isinstance(edit, int) else None)
    department = year.department_opinion(decl)
    return json_response({**presenters.target_json(decl, request.user),
                          "versions": [{"id": v.pk, "version": v.version, "stage": v.stage, "reason": v.reason}
                                       for v in year.versions(decl)],
                          "reviews": [review_json(r) for r in decl.reviews.select_related("reviewer")],
                          "department_review": review_json(department) if department else None})


def review_json(r: Any) -> dict[str, Any]:
    """A review of a target as the API gives it: level, grades of the points, outcome, opinion, cell comments."""
    return {"level": r.level, "grade": r.grade, "outcome": r.outcome, "outcome_label": r.outcome_label,
            "items": r.items, "opinion": r.opinion, "cells": r.cells,
            "reviewer": r.reviewer.get_username() if r.reviewer_id else "", "at": r.at.isoformat()}


@api_view
@require_http_methods(["POST"])
def target_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """submit | review {"items": {要点: 等级}, "opinion", "cells"} | finish (良: edits done, approved) | adjust {"reason"}
    | publish | self | monitor {"round"}."""
    decl = year.get_target(request.user, pk)
    data = json_body(request)
    if action == "submit":
        decl = year.submit_target(request.user, decl)
    elif action == "review":
        items = data.get("items") or {}
        if not isinstance(items, dict):
            raise errors.ServiceError("items 应为 {审核要点: 等级} 的对象。")
        cells = [c for c in data.get("cells") or [] if isinstance(c, dict)]
        done = year.review_target(request.user, decl, {str(k): str(v) for k, v in items.items()},
                                  str(data.get("opinion", "")), cells)
        return json_response({**presenters.target_json(done.target, request.user), "grade": done.grade,
                              "outcome": done.outcome})
    elif action == "finish":
        decl = year.finish_edits(request.user, decl)
    elif action == "adjust":
        decl = year.adjust_target(request.user, decl, str(data.get("reason", "")))
        return json_response(presenters.target_json(decl, request.user), status=201)
    elif action == "publish":
        decl = year.publish_target(request.user, decl)
    elif action == "self":
        form = year.start_self_evaluation(request.user, decl)
        return json_response({"form": form.pk, "record": form.record, "differences": year.self_differences(form)},
                             status=201)
    elif action == "monitor":
        round_ = get_object_or_404(YearRound, pk=data.get("round") if isinstance(data.get("round"), int) else 0)
        form = monitoring.open_monitor(request.user, decl, round_)
        return json_response(presenters.monitor_json(form), status=201)
    else:
        raise errors.ServiceError(f"未知的操作「{action}」。", status=404)
    return json_response(presenters.target_json(decl, request.user))


@api_view
def target_diff(request: HttpRequest, pk: int) -> HttpResponse:
    decl = year.get_target(request.user, pk)
    a, b = request.GET.get("from", ""), request.GET.get("to", str(decl.version))
    if not (is_id(a) and is_id(b)):
        raise errors.ServiceError("请以 ?from=版本&to=版本 指定要比较的两个版本。")
    return json_response({"from": int(a), "to": int(b), "changes": year.version_diff(decl, int(a), int(b))})


@api_view
@require_http_methods(["POST"])
def check(request: HttpRequest, kind: str) -> HttpResponse:
    """The live checks: {"target": record} → T-findings; {"monitor": record, "target_id": id} → M-findings."""
    data = json_body(request)
    if kind == "target":
        return json_response(year.check_target_record(data.get("target") or {}))
    if kind != "monitor":
        raise errors.ServiceError(f"未知的表类型「{kind}」，可选 target、monitor。", status=404)
    form_id = data.get("id")
    if not isinstance(form_id, int) or isinstance(form_id, bool):
        raise errors.ServiceError("id 应为监控表的编号（整数）。", {"id": ["应为整数"]})
    record = data.get("monitor") or {}
    if not isinstance(record, dict):
        raise errors.ServiceError("monitor 应为监控表记录（对象）。", {"monitor": ["应为对象"]})
    form = year.get_monitor(request.user, form_id)
    return json_response({"findings": monitoring.check_monitor_record(request.user, form, record)})


@api_view
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest) -> HttpResponse:
    """GET ?kind=: rounds with their coverage; POST {"kind", "year", "title", "deadline": "2026-08-15", "to_month",
    "answer_days", "departments": [主管部门 ids, none for all]}."""
    if request.method == "POST":
        data = json_body(request)
        try:
            deadline = datetime.date.fromisoformat(str(data.get("deadline", "")))
            year_ = int(data.get("year", 0))
        except ValueError:
            raise errors.ServiceError("请以 YYYY-MM-DD 填写截止日期，并填写年度。") from None
        to_month, days, departments = data.get("to_month"), data.get("answer_days", 14), data.get("departments", [])
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
            raise errors.ServiceError("answer_days 应为 1–365 的整数（预警答复期限，天）。", {"answer_days": ["有误"]})
        if not isinstance(departments, list) or not all(isinstance(d, int) and not isinstance(d, bool)
                                                        for d in departments):
            raise errors.ServiceError("departments 应为主管部门编号的列表（不填则覆盖全部）。", {"departments": ["有误"]})
        r = monitoring.create_round(request.user, str(data.get("kind", "")), year_, str(data.get("title", "")), deadline,
                                    to_month if isinstance(to_month, int) else None, days, departments)
        return json_response(monitoring.round_json(r), status=201)
    qs = YearRound.objects.prefetch_related("departments")
    if request.GET.get("kind"):
        qs = qs.filter(kind=request.GET["kind"])
    return json_response({"results": [monitoring.round_json(r) for r in qs]})


@api_view
def publication(request: HttpRequest) -> HttpResponse:
    """Disclosure deadlines per kind (targets 随预算公开, self-evaluations 随决算公开), the overdue ones apart."""
    return json_response(disclosure.publication_view(request.user))


@api_view
def round_warnings(request: HttpRequest, pk: int) -> HttpResponse:
    return json_response(monitoring.round_warnings(request.user, get_object_or_404(YearRound, pk=pk)))


@api_view
@require_http_methods(["GET", "PUT"])
def monitor(request: HttpRequest, pk: int) -> HttpResponse:
    form = year.get_monitor(request.user, pk)
    if request.method == "PUT":
        form = monitoring.save_monitor(request.user, form, json_body(request).get("monitor") or {})
    return json_response(presenters.monitor_json(form))


@api_view
@require_http_methods(["POST"])
def monitor_submit(request: HttpRequest, pk: int) -> HttpResponse:
    form = monitoring.submit_monitor(request.user, year.get_monitor(request.user, pk))
    return json_response(presenters.monitor_json(form))


@api_view
@require_http_methods(["POST"])
def warning_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """{"answer": "continue"|"adjust"|"cancel", "note": "…"}"""
    data = json_body(request)
    w = monitoring.answer_warning(request.user, monitoring.get_warning(request.user, pk), str(data.get("answer", "")),
                            str(data.get("note", "")))
    return json_response(monitoring.warning_json(w, datetime.date.today()))


@api_view
def self_differences(request: HttpRequest, pk: int) -> HttpResponse:
    """Y01: how a self-evaluation differs from its project's approved target."""
    form = access.get_visible(request.user, pk)
    return json_response({"form": form.pk, "differences": year.self_differences(form)})


def public_targets(request: HttpRequest) -> HttpResponse:
    """The approved targets published with the budget (随预算公开), no login."""
    return json_response({"results": [{"id": d.pk, "year": d.year, "unit": d.unit.name, "project": d.project,
                                       "target": d.record} for d in year.published_targets()]})


def public_target(request: HttpRequest, pk: int) -> HttpResponse:
    d = get_object_or_404(year.published_targets(), pk=pk)
    return json_response({"id": d.pk, "year": d.year, "unit": d.unit.name, "target": d.record})


urlpatterns = [
    path("year/targets", targets, name="api-year-targets"),
    path("year/targets/<int:pk>", target, name="api-year-target"),
    path("year/targets/<int:pk>/diff", target_diff, name="api-year-target-diff"),
    path("year/targets/<int:pk>/<str:action>", target_action, name="api-year-target-action"),
    path("year/check/<str:kind>", check, name="api-year-check"),
    path("year/rounds", rounds, name="api-year-rounds"),
    path("year/publication", publication, name="api-year-publication"),
    path("year/rounds/<int:pk>/warnings", round_warnings, name="api-year-round-warnings"),
    path("year/monitors/<int:pk>", monitor, name="api-year-monitor"),
    path("year/monitors/<int:pk>/submit", monitor_submit, name="api-year-monitor-submit"),
    path("year/warnings/<int:pk>/answer", warning_answer, name="api-year-warning-answer"),
    path("year/forms/<int:pk>/differences", self_differences, name="api-year-self-differences"),
]
public_urlpatterns = [
    path("public/targets.json", public_targets, name="public-targets-json"),
    path("public/targets/<int:pk>.json", public_target, name="public-target-json"),
]
