# ruff: noqa: RUF012
"""The chart and the entry page's body get their own columns (out of the statistics), and on PostgreSQL the entries' search keys get a
trigram index (pg_trgm), which serves the `search LIKE '%…%'` of the list's search box and of suggestions.

SQLite has no trigram index; there the names are searched in memory (services.suggest) and `norm` is indexed."""

from typing import Any

from django.db import migrations, models, transaction

INDEX = "library_entry_search_trgm"


def drop_charts(apps: Any, schema_editor: Any) -> None:
    """Charts kept inside the statistics are dropped: the entry page makes them again, with what it now keeps."""
    EntryStats = apps.get_model("library", "EntryStats")
    for kept in EntryStats.objects.all().iterator(chunk_size=100):
        if isinstance(kept.data, dict) and "chart" in kept.data:
            kept.data.pop("chart")
            EntryStats.objects.filter(pk=kept.pk).update(data=kept.data)


def trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic():  # a savepoint: a server that refuses the extension keeps the migration going
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # the extension needs CREATE on the database: without it, searches scan the table
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON library_entry USING gin (search gin_trgm_ops)")


def drop_trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [("library", "0001_library")]

    operations = [
        migrations.AddField(model_name="entrystats", name="chart", field=models.JSONField(blank=True, null=True)),
        migrations.AddField(model_name="entrystats", name="page", field=models.TextField(blank=True)),
        migrations.AddField(model_name="entrystats", name="page_stamp", field=models.CharField(blank=True, max_length=40)),
        migrations.RunPython(drop_charts, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
