"""佐证材料: files attached to a form, one of its cells, or a rectification item, and requests for them.

Limits are settings (JIXIAO_EVIDENCE_MAX_BYTES, JIXIAO_EVIDENCE_TYPES: extension → the first bytes a
file of that type starts with). Files go through Django's storage API: the backend named "evidence"
in settings.STORAGES when there is one (any Django storage in production), else a folder "evidence"
in the data directory. A file is downloadable by whoever may see its form, and by nobody else; it is
never deleted when the form changes, and records the form's version it was attached to.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from jixiao.web.after.access import User, holds_any
from jixiao.web.after.models import Evidence, EvidenceRequest, Rectification
from jixiao.web.content_types import content_type
from jixiao.web.forms.access import get_visible
from jixiao.web.forms.errors import ServiceError
from jixiao.web.forms.history import field_label
from jixiao.web.models import PerformanceForm, Role

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MB
# Extension → the signatures a file of the type starts with (a renamed .exe is not a PDF).
DEFAULT_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".ofd": (b"PK\x03\x04",),
}
TYPE_NAMES = {".pdf": "PDF", ".jpg": "JPG", ".jpeg": "JPG", ".png": "PNG", ".docx": "Word", ".doc": "Word",
              ".xlsx": "Excel", ".xls": "Excel", ".ofd": "OFD"}


def max_bytes() -> int:
    return int(getattr(settings, "JIXIAO_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_types() -> dict[str, tuple[bytes, ...]]:
    return dict(getattr(settings, "JIXIAO_EVIDENCE_TYPES", DEFAULT_TYPES))


def storage() -> Storage:
    if "evidence" in settings.STORAGES:
        return storages["evidence"]
    return FileSystemStorage(location=settings.DATA_DIR / "evidence")


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB / 10 else f"{max(1, round(n / 1024))} KB"


def check_upload(name: str, size: int, head: bytes) -> str:
    """The Chinese refusal of an upload ("" when it may be stored): its type by extension and content, its size."""
    ext = PurePath(name).suffix.lower()
    types = allowed_types()
    kinds = "、".join(sorted({TYPE_NAMES.get(e, e.lstrip(".").upper()) for e in types}))
    if ext not in types:
        return f"不接受“{ext or '无扩展名'}”类型的文件“{name}”，未保存。佐证材料可上传：{kinds}。"
    if not any(head.startswith(sig) for sig in types[ext]):
        return f"文件“{name}”的内容不是 {TYPE_NAMES.get(ext, ext)} 文件（可能改过扩展名或已损坏），未保存。请上传原始文件。"
    if size > max_bytes():
        return f"文件“{name}”大小为 {_size(size)}，超过上限 {_size(max_bytes())}，未保存。请压缩或拆分后再上传。"
    if size == 0:
        return f"文件“{name}”是空文件，未保存。"
    return ""


def may_attach(user: User, form: PerformanceForm, item: Rectification | None = None) -> bool:
    """The unit's 填报人 attaches (to a rectification: the responsible unit's); reviewers and finance may too."""
    org = item.unit if item is not None else form.unit
    return holds_any(user, (Role.FILLER, Role.REVIEWER, Role.FINANCE, Role.ADMIN), org)


def attach(user: User, form_id: int, upload: UploadedFile, *, field: str = "", item: Rectification | None = None,
           request_id: int | None = None) -> Evidence:
    """Store an uploaded file as evidence; ServiceError (nothing stored) when it is refused."""
    form = get_visible(user, form_id)  # type: ignore[arg-type]
    if not may_attach(user, form, item):
        raise ServiceError("只有本表所属单位的填报人或审核、复核人员可以上传佐证材料。", status=403)
    if field and field_label(form.record, field) is None:
        raise ServiceError(f"单元格「{field}」不在此表中，请重新选择。", {"field": ["单元格不在此表中"]})
    name = PurePath(upload.name or "").name or "佐证材料"
    head = upload.read(16)
    upload.seek(0)
    refusal = check_upload(name, upload.size or 0, head)
    if refusal:
        raise ServiceError(refusal, {"file": [refusal]})
    request = form.evidence_requests.filter(pk=request_id).first() if request_id else None
    ext = PurePath(name).suffix.lower()
    box = storage()
    stored = box.save(f"{form.pk}/{uuid.uuid4().hex}{ext}", upload)
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                form=form, field=field or (request.field if request else ""), rectification=item, request=request,
                name=name, stored=stored, size=upload.size or 0,
                content_type=content_type(ext), form_version=form.version,
                uploaded_by=user if user.is_authenticated else None,
            )
            if request is not None and request.answered_at is None:
                EvidenceRequest.objects.filter(pk=request.pk).update(answered_at=timezone.now())
    except BaseException:
        box.delete(stored)  # the row failed: leave no file behind
        raise
    return evidence


def request_evidence(user: User, form_id: int, field: str, message: str) -> EvidenceRequest:
    """The reviewer (or finance) asks for evidence on a cell of the form."""
    form = get_visible(user, form_id)  # type: ignore[arg-type]
    if not holds_any(user, (Role.REVIEWER, Role.FINANCE), form.unit):
        raise ServiceError("只有本表的审核人或财政复核人员可以要求补充佐证材料。", status=403)
    if field and field_label(form.record, field) is None:
        raise ServiceError(f"单元格「{field}」不在此表中，请重新选择。", {"field": ["单元格不在此表中"]})
    if not message.strip():
        raise ServiceError("请写明需要补充什么佐证材料。", {"message": ["请写明需要补充什么佐证材料"]})
    return EvidenceRequest.objects.create(form=form, field=field, message=message.strip(),
                                          requested_by=user if user.is_authenticated else None)


def get_evidence(user: User, pk: int) -> Evidence:
    """An evidence file the user may read: its form must be one the user sees (else 404, as for the form)."""
    evidence = Evidence.objects.filter(pk=pk).select_related("uploaded_by").first()
    if evidence is None:
        raise ServiceError("没有找到此佐证材料，或您无权查看。", status=404)
    try:
        get_visible(user, evidence.form_id)  # type: ignore[arg-type]
    except ServiceError:
        raise ServiceError("没有找到此佐证材料，或您无权查看。", status=404) from None
    return evidence


def open_file(evidence: Evidence) -> Any:
    return storage().open(evidence.stored, "rb")


def evidence_dict(e: Evidence, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": e.pk, "name": e.name, "size": e.size, "size_label": _size(e.size), "field": e.field,
        "field_label": field_label(record, e.field) or "整张表" if e.field else "整张表",
        "rectification": e.rectification_id, "request": e.request_id, "form_version": e.form_version,
        "uploaded_by": str(e.uploaded_by or ""), "uploaded_at": timezone.localtime(e.uploaded_at).strftime("%Y-%m-%d %H:%M"),
        "url": f"/after/evidence/{e.pk}/",
    }


def evidence_of(user: User, form_id: int) -> dict[str, Any]:
    """A form's evidence files and open requests, for its page and the API."""
    form = get_visible(user, form_id)  # type: ignore[arg-type]
    files = [evidence_dict(e, form.record) for e in form.evidence.select_related("uploaded_by")]
    requests = [
        {"id": r.pk, "field": r.field, "field_label": field_label(form.record, r.field) or "整张表",
         "message": r.message, "requested_by": str(r.requested_by or ""), "answered": r.answered_at is not None,
         "requested_at": timezone.localtime(r.requested_at).strftime("%Y-%m-%d %H:%M")}
        for r in form.evidence_requests.select_related("requested_by")
    ]
    return {"form": form.pk, "version": form.version, "files": files, "requests": requests,
            "may_attach": may_attach(user, form), "may_request": holds_any(user, (Role.REVIEWER, Role.FINANCE), form.unit),
            "limits": {"max_bytes": max_bytes(), "types": sorted(allowed_types())}}
