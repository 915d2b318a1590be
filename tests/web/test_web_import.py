"""Import: upload → preview with findings → confirm in one transaction (all or nothing), replace or skip."""

from __future__ import annotations

import io
import zipfile

import pytest
from web_helpers import SEED

from jixiao.web.forms import errors, imports, store
from jixiao.web.models import ImportJob, PerformanceForm


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED.read_bytes()


def test_the_preview_shows_every_form_with_its_findings_and_stores_nothing(demo_passwords, seed_bytes, django_user_model):
    PerformanceForm.objects.all().delete()
    admin = django_user_model.objects.get(username="admin")
    job = imports.start_import(admin, [("seed.txt", seed_bytes)])
    assert job.status == ImportJob.Status.READY
    assert len(job.preview) == 11
    assert all(row["findings"] for row in job.preview)
    assert {f["code"] for f in job.preview[3]["findings"]} >= {"A03", "R01", "R04"}
    assert PerformanceForm.objects.count() == 0


def test_confirm_stores_all_forms_each_in_its_unit(demo_passwords, seed_bytes, django_user_model):
    PerformanceForm.objects.all().delete()
    admin = django_user_model.objects.get(username="admin")
    job = imports.start_import(admin, [("seed.txt", seed_bytes)])
    result = imports.confirm_import(admin, job, {})
    assert len(result.created) == 11
    assert PerformanceForm.objects.filter(unit__name="鄂尔多斯市法律援助中心").count() == 1
    assert PerformanceForm.objects.filter(unit__name="鄂尔多斯市司法局").count() == 10


def test_a_failing_form_rolls_back_every_form_of_the_import(demo_passwords, seed_bytes, django_user_model, monkeypatch):
    PerformanceForm.objects.all().delete()
    admin = django_user_model.objects.get(username="admin")
    job = imports.start_import(admin, [("seed.txt", seed_bytes)])
    real_save = store.save_form
    calls = []

    def save_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 6:
            raise errors.ServiceError("模拟第 6 张表保存失败")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(imports, "save_form", save_then_fail)
    with pytest.raises(errors.ServiceError):
        imports.confirm_import(admin, job, {})
    assert len(calls) == 6
    assert PerformanceForm.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY  # the claim was rolled back too: it can be confirmed again


def test_an_existing_form_must_be_replaced_or_skipped(demo_drafts, seed_bytes, django_user_model):
    admin = django_user_model.objects.get(username="admin")
    job = imports.start_import(admin, [("seed.txt", seed_bytes)])
    assert all(row["existing_id"] for row in job.preview)
    assert len({row["existing_id"] for row in job.preview}) == 11  # the name used twice matches two forms
    with pytest.raises(errors.ServiceError, match="替换或跳过"):
        imports.confirm_import(admin, job, {})
    versions = dict(PerformanceForm.objects.values_list("pk", "version"))
    decisions = {row["index"]: ("replace" if row["index"] <= 3 else "skip") for row in job.preview}
    result = imports.confirm_import(admin, job, decisions)
    assert (len(result.replaced), len(result.skipped), len(result.created)) == (3, 8, 0)
    assert PerformanceForm.objects.count() == 11
    bumped = [pk for pk, v in PerformanceForm.objects.values_list("pk", "version") if v > versions[pk]]
    assert bumped == []  # the same forms again: a replacement that changes nothing keeps no new version


def test_a_clerk_imports_only_into_their_unit(demo_passwords, seed_bytes, django_user_model):
    PerformanceForm.objects.all().delete()
    clerk2 = django_user_model.objects.get(username="clerk2")
    job = imports.start_import(clerk2, [("seed.txt", seed_bytes)])
    importable = [row["project"] for row in job.preview if not row["error"]]
    assert importable == ["法律援助专项经费"]
    result = imports.confirm_import(clerk2, job, {})
    assert len(result.created) == 1
    assert len(result.skipped) == 10


def test_a_zip_of_files_is_read_whole(demo_passwords, seed_bytes, django_user_model):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("一/seed.txt", seed_bytes)
    admin = django_user_model.objects.get(username="admin")
    job = imports.start_import(admin, [("forms.zip", buffer.getvalue())])
    assert len(job.preview) == 11
    assert job.preview[0]["file"].startswith("forms.zip")


def test_a_large_upload_is_read_by_a_task_with_progress(demo_passwords, seed_bytes, django_user_model, settings,
                                                         django_capture_on_commit_callbacks):
    settings.JIXIAO_BACKGROUND_IMPORT_BYTES = 10  # every upload counts as large
    admin = django_user_model.objects.get(username="admin")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = imports.start_import(admin, [("a.txt", seed_bytes), ("b.txt", seed_bytes)])
    assert len(callbacks) == 1  # enqueued after the upload was committed; the test backend runs it at once
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.progress) == (ImportJob.Status.READY, 2, 2, 100)
    assert len(job.preview) == 22


def test_import_pages_upload_preview_and_confirm(demo_passwords, seed_bytes, client, django_user_model):
    from django.core.files.uploadedfile import SimpleUploadedFile

    PerformanceForm.objects.all().delete()
    client.force_login(django_user_model.objects.get(username="admin"))
    response = client.post("/import/", {"files": [SimpleUploadedFile("seed.txt", seed_bytes)]})
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).content.decode()
    assert preview.count('class="preview-form') == 11
    assert "A03" in preview
    response = client.post(response.headers["Location"], {})
    assert response.status_code == 302
    assert PerformanceForm.objects.count() == 11


def test_uploading_nothing_says_so_next_to_the_field(demo_passwords, client, django_user_model):
    client.force_login(django_user_model.objects.get(username="clerk"))
    response = client.post("/import/", {})
    assert response.status_code == 400
    assert "请选择要导入的文件" in response.content.decode()


def test_batch_findings_are_stored_as_previewed(demo_passwords, seed_bytes, django_user_model):
    PerformanceForm.objects.all().delete()
    admin = django_user_model.objects.get(username="admin")
    job = imports.start_import(admin, [("seed.txt", seed_bytes)])
    previewed = sorted((row["project"], len(row["findings"])) for row in job.preview)
    imports.confirm_import(admin, job, {})
    stored = sorted((f.project, f.findings.count()) for f in PerformanceForm.objects.all())
    assert stored == previewed
    assert PerformanceForm.objects.filter(findings__code="P05").count() == 2  # 社区矫正专项经费, forms 2 and 9


def test_cancelling_an_import_stores_nothing_and_drops_the_files(demo_passwords, seed_bytes, client, django_user_model):
    from pathlib import Path

    from django.conf import settings

    PerformanceForm.objects.all().delete()
    admin = django_user_model.objects.get(username="admin")
    job = imports.start_import(admin, [("seed.txt", seed_bytes)])
    assert (Path(settings.UPLOAD_DIR) / str(job.pk)).exists()
    client.force_login(admin)
    assert client.post(f"/import/{job.pk}/cancel/").status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    assert not (Path(settings.UPLOAD_DIR) / str(job.pk)).exists()
    assert PerformanceForm.objects.count() == 0
    with pytest.raises(errors.ServiceError):
        imports.confirm_import(admin, job, {})


def test_one_cannot_see_or_confirm_another_persons_import(demo_passwords, seed_bytes, client, django_user_model):
    admin = django_user_model.objects.get(username="admin")
    job = imports.start_import(admin, [("seed.txt", seed_bytes)])
    client.force_login(django_user_model.objects.get(username="clerk"))
    assert client.get(f"/import/{job.pk}/").status_code == 404
    assert client.post(f"/import/{job.pk}/", {}).status_code == 404


def test_the_preview_makes_every_check_the_commit_makes_the_year_range_too(demo_passwords, seed_bytes,
                                                                          django_user_model):
    """The preview is the commit run and rolled back: a form the commit would refuse is named in it."""
    PerformanceForm.objects.all().delete()
    admin = django_user_model.objects.get(username="admin")
    text = seed_bytes.decode("utf-8").replace("2019", "1980", 1)  # the first form's year only
    job = imports.start_import(admin, [("seed.txt", text.encode("utf-8"))])
    first, *rest = job.preview
    assert first["year"] == 1980 and "1980" in first["error"] and "1990" in first["error"]
    assert not any(r["error"] for r in rest)
    assert PerformanceForm.objects.count() == 0  # the dry run left nothing behind
    result = imports.confirm_import(admin, job, {})
    assert len(result.created) == 10 and result.skipped == [first["index"]]
