"""Pages of the after-score side (/after/…). Each view parses input, calls a service of this app and renders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jixiao.web import pages
from jixiao.web import presenters as web_presenters
from jixiao.web.after import dept, evidence, narrative, rectify, results, thirdparty
from jixiao.web.after.models import Rectification
from jixiao.web.forms import access
from jixiao.web.forms import history as record_history
from jixiao.web.forms.errors import ServiceError
from jixiao.web.ops.params import is_id


def _bounce(request: HttpRequest, error: ServiceError, to: str, **kwargs: Any) -> HttpResponse:
    """A refusal of a form post: the message on the page it came from (a 404 or 403 stays an error page)."""
    if error.status in (403, 404):
        raise error
    messages.error(request, error.message)
    return redirect(to, **kwargs)


# ---------------------------------------------------------------- evidence


@login_required
@pages.refusals
def form_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    form = access.get_visible(request.user, pk)
    return render(request, "after/evidence.html", {
        "form": form, "data": evidence.evidence_of(request.user, pk), "cells": record_history.record_cells(form.record),
        "chosen_field": request.GET.get("field", ""),
    })


@login_required
@require_POST
@pages.refusals
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件。")
        return redirect("after-evidence", pk=pk)
    try:
        done = evidence.attach(request.user, pk, upload, field=request.POST.get("field", ""),
                               request_id=int(request.POST["request"]) if is_id(request.POST.get("request", ""))
                               else None)
    except ServiceError as e:
        return _bounce(request, e, "after-evidence", pk=pk)
    messages.success(request, f"已上传佐证材料「{done.name}」。")
    return redirect("after-evidence", pk=pk)


@login_required
@require_POST
@pages.refusals
def evidence_request(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        evidence.request_evidence(request.user, pk, request.POST.get("field", ""), request.POST.get("message", ""))
    except ServiceError as e:
        return _bounce(request, e, "after-evidence", pk=pk)
    messages.success(request, "已要求填报单位补充佐证材料。")
    return redirect("after-evidence", pk=pk)


@login_required
@pages.refusals
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    found = evidence.get_evidence(request.user, pk)
    return FileResponse(evidence.open_file(found), as_attachment=True, filename=found.name,
                        content_type=found.content_type)


# ---------------------------------------------------------------- rectification


@login_required
@pages.refusals
def rectifications(request: HttpRequest) -> HttpResponse:
    items = rectify.visible_items(request.user)
    today = timezone.localdate()
    rows = [rectify.item_dict(i, request.user, today) for i in items]
    to_release = sum(r["may_release"] for r in rows)  # drafts that wait for this user's internal review
    if request.GET.get("overdue"):
        rows = [r for r in rows if r["overdue"]]
    if request.GET.get("release"):
        rows = [r for r in rows if r["may_release"]]
    return render(request, "after/rectifications.html", {"rows": rows, "overdue": bool(request.GET.get("overdue")),
                                                         "to_release": to_release})


@login_required
@pages.refusals
def rectifications_xlsx(request: HttpRequest) -> HttpResponse:
    items = list(rectify.visible_items(request.user))
    return pages.download(rectify.export_xlsx(items), "整改清单.xlsx")


@login_required
@pages.refusals
def rectify_from_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    form = access.get_visible(request.user, pk)
    if request.method == "POST":
        try:
            items = rectify.write_from_recheck(request.user, pk, request.POST.getlist("problem"),
                                               request.POST.get("requirement", ""), request.POST.get("deadline", ""))
        except ServiceError as e:
            return _bounce(request, e, "after-rectify", pk=pk)
        messages.success(request, f"已起草 {len(items)} 项整改，经另一位有下达权限的人员审核后下达给单位。")
        return redirect("after-rectifications")
    return render(request, "after/rectify_new.html", {
        "form": form, "problems": rectify.recheck_problems(form), "recheck": results.recheck_result(form),
        "sources": Rectification.Source.choices,
    })


@login_required
@pages.refusals
def rectification(request: HttpRequest, pk: int) -> HttpResponse:
    item = rectify.get_item(request.user, pk)
    files = [evidence.evidence_dict(e, item.form.record if item.form else {}) for e in item.evidence.all()]
    return render(request, "after/rectification.html", {"item": rectify.item_dict(item, request.user), "files": files})


@login_required
@require_POST
@pages.refusals
def rectification_answer(request: HttpRequest, pk: int) -> HttpResponse:
    item = rectify.get_item(request.user, pk)
    upload = request.FILES.get("file")
    try:
        if upload is not None:  # refused before anything is recorded: a bad file stores nothing
            if item.form_id is None:
                raise ServiceError("此整改事项没有对应的表单，佐证材料请附在相关表单上。")
            refusal = evidence.check_upload(upload.name or "", upload.size or 0, upload.read(16))
            upload.seek(0)
            if refusal:
                raise ServiceError(refusal)
        rectify.answer(request.user, pk, request.POST.get("measures", ""))
        if upload is not None and item.form_id is not None:
            evidence.attach(request.user, item.form_id, upload, item=item)
    except ServiceError as e:
        return _bounce(request, e, "after-rectification", pk=pk)
    messages.success(request, "已反馈整改情况。")
    return redirect("after-rectification", pk=pk)


@login_required
@require_POST
@pages.refusals
def rectification_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The issuer's side accepts the unit's answer, or returns it."""
    return _decision(request, pk, rectify.decide, "accept", ("已通过整改。", "已退回整改。"))


@login_required
@require_POST
@pages.refusals
def rectification_release(request: HttpRequest, pk: int) -> HttpResponse:
    """The internal review of a draft: issue it to the unit, or return it to its writer."""
    return _decision(request, pk, rectify.release, "issue", ("已审核并下达给责任单位。", "已将草稿退回起草人。"))


def _decision(request: HttpRequest, pk: int, decide: Callable[[Any, int, bool, str], object], yes: str,
              said: tuple[str, str]) -> HttpResponse:
    """A yes-or-no decision on an item (POST decision=`yes` or not, with an opinion), back to the item's page
    with what was done (said: for yes, for no) or why it was refused."""
    agreed = request.POST.get("decision") == yes
    try:
        decide(request.user, pk, agreed, request.POST.get("opinion", ""))
    except ServiceError as e:
        return _bounce(request, e, "after-rectification", pk=pk)
    messages.success(request, said[0] if agreed else said[1])
    return redirect("after-rectification", pk=pk)


@login_required
@require_POST
@pages.refusals
def rectification_revise(request: HttpRequest, pk: int) -> HttpResponse:
    post = request.POST
    try:
        rectify.revise(request.user, pk, post.get("problem", ""), post.get("requirement", ""), post.get("deadline", ""))
    except ServiceError as e:
        return _bounce(request, e, "after-rectification", pk=pk)
    messages.success(request, "已修改草稿，待内部审核后下达。")
    return redirect("after-rectification", pk=pk)


# ---------------------------------------------------------------- 结果应用


def _department(request: HttpRequest) -> int | None:
    value = request.GET.get("department", "")
    return int(value) if is_id(value) else None


@login_required
@pages.refusals
def results_page(request: HttpRequest, year: int) -> HttpResponse:
    data = results.results_list(request.user, year, _department(request))
    return render(request, "after/results.html", {"data": data, "year": year})


@login_required
@pages.refusals
def results_export(request: HttpRequest, year: int) -> HttpResponse:
    data = results.results_list(request.user, year, _department(request))
    return pages.download(results.results_xlsx(data), f"{year}年度结果应用.xlsx")


# ---------------------------------------------------------------- the department-wide form and its report


@login_required
@pages.refusals
def dept_list(request: HttpRequest) -> HttpResponse:
    return render(request, "after/dept_list.html", {"rows": dept.visible_dept_forms(request.user)})


@login_required
@pages.refusals
def dept_detail(request: HttpRequest, pk: int) -> HttpResponse:
    stored = dept.get_dept(request.user, pk)
    return render(request, "after/dept_detail.html", {
        **dept.dept_page(stored), "can_edit": dept.can_edit(request.user, stored),
        "actions": dept.actions(request.user, stored)})


@login_required
@pages.refusals
def dept_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    stored = dept.get_dept(request.user, pk)
    data, name, _ = dept.export(stored, fmt)
    return pages.download(data, name)


def _report_editor(request: HttpRequest, pk: int, here: str, save: Any, context: Any) -> HttpResponse:
    """A 自评报告's editor page: a post saves the texts (a refusal shows on the page), a get shows the report."""
    if request.method == "POST":
        try:
            save(request.POST)
        except ServiceError as e:
            return _bounce(request, e, here, pk=pk)
        messages.success(request, "已保存自评报告。")
        return redirect(here, pk=pk)
    return render(request, "after/report.html", context())


@login_required
@pages.refusals
def dept_report(request: HttpRequest, pk: int) -> HttpResponse:
    stored = dept.get_dept(request.user, pk)
    return _report_editor(request, pk, "after-dept-report", lambda post: dept.save_report(request.user, stored, post),
                          lambda: {**dept.report_page(stored), "editable": True,
                                   "back": ("部门整体自评表", reverse("after-dept", args=[pk])),
                                   "files": {f: reverse("after-dept-report-file", args=[pk, f])
                                             for f in narrative.FORMATS}})


@login_required
@pages.refusals
def dept_report_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    stored = dept.get_dept(request.user, pk)
    data, name, _ = dept.report_file(stored, fmt)
    return pages.download(data, name)


@login_required
@pages.refusals
def form_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's 自评报告, generated from its self-evaluation and written by its unit."""
    form = access.get_visible(request.user, pk)
    return _report_editor(request, pk, "after-form-report",
                          lambda post: narrative.save_project_report(request.user, form, post),
                          lambda: {**narrative.project_page(request.user, form),
                                   "back": ("项目自评表", reverse("form-detail", args=[pk])),
                                   "files": {f: reverse("after-form-report-file", args=[pk, f])
                                             for f in narrative.FORMATS}})


@login_required
@pages.refusals
def form_report_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    data, name = narrative.project_document(access.get_visible(request.user, pk), fmt)
    return pages.download(data, name)


# ---------------------------------------------------------------- third-party evaluators


@login_required
@pages.refusals
def third_party_home(request: HttpRequest) -> HttpResponse:
    rows = thirdparty.granted_forms(request.user)
    return render(request, "after/third_party_home.html", {"rows": rows})


@login_required
@pages.refusals
def third_party_form(request: HttpRequest, pk: int) -> HttpResponse:
    grant, form = thirdparty.granted_form(request.user, pk)
    if request.method == "POST":
        try:
            thirdparty.record(request.user, pk, request.POST.get("score", ""), request.POST.get("problems", ""))
        except ServiceError as e:
            return _bounce(request, e, "after-third-party-form", pk=pk)
        messages.success(request, f"已以“{grant.firm}”的名义录入复核结果。")
        return redirect("after-third-party-form", pk=pk)
    mine = form.third_party_rechecks.filter(grant=grant).first()
    return render(request, "after/third_party_form.html", {
        "grant": grant, "form": form, "paper": web_presenters.paper(form.record), "mine": mine})


@login_required
@pages.refusals
def third_party_grants(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        round_id = request.POST.get("round", "")
        try:
            thirdparty.grant(request.user, int(round_id) if is_id(round_id) else 0,
                             request.POST.get("username", ""), request.POST.get("firm", ""))
        except ServiceError as e:
            return _bounce(request, e, "after-third-party-grants")
        messages.success(request, "已授权。")
        return redirect("after-third-party-grants")
    return render(request, "after/third_party_grants.html", thirdparty.grants_page(request.user))


@login_required
@pages.refusals
def rectification_new(request: HttpRequest) -> HttpResponse:
    """Any problem (a review's, a monitoring warning, the finance bureau's own evaluation) as an item."""
    form_id = request.POST.get("form") or request.GET.get("form", "")
    form = access.get_visible(request.user, int(form_id)) if is_id(form_id) else None
    context = {"form": form, "sources": Rectification.Source.choices,
               "problems": rectify.review_problems(form) if form else [],
               "units": access.visible_orgs(request.user).exclude(kind="finance")}
    if request.method == "POST":
        post = request.POST
        unit_id = post.get("unit", "")
        unit = form.unit if form else access.visible_orgs(request.user).filter(pk=int(unit_id) if is_id(unit_id) else 0).first()
        try:
            if unit is None:
                raise ServiceError("请选择责任单位。", {"unit": ["请选择责任单位。"]})
            item = rectify.write(request.user, unit=unit, source=post.get("source", ""), problem=post.get("problem", ""),
                                 requirement=post.get("requirement", ""), deadline=post.get("deadline", ""), form=form)
        except ServiceError as e:
            if e.status in (403, 404):
                raise
            # The page again with what was typed and the reason: nothing typed is lost.
            typed = {k: post.get(k, "") for k in ("unit", "source", "problem", "requirement", "deadline")}
            return render(request, "after/rectification_new.html", {**context, "typed": typed, "error": e.message},
                          status=400)
        messages.success(request, f"已起草整改事项 #{item.pk}，待内部审核后下达。")
        return redirect("after-rectification", pk=item.pk)
    return render(request, "after/rectification_new.html", context)


@login_required
@pages.refusals
def dept_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stored = dept.get_dept(request.user, pk)
    if request.method == "POST":
        try:
            dept.save_cells(request.user, stored, request.POST, request.POST.getlist("remove"))
        except ServiceError as e:
            return _bounce(request, e, "after-dept-edit", pk=pk)
        messages.success(request, "已保存部门整体自评表。")
        return redirect("after-dept", pk=pk)
    if not dept.can_edit(request.user, stored):
        raise ServiceError("只有本部门的填报人可以在草稿或退回状态下修改部门整体自评表。", status=403)
    return render(request, "after/dept_edit.html", dept.editor_page(stored))


@login_required
@require_POST
@pages.refusals
def dept_transition(request: HttpRequest, pk: int) -> HttpResponse:
    stored = dept.get_dept(request.user, pk)
    action = request.POST.get("action", "")
    try:
        dept.transition(request.user, stored, action, request.POST.get("comment", ""))
    except ServiceError as e:
        return _bounce(request, e, "after-dept", pk=pk)
    messages.success(request, f"已{dept.STEP_LABELS.get(action, action)}。")
    return redirect("after-dept", pk=pk)


def public_dept(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        stored = dept.public_dept(pk)
    except ServiceError:
        raise Http404 from None
    return render(request, "after/public_dept.html", dept.dept_page(stored))


def public_dept_json(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        stored = dept.public_dept(pk)
    except ServiceError:
        raise Http404 from None
    return JsonResponse(stored.record, json_dumps_params={"ensure_ascii": False})
