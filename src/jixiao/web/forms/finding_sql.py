"""A stored form's findings as fixed SQL reads them: their fields, and a column of a form's read holding them all
(what jixiao.web.forms.access reads with a form and jixiao.web.forms.evaluation gives out), apart so that both
use it without importing each other."""

from __future__ import annotations

from typing import Any

from jixiao.web import fixed_sql
from jixiao.web.models import FormFinding

FINDING_FIELDS = ("code", "severity", "location", "found", "expected", "message")


def findings_column(connection: Any, form_table: str) -> str:
    """A column for a fixed statement reading forms (jixiao.web.forms.access.read_form): the form's findings as
    one JSON array of [position, id, *FINDING_FIELDS] (findings_read turns it into stored_findings' answer), so
    that the form page and the API read a form and its findings in one query."""
    table = fixed_sql.table(connection, FormFinding)
    names = ["position", "id", *FINDING_FIELDS]
    items = [f"{table}.{fixed_sql.column(connection, FormFinding, f)}" for f in names]
    at = names.index("location")
    if connection.vendor == "postgresql":
        aggregate = f"json_agg(json_build_array({', '.join(items)}))"
    else:  # SQLite: the location is JSON text, made JSON again inside the array
        items[at] = f"json({items[at]})"
        aggregate = f"json_group_array(json_array({', '.join(items)}))"
    return (f"(SELECT {aggregate} FROM {table}"
            f" WHERE {table}.{fixed_sql.column(connection, FormFinding, 'form')} = {form_table}.id)")


def findings_read(value: Any) -> list[dict[str, Any]]:
    """The findings of findings_column as stored_findings gives them: in their order, each a dict of FINDING_FIELDS."""
    import json

    rows = json.loads(value) if isinstance(value, str | bytes) else (value or [])
    return [dict(zip(FINDING_FIELDS, row[2:], strict=True)) for row in sorted(rows, key=lambda r: (r[0], r[1]))]
