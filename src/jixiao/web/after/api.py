"""The after-score side in the JSON API (/api/after/…): evidence, rectification items, 结果应用.

Authentication and errors are the web API's (`api_view`: session or Bearer token)."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import path

from jixiao.web import pages
from jixiao.web.after import dept, evidence, queue, rectify, results
from jixiao.web.api import api_view, json_body, json_response
from jixiao.web.forms.errors import ServiceError
from jixiao.web.ops.params import is_id


@api_view
def form_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form's evidence and requests; POST (multipart: file, field, request): attach a file."""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            raise ServiceError("请以 multipart/form-data 上传字段 file。", {"file": ["缺少文件"]})
        request_id = request.POST.get("request", "")
        done = evidence.attach(request.user, pk, upload, field=request.POST.get("field", ""),
                               request_id=int(request_id) if is_id(request_id) else None)
        return json_response(evidence.evidence_dict(done, done.form.record), status=201)
    return json_response(evidence.evidence_of(request.user, pk))


@api_view
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    found = evidence.get_evidence(request.user, pk)
    return FileResponse(evidence.open_file(found), as_attachment=True, filename=found.name,
                        content_type=found.content_type)


@api_view
def rectifications(request: HttpRequest) -> HttpResponse:
    items = rectify.visible_items(request.user)
    return json_response([rectify.item_dict(i, request.user) for i in items])


@api_view
def results_list(request: HttpRequest, year: int) -> HttpResponse:
    department = request.GET.get("department", "")
    return json_response(results.results_list(request.user, year, int(department) if is_id(department) else None))


@api_view
def dept_form(request: HttpRequest, pk: int) -> HttpResponse:
    """A department-wide form: its queue row (stage, scores, the user's steps) and its record."""
    stored = dept.get_dept(request.user, pk)
    return json_response({**queue.row(request.user, stored), "record": stored.record})


@api_view
@pages.allow("POST")
def dept_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """{"action": "submit"|"approve"|"return"|"publish", "comment": "…"} — as the page's buttons."""
    stored = dept.get_dept(request.user, pk)
    data = json_body(request)
    done = dept.transition(request.user, stored, data.text("action", max_length=20), data.text("comment"))
    return json_response(queue.row(request.user, done))


urlpatterns = [
    path("dept/<int:pk>", dept_form, name="api-after-dept"),
    path("dept/<int:pk>/transition", dept_transition, name="api-after-dept-transition"),
    path("forms/<int:pk>/evidence", form_evidence, name="api-after-evidence"),
    path("evidence/<int:pk>", evidence_file, name="api-after-evidence-file"),
    path("rectifications", rectifications, name="api-after-rectifications"),
    path("results/<int:year>", results_list, name="api-after-results"),
]
