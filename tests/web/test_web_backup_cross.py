"""Issue 16: a backup made on SQLite restores into PostgreSQL, and one made on PostgreSQL into SQLite, with
every row of every table as it was (the demo's organisation, accounts, forms, the year's targets and
monitoring, the after-the-score records and the indicator library).

Each side is its own process with its own settings (DATABASE_URL or JIXIAO_DATA_DIR), as an operator
moving from one PC to a province's server would run it. Runs in the PostgreSQL pass of CI (tests/web
with DATABASE_URL=postgres://…), where a scratch database is made next to the test database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

# Every row of every model, serialised by Django the same way whichever database it came from, with times to the
# microsecond (Django's own JSON would round them to milliseconds and hide a backup that lost the rest: the
# demo's rows with a time under a millisecond past the second then differed only sometimes).
SNAPSHOT = textwrap.dedent("""
    import json, sys
    from jixiao.web.setup import migrate, setup_django
    setup_django()
    from django.apps import apps
    from django.core import serializers
    from django.core.serializers.json import DjangoJSONEncoder

    class Exact(DjangoJSONEncoder):  # Django's JSON cuts times to the millisecond: compare them whole
        def default(self, o):
            import datetime
            if isinstance(o, (datetime.datetime, datetime.time)):
                return o.isoformat()
            return super().default(o)

    action, archive = sys.argv[1], sys.argv[2]
    migrate()
    if action == "demo-backup":
        from jixiao.web.demo import load_demo
        from jixiao.web.ops.backup import backup
        load_demo(passwords={"admin": "pw-admin"})
        backup(archive)
    else:
        from jixiao.web.ops.backup import restore
        restore(archive)
    rows = {}
    for model in apps.get_models():
        if model._meta.label in ("sessions.Session", "admin.LogEntry"):
            continue
        objects = model._default_manager.order_by("pk")
        rows[model._meta.label] = json.loads(serializers.serialize("json", objects, cls=Exact))
    print(json.dumps(rows, ensure_ascii=False, sort_keys=True))
""")


def _run(env: dict[str, str], *args: str) -> dict[str, list]:
    done = subprocess.run([sys.executable, "-c", SNAPSHOT, *args], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def _env(tmp: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["JIXIAO_DATA_DIR"] = str(tmp)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@pytest.fixture
def scratch_postgres():
    """A fresh PostgreSQL database beside the test database, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): run in CI's PostgreSQL pass")
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_cross"
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{url}/{name}"
    with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _same_rows(before: dict[str, list], after: dict[str, list]) -> None:
    assert before.keys() == after.keys()
    for label, rows in before.items():
        assert len(after[label]) == len(rows), label
        assert after[label] == rows, label


def test_a_backup_moves_from_sqlite_to_postgresql_and_back(scratch_postgres, tmp_path):
    sqlite_side, pg_side, back = tmp_path / "pc", tmp_path / "server", tmp_path / "pc-again"
    archive, again = tmp_path / "from-sqlite.tar.gz", tmp_path / "from-postgres.tar.gz"

    made = _run(_env(sqlite_side, None), "demo-backup", str(archive))
    assert made["jixiao.PerformanceForm"], "the demo has forms"
    assert sum(map(len, made.values())) > 100

    on_postgres = _run(_env(pg_side, scratch_postgres), "restore", str(archive))
    _same_rows(made, on_postgres)

    # And the other way: PostgreSQL's backup restores into a new SQLite file.
    subprocess.run([sys.executable, "-m", "jixiao.cli", "backup", str(again)], env=_env(pg_side, scratch_postgres),
                   check=True, capture_output=True, timeout=600)
    on_sqlite = _run(_env(back, None), "restore", str(again))
    _same_rows(made, on_sqlite)
