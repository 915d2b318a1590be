"""Review pages and the public pages. Each view parses input, calls review.services and renders."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from jixiao.reports import overview as reports_overview
from jixiao.web import pages
from jixiao.web import presenters as web_presenters
from jixiao.web.after import queue as dept_queue
from jixiao.web.forms import access, evaluation, exports, filters
from jixiao.web.forms import history as record_history
from jixiao.web.forms.errors import Refused, ServiceError
from jixiao.web.models import Org, PerformanceForm, Phase, Stage
from jixiao.web.ops.params import query_ids, query_int
from jixiao.web.review import overview as year_overview
from jixiao.web.review import presenters, publication, workflow
from jixiao.web.review import recheck as rechecks
from jixiao.web.review import rounds as round_service

View = Callable[..., HttpResponse]


def refusals(view: View) -> View:
    """A service refusal becomes the review side's error page (its menu, a link back to the workbench)."""
    return pages.refusals(view, "review/error.html")


# ---------------------------------------------------------------- the review of one form


def _cells(request: HttpRequest) -> list[workflow.Cell]:
    fields = request.POST.getlist("field")
    comments = request.POST.getlist("cell_comment")
    return [workflow.Cell(f, c) for f, c in zip(fields, comments, strict=False) if f and c.strip()]


@login_required
@refusals
def form_review(request: HttpRequest, pk: int) -> HttpResponse:
    form = access.get_visible(request.user, pk)
    return _render_review(request, form)


def _render_review(request: HttpRequest, form: PerformanceForm, refused: Refused | None = None,
                   status: int = 200, typed: dict[str, Any] | None = None) -> HttpResponse:
    """The review page; `typed` keeps what a refused re-check entry held, with its errors by field."""
    state = workflow.review_state(form, request.user)
    findings = [*state["errors"], *state["warnings"]]
    return render(request, "review/form_review.html", {
        "form": form,
        "state": state,
        "paper": web_presenters.paper(form.record, evaluation.evaluate_stored(form).scorecard, findings,
                                      state["returned_cells"]),
        "cells": record_history.record_cells(form.record),
        "can_edit": access.can_edit(request.user, form),
        "refused": refused,
        "labels": workflow.ACTION_LABELS,
        "typed": typed,
        "can_delete": workflow.can_delete(request.user, form),
    }, status=status)


@login_required
@refusals
def form_transition(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":  # the address of a refused step, reloaded or bookmarked: back to the form
        return redirect("review-form", pk=pk)
    form = access.get_visible(request.user, pk)
    action = request.POST.get("action", "")
    try:
        done = workflow.transition(form, request.user, action, request.POST.get("comment", ""), _cells(request))
    except Refused as e:
        return _render_review(request, form, e, status=e.status)
    messages.success(request, f"已{workflow.ACTION_LABELS[action]}：「{done.project}」，现为「{done.get_stage_display()}」。")
    return redirect("review-form", pk=pk)


@login_required
@pages.allow("POST")
@refusals
def form_batch(request: HttpRequest) -> HttpResponse:
    """The forms ticked on the review list, one step for all with one comment; back to the same list."""
    ids = query_ids(request.POST.getlist("ids"), "ids", settings.JIXIAO_PAGE_SIZE)
    filters = QueryDict(request.POST.get("back", "")).urlencode()  # the list's filters, re-encoded
    back = reverse("review-forms") + (f"?{filters}" if filters else "")
    try:
        result = workflow.transition_many(request.user, ids, request.POST.get("action", ""),
                                          request.POST.get("comment", ""))
    except Refused as e:
        messages.error(request, e.message)
        return redirect(back)
    (messages.warning if result.failed else messages.success)(request, result.message())
    return redirect(back)


@login_required
@refusals
def form_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A page that asks before a draft is deleted (GET), and the deletion (POST)."""
    form = access.get_visible(request.user, pk)
    if request.method == "POST":
        name = workflow.delete_draft(request.user, form)
        messages.success(request, f"已删除草稿{name}。")
        return redirect("form-list")
    if not workflow.can_delete(request.user, form):
        raise Refused(f"此表当前状态为「{form.get_stage_display()}」，只有本单位填报人可以删除草稿。", status=403)
    return render(request, "review/form_delete.html", {"form": form})


@login_required
@pages.allow("POST")
@refusals
def form_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    form = access.get_visible(request.user, pk)
    own_score, problems = request.POST.get("own_score", ""), request.POST.get("problems", "")
    try:
        rechecks.record_recheck(request.user, form, own_score, problems)
        if request.POST.get("finish"):
            workflow.transition(form, request.user, "recheck", problems)
    except ServiceError as e:
        if e.status == 403:
            raise
        # The entry stays on the page, its error beside the field: nothing typed is lost.
        typed = {"own_score": own_score, "problems": problems, "errors": e.errors}
        return _render_review(request, form, e if isinstance(e, Refused) else None, e.status, typed)
    messages.success(request, "已录入复核结果。")
    return redirect("review-form", pk=pk)


@login_required
@refusals
def form_history(request: HttpRequest, pk: int) -> HttpResponse:
    form = access.get_visible(request.user, pk)
    events = workflow.timeline(form)
    versions = [e["version"] for e in events]
    a = _int(request.GET, "a", versions[-1] if versions else 1)
    b = _int(request.GET, "b", versions[0] if versions else 1)
    diff = record_history.version_diff(form, a, b) if versions and "a" in request.GET else None
    return render(request, "review/form_history.html", {
        "form": form, "events": events, "versions": versions, "a": a, "b": b, "diff": diff,
    })


def _int(params: Any, field: str, default: int) -> int:
    """An integer parameter (400 naming the field when it is not one: jixiao.web.ops.params)."""
    value = query_int(params, field, default)
    return default if value is None else value


# ---------------------------------------------------------------- lists


@login_required
@refusals
def form_list(request: HttpRequest) -> HttpResponse:
    params = {k: v for k, v in request.GET.items() if v and k != "page"}
    waiting = not params
    if waiting:
        params = _default_queue(request.user)
    # The list shows columns only: the records and scorecards (the bulk of a row) stay in the database.
    forms = filters.filter_forms(request.user, params).select_related("unit", "department").defer("record", "scorecard")
    page = Paginator(forms.order_by("department__path", "unit__path", "project", "pk"),
                     settings.JIXIAO_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/form_list.html", {
        "page": page, "params": params, "query": urlencode(params), "stages": Stage.choices,
        "batch": workflow.batch_actions(request.user), "labels": workflow.ACTION_LABELS,
        "caption": filters.describe(params),
        "departments": access.visible_orgs(request.user).filter(kind=Org.Kind.DEPARTMENT),
        "years": _years(request.user),
        # The department-wide forms beside them (first page only), under the same filters (issue 12).
        "dept_forms": dept_queue.queue(request.user, params, waiting) if page.number == 1 else [],
    })


def _default_queue(user: Any) -> dict[str, str]:
    """What waits for the user: fillers their returned and draft forms, reviewers submitted, finance approved."""
    roles = access.roles(user)
    if "finance" in roles:
        return {"stage": "approved,rechecked"}
    if "reviewer" in roles:
        return {"stage": "submitted"}
    return {"stage": "draft,returned"}


def _years(user: Any) -> list[int]:
    return year_overview.years(user)


# ---------------------------------------------------------------- rounds and tasks


@login_required
@refusals
def rounds(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        deadline = _date(request.POST.get("deadline", ""))
        try:
            r = round_service.create_round(
                request.user, year=_int(request.POST, "year", 0), phase=request.POST.get("phase", ""),
                title=request.POST.get("title", ""), deadline=deadline,
                departments=query_ids(request.POST.getlist("departments"), "departments", 10_000),
                note=request.POST.get("note", ""),
            )
        except ServiceError as e:
            messages.error(request, "；".join(m for ms in e.errors.values() for m in ms))
        else:
            messages.success(request, f"已发布填报任务「{r.title}」。")
            return redirect("review-round", pk=r.pk)
    return render(request, "review/rounds.html", {
        "tasks": round_service.obligations(request.user),
        "is_finance": access.is_finance(request.user),
        "departments": access.visible_orgs(request.user).filter(kind=Org.Kind.DEPARTMENT),
        "phases": Phase.choices,
        "this_year": datetime.date.today().year - 1,
    })


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ServiceError("截止日期格式应为 2025-03-31。", {"deadline": ["截止日期格式应为 2025-03-31。"]}) from None


@login_required
@refusals
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = round_service.rounds_for(request.user).filter(pk=pk).first()
    if r is None:
        raise Http404
    return render(request, "review/round_detail.html", {"status": round_service.round_status(r, request.user)})


# ---------------------------------------------------------------- random re-check


@login_required
@refusals
def draws(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            d = rechecks.draw_sample(
                request.user, year=_int(request.POST, "year", 0), phase=request.POST.get("phase", Phase.SELF),
                share=request.POST.get("share", "").strip() or None, count=query_int(request.POST, "count"),
                seed=query_int(request.POST, "seed"),
                departments=query_ids(request.POST.getlist("departments"), "departments", 10_000),
            )
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已抽取 {d.items.count()} 张表（随机种子 {d.seed}）。")
            return redirect("review-draw", pk=d.pk)
    return render(request, "review/draws.html", {
        "draws": rechecks.draws_for(request.user)[:50],
        "is_finance": access.is_finance(request.user),
        "departments": access.visible_orgs(request.user).filter(kind=Org.Kind.DEPARTMENT),
        "phases": Phase.choices,
        "years": _years(request.user),
    })


@login_required
@refusals
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draw = rechecks.get_draw(request.user, pk)
    return render(request, "review/draw_detail.html", {"draw": rechecks.draw_detail(draw, request.user)})


# ---------------------------------------------------------------- overview


def _overview_args(request: HttpRequest, years: list[int] | None = None) -> tuple[int, int | None, str | None]:
    if years is None:
        years = _years(request.user)
    year = _int(request.GET, "year", years[0] if years else datetime.date.today().year - 1)
    department = _int(request.GET, "department", 0) or None
    phase = request.GET.get("phase") if request.GET.get("phase") in Phase.values else None
    return year, department, phase


@login_required
@refusals
def overview(request: HttpRequest) -> HttpResponse:
    years = _years(request.user)
    year, department, phase = _overview_args(request, years)
    data = year_overview.with_dept(request.user, year, department, phase)
    base = {"year": str(year), **({"department": str(department)} if department else {}),
            **({"phase": phase} if phase else {})}
    return render(request, "review/overview.html", {
        "o": data, "base": urlencode(base), "years": years,
        "departments": access.visible_orgs(request.user).filter(kind=Org.Kind.DEPARTMENT),
        "stage_bars": presenters.bars(data["stages"]), "grade_bars": presenters.bars(data["grades"]),
        "rate_bars": presenters.bars(data["rates"]),
        # A bar counts the forms with the code (what its link lists); the label says how many findings.
        "code_bars": presenters.bars([{**c, "key": c["code"], "label": f"{c['code']}（{c['findings']}条）",
                                       "count": c["forms"]} for c in data["codes"]]),
        "list_url": reverse("review-forms"),
        "dept": data["dept"],
    })


@login_required
@refusals
def overview_export(request: HttpRequest, fmt: str) -> HttpResponse:
    year, department, phase = _overview_args(request)
    data = year_overview.with_dept(request.user, year, department, phase)
    if fmt == "xlsx":
        return pages.download(reports_overview.overview_xlsx(data), f"{year}年度绩效自评总览.xlsx")
    if fmt == "pdf":
        return pages.download(reports_overview.overview_pdf(data), f"{year}年度绩效自评总览.pdf")
    raise Http404


# ---------------------------------------------------------------- public pages (no login)


def public_index(request: HttpRequest) -> HttpResponse:
    return render(request, "review/public_index.html", {"years": publication.public_years()})


def public_year(request: HttpRequest, year: int) -> HttpResponse:
    departments = publication.public_departments(year)
    if not departments:
        raise Http404
    return render(request, "review/public_year.html", {"year": year, "departments": departments})


def public_department(request: HttpRequest, year: int, department: int) -> HttpResponse:
    forms = list(publication.published_forms().filter(year=year, department_id=department)
                 .select_related("unit", "department").order_by("unit__path", "project", "pk"))
    if not forms:
        raise Http404
    return render(request, "review/public_department.html",
                  {"year": year, "department": forms[0].department, "forms": forms})


def _public(pk: int) -> PerformanceForm:
    try:
        return publication.public_form(pk)
    except ServiceError:
        raise Http404 from None


def public_form(request: HttpRequest, pk: int) -> HttpResponse:
    withdrawn = publication.withdrawal(pk)
    if withdrawn is not None:  # an old link to a form no longer public: when and why, not a bare 404
        return render(request, "review/public_withdrawn.html", withdrawn, status=410)
    form = _public(pk)
    return render(request, "review/public_form.html", {"form": form, "withdrawals": publication.withdrawals(pk), "paper": web_presenters.paper(form.record, evaluation.evaluate_stored(form).scorecard)})


def public_form_json(request: HttpRequest, pk: int) -> HttpResponse:
    return JsonResponse(publication.public_record(_public(pk)), json_dumps_params={"ensure_ascii": False})


def public_form_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    form = _public(pk)
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    from jixiao.web.after.results import public_file  # the re-check beside the unit's score (issue 12)

    data = public_file(form, fmt)
    return pages.download(data, exports.export_filename(form, fmt))

