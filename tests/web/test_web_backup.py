"""Issue 16 point 11: `jixiao backup FILE` and `jixiao restore FILE` round-trip the data and the uploads
(run on SQLite and, in CI, on PostgreSQL: the same test on each database)."""

from __future__ import annotations

import stat
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from jixiao.web.models import ApiToken, Org, PerformanceForm
from jixiao.web.ops.backup import BackupError, backup, restore
from jixiao.web.tokens import create_token


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_the_data_and_the_uploads_as_they_were(web_cast, tmp_path, capsys):
    from jixiao.cli import main

    raw = create_token(web_cast.clerk_a)
    upload = Path(settings.UPLOAD_DIR) / "41" / "001_seed.txt"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_text("上传的文件", encoding="utf-8")
    before = {f.pk: (f.project, f.version, f.record, f.computed_total) for f in PerformanceForm.objects.all()}
    orgs = list(Org.objects.values_list("pk", "name", "path").order_by("pk"))

    archive = tmp_path / "jixiao-backup.tar.gz"
    assert main(["backup", str(archive)]) == 0
    assert "已备份" in capsys.readouterr().out
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    # Everything changes after the backup …
    PerformanceForm.objects.filter(pk=web_cast.form_a.pk).update(project="备份之后改的")
    PerformanceForm.objects.filter(pk=web_cast.form_b.pk).delete()
    Org.objects.create(name="备份之后建的", kind=Org.Kind.UNIT, parent=web_cast.department)
    upload.unlink()
    (Path(settings.UPLOAD_DIR) / "99").mkdir()

    # … and the restore brings back the snapshot: rows with their ids, passwords, tokens and uploads.
    assert "已从" in restore(archive)
    after = {f.pk: (f.project, f.version, f.record, f.computed_total) for f in PerformanceForm.objects.all()}
    assert after == before
    assert list(Org.objects.values_list("pk", "name", "path").order_by("pk")) == orgs
    assert upload.read_text(encoding="utf-8") == "上传的文件"
    assert not (Path(settings.UPLOAD_DIR) / "99").exists()
    client = Client()
    assert client.login(username="clerk_a", password="pw-for-tests")
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/units").status_code == 200
    # New rows get new ids after a restore (the sequences were reset on PostgreSQL).
    created = Org.objects.create(name="恢复之后建的", kind=Org.Kind.UNIT, parent=web_cast.department)
    assert created.pk > max(pk for pk, _, _ in orgs)
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_changes_nothing(web_cast, tmp_path):
    archive = tmp_path / "b.tar.gz"
    backup(archive)
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    count = PerformanceForm.objects.count()
    with pytest.raises(BackupError, match="无法读取"):
        restore(damaged)
    assert PerformanceForm.objects.count() == count
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as out:
        out.add(archive, arcname="manifest.json")
    with pytest.raises(BackupError):
        restore(other)
    assert PerformanceForm.objects.count() == count
