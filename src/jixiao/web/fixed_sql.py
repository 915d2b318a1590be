"""Fixed SQL statements: the reads every request makes (the session, the token's or session's user, the
memberships, a form by its key, its findings, the year's profile, the library's stamp), written as SQL once
per database from the models' tables and columns, because the ORM's building of these small queries cost more
than running them. Values come back through Django's own converters (convert), as the ORM would give them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.apps import apps
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model


class Statement:
    """One fixed statement: `build(connection)` writes it for a database (quoting names with the connection's
    quote_name); it is built on first use there and kept. The database is the one the router reads `model` from
    (a model, or its "app_label.ModelName" for a module read before the apps are, such as the user model's)."""

    def __init__(self, model: type[Model] | str, build: Callable[[BaseDatabaseWrapper], str]) -> None:
        self._model, self.build = model, build
        self._built: dict[str, str] = {}
        self._read: dict[str, tuple[list[str], list[Any], tuple[str, ...]]] = {}  # per database: attnames,
        # converters and the names of the other columns

    @property
    def model(self) -> type[Model]:
        if isinstance(self._model, str):
            self._model = apps.get_model(self._model)
        model: type[Model] = self._model
        return model

    def sql(self) -> tuple[str, BaseDatabaseWrapper]:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        found = self._built.get(alias)
        if found is None:
            found = self._built[alias] = self.build(connection)
        return found, connection

    def objects(self, params: Sequence[Any]) -> list[Any]:
        """The model's rows the statement selects, as Manager.raw would give them but without its building of a
        query for every call: the statement's first columns are the model's, in the order of its fields (as
        `columns` writes them), converted by Django's converters; any other column is left on each object under
        its name, as the database gave it (see convert)."""
        sql, connection = self.sql()
        model, alias = self.model, connection.alias
        fields = model._meta.concrete_fields
        known = self._read.get(alias)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if known is None:  # the columns' names, read once (the cursor makes them anew on every call)
                names = tuple(c[0] for c in cursor.description)
                if tuple(n.lower() for n in names[:len(fields)]) != tuple(f.column.lower() for f in fields):
                    raise ValueError(f"{sql[:80]}…: the first columns are not {model.__name__}'s, in its order")
                converting = [(n, *_converters(connection, f)) for n, f in enumerate(fields)]
                known = self._read[alias] = ([f.attname for f in fields], [c for c in converting if c[2]],
                                             names[len(fields):])
            found = cursor.fetchall()
        attnames, steps, extra = known
        objects = []
        for row in found:
            made = model.from_db(alias, attnames, _converted(row[:len(fields)], steps, connection))
            made.__dict__.update(zip(extra, row[len(fields):], strict=True))
            objects.append(made)
        return objects

    def rows(self, params: Sequence[Any], fields: Sequence[Field[Any, Any] | None] = ()) -> list[tuple[Any, ...]]:
        """The rows the statement selects, the value of each column named in `fields` converted as that model
        field's (None: as the database gives it)."""
        sql, connection = self.sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found: list[tuple[Any, ...]] = cursor.fetchall()
        converting = [(n, expression, steps) for n, f in enumerate(fields) if f is not None
                      for expression, steps in [_converters(connection, f)] if steps]
        if not converting:
            return found
        return [tuple(_converted(row, converting, connection)) for row in found]


def _converted(row: Sequence[Any], steps: Sequence[tuple[int, Any, list[Any]]],
               connection: BaseDatabaseWrapper) -> list[Any]:
    """A row's values, each column with converters (its position, the field's column expression, the steps)
    converted as the ORM converts it."""
    values = list(row)
    for n, expression, field_steps in steps:
        for step in field_steps:
            values[n] = step(values[n], expression, connection)
    return values


_steps: dict[tuple[str, Field[Any, Any]], tuple[Any, list[Any]]] = {}


def _converters(connection: BaseDatabaseWrapper, field: Field[Any, Any]) -> tuple[Any, list[Any]]:
    """The column expression of a field and the converters the ORM runs on its values: the database backend's,
    then the field's (a date-time made aware, JSON decoded, a boolean from SQLite's integer)."""
    key = (connection.alias, field)
    found = _steps.get(key)
    if found is None:
        expression = field.get_col(field.model._meta.db_table)
        steps = [*connection.ops.get_db_converters(expression), *expression.get_db_converters(connection)]
        found = _steps[key] = (expression, steps)
    return found


def convert(connection: BaseDatabaseWrapper, field: Field[Any, Any], value: Any) -> Any:
    """A column's value as the ORM gives it for `field` (a column a fixed statement read beside a model's)."""
    return _converted([value], [(0, *_converters(connection, field))], connection)[0]


def columns(connection: BaseDatabaseWrapper, model: type[Model], table: str | None = None) -> list[str]:
    """The model's columns, quoted, in the order of its fields (what Manager.raw reads into an object)."""
    q = connection.ops.quote_name
    prefix = table or q(model._meta.db_table)
    return [f"{prefix}.{q(f.column)}" for f in model._meta.concrete_fields]


def column(connection: BaseDatabaseWrapper, model: type[Model], name: str) -> str:
    """A field's column, quoted (without its table)."""
    return str(connection.ops.quote_name(model._meta.get_field(name).column))


def table(connection: BaseDatabaseWrapper, model: type[Model]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


_inserts: dict[tuple[Any, ...], str] = {}


def insert(objects: Sequence[Model], fields: Sequence[str] | None = None,
           upsert: tuple[Sequence[str], Sequence[str]] | None = None) -> int:
    """Write new rows of one model in one INSERT (a batch per the database's limit of parameters), as
    bulk_create would but without its building of the statement on every call; the objects' keys are not read
    back. `fields`: the fields written (default every concrete field but the key), each value as the ORM saves it
    (pre_save, then get_db_prep_save: auto_now_add set, JSON adapted). `upsert` (unique fields, fields updated):
    a row that exists already is updated instead (the database's own ON CONFLICT clause, as Django writes it).
    Returns how many objects were written."""
    if not objects:
        return 0
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    chosen = [meta.get_field(f) for f in fields] if fields else [f for f in meta.concrete_fields if not f.primary_key]
    size = max(1, connection.ops.bulk_batch_size(chosen, objects))
    for start in range(0, len(objects), size):
        batch = objects[start:start + size]
        key = (connection.alias, model, tuple(f.attname for f in chosen), len(batch), upsert and tuple(map(tuple, upsert)))
        sql = _inserts.get(key)
        if sql is None:
            q = connection.ops.quote_name
            row = f"({', '.join(['%s'] * len(chosen))})"
            sql = (f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in chosen)})"
                   f" VALUES {', '.join([row] * len(batch))}")
            if upsert:
                from django.db.models.constants import OnConflict

                unique, updated = ([meta.get_field(f).column for f in names] for names in upsert)
                sql += " " + connection.ops.on_conflict_suffix_sql(chosen, OnConflict.UPDATE, updated, unique)
            _inserts[key] = sql
        params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in batch for f in chosen]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    return len(objects)


_updates: dict[tuple[Any, ...], str] = {}


def update(model: type[Model], values: Mapping[str, Any], where: Mapping[str, Any],
           increment: Sequence[str] = ()) -> int:
    """UPDATE the rows of `model` whose fields equal `where`, setting `values` (each as QuerySet.update sends it:
    get_db_prep_save, a related object by its key) and adding 1 to each field in `increment`, in one statement
    written once per database and set of fields; returns how many rows it changed (QuerySet.update's answer)."""
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    key = (connection.alias, model, tuple(values), tuple(where), tuple(increment))
    sql = _updates.get(key)
    q = connection.ops.quote_name
    if sql is None:
        added = [f"{q(meta.get_field(f).column)} = {q(meta.get_field(f).column)} + 1" for f in increment]
        changed = [f"{q(meta.get_field(f).column)} = %s" for f in values]
        condition = " AND ".join(f"{q(meta.get_field(f).column)} = %s" for f in where)
        sql = _updates[key] = f"UPDATE {q(meta.db_table)} SET {', '.join([*added, *changed])} WHERE {condition}"
    params = [_prepared(connection, meta.get_field(f), v) for f, v in (*values.items(), *where.items())]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _prepared(connection: BaseDatabaseWrapper, field: Any, value: Any) -> Any:
    if field.remote_field is not None and isinstance(value, Model):
        value = getattr(value, field.target_field.attname)
    return field.get_db_prep_save(value, connection)
