"""`jixiao backup FILE` and `jixiao restore FILE`: one consistent snapshot of the database and the uploads.

The data are Django's serialisation of every table, with times to the microsecond (`exact_json`; the same on
SQLite and PostgreSQL, so a backup of one restores into the other), read inside one transaction that sees a single snapshot: REPEATABLE READ
on PostgreSQL, the database lock on SQLite (its transactions begin IMMEDIATE here). The uploads folder
is archived inside the same transaction. A restore migrates, empties every table, loads the data (and
resets the id sequences) in one transaction, then puts the uploads back.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.db import connection, transaction
from django.utils import timezone

FORMAT = "jixiao.backup/1"


class BackupError(Exception):
    """A backup or restore that can't be done; the message says why and what to do (Chinese)."""


def _counts() -> dict[str, int]:
    from jixiao.web.models import ImportJob, Org, PerformanceForm

    return {"forms": PerformanceForm.objects.count(), "orgs": Org.objects.count(), "imports": ImportJob.objects.count()}


def backup(file: str | Path) -> str:
    """Write the snapshot to `file` (a .tar.gz); returns what was written, in Chinese."""
    target = Path(file)
    if target.parent and not target.parent.exists():
        raise BackupError(f"备份文件所在的文件夹 {target.parent} 不存在。")
    uploads = Path(settings.UPLOAD_DIR)
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory() as tmp, transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        elif connection.vendor == "sqlite":
            with connection.cursor() as cursor:  # take the lock now: no writer between the tables
                cursor.execute("SELECT count(*) FROM django_migrations")
        data = Path(tmp) / "data.json"
        call_command("dumpdata", format="exact-json", output=str(data), verbosity=0)  # streamed to disk
        counts = _counts()
        manifest = {"format": FORMAT, "created": timezone.now().isoformat(), "database": connection.vendor,
                    **counts}
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False).encode())
            archive.add(data, arcname="data.json")
            if uploads.is_dir():
                archive.add(uploads, arcname="uploads")
    partial.chmod(0o600)
    partial.replace(target)  # a backup is whole or absent, never half-written under its name
    return (f"已备份到 {target}：{counts['orgs']} 个单位，{counts['forms']} 张表，"
            f"{counts['imports']} 次导入及其上传文件（{connection.vendor}）。")


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def restore(file: str | Path) -> str:
    """Replace the database's data and the uploads with those of a backup; returns what was restored."""
    source = Path(file)
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}。")
    try:
        with tarfile.open(source, "r:gz") as archive:
            manifest = json.loads(_member(archive, "manifest.json"))
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{source} 不是 jixiao backup 写出的备份文件（格式 {manifest.get('format')!r}）。")
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                archive.extractall(folder, filter="data")  # no absolute paths, no "..", no links out
                _load(folder / "data.json")
                _put_uploads(folder / "uploads")
    except (tarfile.TarError, OSError, EOFError, ValueError, KeyError, DeserializationError) as e:
        raise BackupError(f"备份文件 {source} 无法读取（{e}）：文件可能不完整或已损坏。") from None
    counts = _counts()
    return (f"已从 {source}（{manifest.get('created', '')}）恢复：{counts['orgs']} 个单位，"
            f"{counts['forms']} 张表，{counts['imports']} 次导入。")


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise KeyError(name)
    return member.read()


def _load(data: Path) -> None:
    from django.core.management import call_command as run

    run("migrate", interactive=False, verbosity=0)
    with transaction.atomic():
        run("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        run("loaddata", str(data), verbosity=0)


def _put_uploads(extracted: Path) -> None:
    uploads = Path(settings.UPLOAD_DIR)
    if uploads.exists():
        shutil.rmtree(uploads)
    if extracted.is_dir():
        shutil.copytree(extracted, uploads)
    else:
        uploads.mkdir(parents=True, exist_ok=True)
