"""Pages of the year app. Each view parses input, calls year.services and renders; refusals become the
review app's error page with their status."""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jixiao.core import monitor as mon
from jixiao.core import target as tgt
from jixiao.web.forms import access, errors
from jixiao.web.models import PerformanceForm
from jixiao.web.ops.params import is_id
from jixiao.web.pages import download, refusals
from jixiao.web.year import disclosure, monitoring, presenters, transfer
from jixiao.web.year import services as year
from jixiao.web.year.models import Answer, MonitorForm, MonitorWarning, RoundKind, YearRound
from jixiao.year_files import review_profile

_PATH = re.compile(r"^[a-z_]+(?:\.[a-z0-9_\u4e00-\u9fff]+|\[\d{1,3}\])*$")
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
BLANK_ROWS = 3  # blank indicator rows under a saved declaration's
NEW_ROWS = 8  # rows of a new declaration
FUND_KINDS = ("total", "appropriation", "carryover", "other")


def _set(record: dict[str, Any], path: str, value: Any) -> None:
    steps: list[str | int] = [int(i) if i else k for k, i in _STEP.findall(path)]
    node: Any = record
    for step, following in itertools.pairwise(steps):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(step, int):
            while len(node) <= step:
                node.append([] if isinstance(following, int) else {})
            node = node[step]
        else:
            node = node.setdefault(step, empty)
    last = steps[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append("")
    node[last] = value


def fields_to_record(post: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an editor posts, named by record path ("indicators[2].target"), as a record."""
    record: dict[str, Any] = {}
    for name in post:
        if _PATH.match(name):
            _set(record, name, str(post[name]))
    return record


def target_from_post(post: Mapping[str, Any]) -> dict[str, Any]:
    """The declaration editor's fields as a jixiao.target/1 record (blank rows left out)."""
    raw = fields_to_record(post)
    year_text = str(raw.get("year", "")).strip()
    record: dict[str, Any] = {k: raw.get(k, "") for k in tgt.HEADER_FIELDS if k in raw}
    record["year"] = int(year_text) if is_id(year_text) else None
    record["version_note"] = raw.get("version_note", "")
    record["period"] = raw.get("period", {})
    record["funds"] = {s: [f for f in raw.get("funds", {}).get(s, []) if isinstance(f, dict) and f.get("amount", "").strip()]
                       for s in ("medium", "annual")}
    record["goals"] = {s: [g.strip() for g in str(raw.get("goals", {}).get(s, "")).splitlines() if g.strip()]
                       for s in ("medium", "annual")}
    record["narratives"] = raw.get("narratives", {})
    record["indicators"] = [{**i, "core": i.get("core") in ("on", "true", "是")}
                            for i in raw.get("indicators", []) if isinstance(i, dict)
                            and (i.get("name", "").strip() or i.get("target", "").strip())]
    return record


def _editor_rows(record: Mapping[str, Any], notes: Mapping[str, list[dict[str, str]]] | None = None
                 ) -> dict[str, Any]:
    """What the editor template shows: every fund kind of both sets, the indicators plus blank rows, and beside
    each input the reviewers' comments on its cell (`notes`, by input name)."""
    notes = notes or {}
    funds = {}
    for s in ("medium", "annual"):
        given = {f["kind"]: f for f in record.get("funds", {}).get(s, [])}
        funds[s] = [{**given.get(k, {"kind": k, "label": tgt.FUND_LABELS[k] if k != "total" else
                                     f"{tgt.SET_NAMES[s]}资金总额", "amount": ""}),
                     "notes": notes.get(f"funds.{s}[{n}].amount", [])} for n, k in enumerate(FUND_KINDS)]
    indicators = list(record.get("indicators", []))
    indicators += [{"set": "annual"} for _ in range(BLANK_ROWS if indicators else NEW_ROWS)]
    rows = [{**i, "notes": {k.split(".", 1)[1]: v for k, v in notes.items() if k.startswith(f"indicators[{n}].")}}
            for n, i in enumerate(indicators)]
    header = {k.replace(".", "_"): v for k, v in notes.items() if not k.startswith(("indicators[", "funds."))}
    narratives = [(k, tgt.NARRATIVE_CAPTIONS[k], record.get("narratives", {}).get(k, ""),
                   notes.get(f"narratives.{k}", [])) for k in tgt.NARRATIVE_FIELDS]
    return {"funds": funds, "indicators": rows, "notes": header, "narratives": narratives,
            "goals": {s: "\n".join(record.get("goals", {}).get(s, [])) for s in ("medium", "annual")}}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    targets = year.visible_targets(request.user).order_by("-year", "unit_id", "lineage", "-version")
    monitors = year.visible_monitors(request.user)
    units = access.writable_units(request.user)
    return render(request, "year/index.html", {
        "targets": targets[:300], "monitors": monitors[:300], "units": units,
        "rounds": YearRound.objects.all()[:50], "finance": year.is_finance(request.user)})


@login_required
@refusals
def target_new(request: HttpRequest) -> HttpResponse:
    units = access.writable_units(request.user)
    if request.method == "POST":
        unit_id = request.POST.get("unit_id", "")
        unit = get_object_or_404(units, pk=int(unit_id) if is_id(unit_id) else 0)
        decl = year.save_target(request.user, target_from_post(request.POST), unit=unit)
        messages.success(request, "申报表已保存。")
        return redirect("year-target", pk=decl.pk)
    today = datetime.date.today()
    record = tgt.to_record(tgt.Target(project="", year=today.year + 1, version_note="年初"))
    return render(request, "year/target.html", {"decl": None, "record": record, "editable": True, "units": units,
                                                "rows": _editor_rows(record), "findings": []})


@login_required
@refusals
def target_page(request: HttpRequest, pk: int) -> HttpResponse:
    decl = year.get_target(request.user, pk)
    if request.method == "POST":
        edit = request.POST.get("edit", "")
        decl = year.save_target(request.user, target_from_post(request.POST), decl=decl,
                                edit=int(edit) if is_id(edit) else None)
        messages.success(request, "申报表已保存。")
        return redirect("year-target", pk=decl.pk)
    actions = year.target_actions(request.user, decl)
    profile = review_profile()
    from jixiao.reports.year import target_layout

    layout = target_layout(tgt.from_record(decl.record))
    reviews = presenters.reviews_with_labels(decl, layout)
    department = year.department_opinion(decl)
    return render(request, "year/target.html", {
        "decl": decl, "record": decl.record, "editable": "edit" in actions, "actions": actions,
        "where_it_stands": presenters.where_it_stands(decl, actions),
        "export_formats": transfer.EXPORT_FORMATS,
        "layout": layout, "paper": presenters.paper(layout, presenters.cell_comments(decl)),
        "cell_choices": presenters.cell_choices(layout),
        "rows": _editor_rows(decl.record, presenters.editor_notes(reviews, decl.record, FUND_KINDS)),
        "findings": decl.findings, "versions": year.versions(decl),
        "reviews": reviews, "points": profile.points, "grades": profile.grades, "profile": profile,
        "department_review": presenters.review_row(department, dict(presenters.cell_choices(layout)))
        if department else None,
        "review_level": year.REVIEW_LEVEL_OF_STAGE.get(decl.stage, ""),
        "monitor_rounds": monitoring.open_rounds(RoundKind.MONITOR, decl.year, decl.unit),
        "monitors": MonitorForm.objects.filter(target__lineage=decl.lineage).select_related("round"),
        "self_form": PerformanceForm.objects.filter(unit=decl.unit, year=decl.year, project=decl.project,
                                                    phase="self").first()})


@login_required
@require_POST
@refusals
def target_post(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    decl = year.get_target(request.user, pk)
    post = request.POST
    if action == "submit":
        year.submit_target(request.user, decl)
        messages.success(request, "已提交审核。")
    elif action == "review":
        items = {p: post.get(f"grade-{p}", "") for p in review_profile().point_names}
        cells = [{"field": f, "comment": c} for f, c in zip(post.getlist("field"), post.getlist("cell_comment"),
                                                             strict=False) if f and c.strip()]
        done = year.review_target(request.user, decl, items, post.get("opinion", ""), cells)
        messages.success(request, f"审核完成：总体等级“{done.grade}”，{year.STAGE_LABELS[done.target.stage]}。")
    elif action == "finish":
        year.finish_edits(request.user, decl)
        messages.success(request, "已按审核意见修改完毕，绩效目标已批复。")
    elif action == "adjust":
        new = year.adjust_target(request.user, decl, post.get("reason", ""))
        messages.success(request, f"已建立第 {new.version} 版，请修改后重新提交审核。")
        return redirect("year-target", pk=new.pk)
    elif action == "publish":
        year.publish_target(request.user, decl)
        messages.success(request, "已随预算公开。")
    elif action == "monitor":
        form = monitoring.open_monitor(request.user, decl, get_object_or_404(YearRound, pk=post.get("round") or 0))
        return redirect("year-monitor", pk=form.pk)
    elif action == "self":
        self_form = year.start_self_evaluation(request.user, decl)
        messages.success(request, "已按批复的绩效目标新建自评表。")
        return redirect("form-edit", pk=self_form.pk)
    else:
        raise errors.ServiceError(f"未知的操作「{action}」。", status=404)
    return redirect("year-target", pk=decl.pk)


@login_required
@refusals
def target_diff(request: HttpRequest, pk: int, a: int, b: int) -> HttpResponse:
    decl = year.get_target(request.user, pk)
    return render(request, "year/diff.html", {"decl": decl, "a": a, "b": b, "changes": year.version_diff(decl, a, b)})


@login_required
@refusals
def rounds(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        post = request.POST
        try:
            deadline = datetime.date.fromisoformat(post.get("deadline", ""))
            year_ = int(post.get("year", ""))
        except ValueError:
            raise errors.ServiceError("请以 YYYY-MM-DD 填写截止日期，并填写年度。") from None
        month, days = post.get("to_month", ""), post.get("answer_days", "")
        monitoring.create_round(request.user, post.get("kind", ""), year_, post.get("title", ""), deadline,
                                int(month) if is_id(month) else None, int(days) if is_id(days) else 14,
                                [int(d) for d in post.getlist("departments") if is_id(d)])
        messages.success(request, "任务已发起。")
        return redirect("year-rounds")
    rounds_ = YearRound.objects.prefetch_related("departments")
    return render(request, "year/rounds.html", {
        "rounds": [(r, monitoring.coverage(r)) for r in rounds_], "kinds": RoundKind.choices,
        "finance": year.is_finance(request.user),
        "departments": access.visible_orgs(request.user).filter(kind="department")})


@login_required
@refusals
def publication(request: HttpRequest) -> HttpResponse:
    """The finance bureau's list of disclosure deadlines per kind, overdue ones first (year.disclosure)."""
    return render(request, "year/publication.html", disclosure.publication_view(request.user))


@login_required
@refusals
def round_warnings(request: HttpRequest, pk: int) -> HttpResponse:
    data = monitoring.round_warnings(request.user, get_object_or_404(YearRound, pk=pk))
    return render(request, "year/warnings.html", data)


def _monitor_from_post(post: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    raw = fields_to_record(post)
    record = dict(stored)
    record["funds"] = raw.get("funds", stored.get("funds", []))
    record["goals"] = {"annual": stored.get("goals", {}).get("annual", ""),
                       "progress": raw.get("goals", {}).get("progress", "")}
    record["indicators"] = raw.get("indicators", stored.get("indicators", []))
    return record


@login_required
@refusals
def monitor_page(request: HttpRequest, pk: int) -> HttpResponse:
    form = year.get_monitor(request.user, pk)
    if request.method == "POST":
        if request.POST.get("submit"):
            monitoring.submit_monitor(request.user, form)
            messages.success(request, "监控表已报送。")
        else:
            monitoring.save_monitor(request.user, form, _monitor_from_post(request.POST, form.record))
            messages.success(request, "监控表已保存。")
        return redirect("year-monitor", pk=form.pk)
    month = form.record["period"]["to_month"]
    return render(request, "year/monitor.html", {
        "form": form, "record": form.record, "editable": year.can_fill(request.user, form.unit) and not form.submitted,
        "fund_captions": mon.fund_captions(month), "captions": mon.indicator_captions(month), "causes": mon.CAUSES,
        "likelihoods": mon.LIKELIHOODS, "warnings": [monitoring.warning_json(w, datetime.date.today())
                                                     for w in form.warnings.all()],
        "answers": Answer.choices, "can_answer": year.can_fill(request.user, form.unit),
        "export_formats": transfer.EXPORT_FORMATS})


@login_required
@require_POST
@refusals
def warning_answer(request: HttpRequest, pk: int) -> HttpResponse:
    w: MonitorWarning = monitoring.get_warning(request.user, pk)
    monitoring.answer_warning(request.user, w, request.POST.get("answer", ""), request.POST.get("note", ""))
    messages.success(request, "预警已答复。")
    return redirect("year-monitor", pk=w.monitor_id)


@login_required
@refusals
def project(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's year as one line: target versions and reviews, each monitoring round, the self-evaluation."""
    decl = year.get_target(request.user, pk)
    self_form = PerformanceForm.objects.filter(unit=decl.unit, year=decl.year, project=decl.project,
                                               phase="self").first()
    return render(request, "year/project.html", {
        "decl": decl, "versions": year.versions(decl).prefetch_related("reviews"),
        "monitors": MonitorForm.objects.filter(target__lineage=decl.lineage).select_related("round"),
        "self_form": self_form, "differences": year.self_differences(self_form) if self_form else []})


def public_targets(request: HttpRequest) -> HttpResponse:
    return render(request, "year/public_targets.html", {"targets": year.published_targets()})


def public_target(request: HttpRequest, pk: int) -> HttpResponse:
    decl = get_object_or_404(year.published_targets(), pk=pk)
    from jixiao.reports.year import target_layout

    layout = target_layout(tgt.from_record(decl.record))
    return render(request, "year/public_target.html", {"decl": decl, "layout": layout, "paper": presenters.paper(layout, public=True)})



SESSION_KEY = "year_import"


@login_required
@refusals
def year_import(request: HttpRequest) -> HttpResponse:
    """Upload a file of 申报表 or 监控表: the preview lists what the import would do with each form."""
    units = access.writable_units(request.user)
    if not units.exists():
        raise errors.ServiceError("您没有可填报的单位，不能导入申报表或监控表。", status=403)
    context: dict[str, Any] = {"units": units}
    if request.method == "POST":
        upload = request.FILES.get("file")
        unit_id = request.POST.get("unit_id", "")
        unit = get_object_or_404(units, pk=int(unit_id) if is_id(unit_id) else 0)
        if upload is None:
            raise errors.ServiceError("请选择要导入的文件。", {"file": ["缺少"]})
        if (upload.size or 0) > settings.JIXIAO_CHECK_MAX_BYTES:
            raise errors.ServiceError(f"文件 {upload.name} 共 {(upload.size or 0) / 1024 / 1024:.1f} MB，超过了上限 "
                                      f"{settings.JIXIAO_CHECK_MAX_BYTES / 1024 / 1024:.0f} MB：请只上传申报表或监控表所在的文件。")
        reading = transfer.read(upload.name or "upload", upload.read())
        outcomes = transfer.preview(request.user, reading.entries, unit)
        request.session[SESSION_KEY] = {"name": reading.name, "unit": unit.pk,
                                        "entries": [e.as_dict() for e in reading.entries],
                                        "skip": [o.index for o in outcomes if o.error]}
        context.update(reading=reading, outcomes=outcomes, unit=unit,
                       importable=sum(not o.error for o in outcomes))
    return render(request, "year/import.html", context)


@login_required
@require_POST
@refusals
def year_import_confirm(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    if not pending:
        raise errors.ServiceError("没有待确认的导入（可能已确认过，或会话已过期）：请重新上传文件。")
    unit = get_object_or_404(access.writable_units(request.user), pk=pending["unit"])
    entries = [transfer.Entry(e["kind"], e["record"]) for e in pending["entries"]]
    outcomes = transfer.run(request.user, entries, unit, frozenset(pending["skip"]))
    del request.session[SESSION_KEY]
    done = [o for o in outcomes if not o.error]
    messages.success(request, f"已从 {pending['name']} 导入 {len(done)} 张表："
                     + "；".join(f"{o.kind_name}“{o.project}”{o.action}" for o in done))
    return redirect("year-index")


@login_required
@refusals
def target_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    decl = year.get_target(request.user, pk)
    data = transfer.export("target", decl.record, fmt)
    return download(data, f"{decl.year}_{decl.unit.name}_{decl.project}_绩效目标申报表_第{decl.version}版.{fmt}")


@login_required
@refusals
def monitor_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    form = year.get_monitor(request.user, pk)
    data = transfer.export("monitor", form.record, fmt)
    return download(data, f"{form.round.year}_{form.unit.name}_{form.target.project}_运行监控表_{form.round.title}.{fmt}")
