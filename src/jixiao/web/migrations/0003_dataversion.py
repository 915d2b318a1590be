# ruff: noqa
"""The data version: a row that triggers change whenever forms or orgs change (jixiao.web.models.DataVersion).

PostgreSQL: a deferred constraint trigger per row changes it once per transaction at commit, after every
other lock the transaction takes, so writers never wait on it in the middle of their work (no deadlock).
SQLite has one writer at a time: plain triggers. Either way the new value is random, never one seen before
(a rolled-back change leaves nothing behind to be confused with), and the row is made again if it went
(a test database flushed between tests).
"""

from django.db import migrations, models

TABLES = ("jixiao_performanceform", "jixiao_org")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION jixiao_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('jixiao.data_version_bumped', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('jixiao.data_version_bumped', 'yes', true);
        INSERT INTO jixiao_dataversion (id, value) VALUES (1, floor((random() - 0.5) * 9.2e18)::bigint)
            ON CONFLICT (id) DO UPDATE SET value = excluded.value;
    END IF;
    RETURN NULL;
END
$$
"""
SQLITE_NEW = "abs(random())"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    import secrets

    schema_editor.execute("INSERT INTO jixiao_dataversion (id, value) VALUES (1, %s)", [secrets.randbits(62)])
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jixiao_bump_data_version()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_data_version_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION jixiao_bump_data_version()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_data_version_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN INSERT OR REPLACE INTO jixiao_dataversion (id, value) VALUES (1, {SQLITE_NEW}); END"
                )
    # Other databases: no triggers, and the pages keep nothing (see jixiao.web.views.data_version).


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_data_version ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_data_version_truncate ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS jixiao_bump_data_version()")
    elif vendor == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_data_version_{event}")


class Migration(migrations.Migration):

    dependencies = [
        ("jixiao", "0002_list_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "数据版本", "verbose_name_plural": "数据版本"},
        ),
        migrations.RunPython(create, drop),
    ]
