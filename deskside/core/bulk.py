"""Statements over many rows that the ORM does not write, one form for SQLite and PostgreSQL.

The hot paths of the workers and the alert intake change or add hundreds of rows at a time.
The ORM's forms cost more than the database's work there (a CASE WHEN per row for an UPDATE of
many rows with different values, bulk_create's per-field preparation), so they are written as
SQL here, once, instead of per call site with a branch per database:

- `claim_many`: a conditional UPDATE of many rows by primary key, each with the values it must
  still hold and the values it gets; returns the keys of the rows it changed. A row someone
  else changed since it was read is left alone, so any number of processes may race for the
  same rows and each row is claimed once.
- `insert_many`: a multi-row INSERT.
- `insert_select`: INSERT ... SELECT from a queryset, the rows never passing through Python;
  with `add`, an upsert that adds to the counters of the rows already there.
- `update_returning`: an UPDATE of the rows a WHERE matches, returning columns of each; on
  PostgreSQL optionally locking them in id order first, so two such statements over the same
  rows wait for each other instead of deadlocking.

On PostgreSQL, `claim_many` and `insert_many` send one array per column (unnest), bound
server-side and in binary: psycopg parses a query's placeholders and quotes each value in
Python, and thousands of them cost more than the statement. On SQLite they send placeholders,
in statements under its variable limit.

Values are Python values as the ORM would take them for the model's fields (aware datetimes,
dicts for JSON fields); they are adapted here per column, without the ORM's per-value work.
"""

import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models

__all__ = [
    "claim_many",
    "insert_many",
    "insert_select",
    "returning_supported",
    "update_returning",
]

Row = Sequence[Any]


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.concrete, name
    return field


def _column(model: type[models.Model], name: str) -> str:
    return connection.ops.quote_name(_field(model, name).column)


def _sqlite_moment(value: datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, str()), without
    its per-call settings look-ups."""
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a column's values go to the database (None: as they are)."""
    kind = field.get_internal_type()
    if kind == "JSONField":
        return _json
    if kind == "DateTimeField" and connection.vendor == "sqlite":
        return _sqlite_moment
    return None


def _columns(fields: Sequence[models.Field], rows: Sequence[Row]) -> list[list[Any]]:
    """The rows as adapted columns."""
    columns = [list(values) for values in zip(*rows, strict=True)] or [[] for _ in fields]
    for i, field in enumerate(fields):
        adapt = _adapter(field)
        if adapt is not None:
            columns[i] = [adapt(v) for v in columns[i]]
    return columns


def _array_type(field: models.Field) -> str:
    """The PostgreSQL array type of a column's values."""
    if field.get_internal_type() == "JSONField":
        return "jsonb[]"
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind in ("AutoField", "BigAutoField", "SmallAutoField"):
        return {"AutoField": "integer", "BigAutoField": "bigint", "SmallAutoField": "smallint"}[
            kind
        ] + "[]"
    return f"{target.db_type(connection)}[]"


def _sqlite_variable_limit() -> int:
    connection.ensure_connection()
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def _chunks(rows: Sequence[Row], width: int, most: int = 500) -> Iterator[Sequence[Row]]:
    """`rows` in runs of at most `most` that stay under SQLite's variable limit."""
    size = max(1, min(most, (_sqlite_variable_limit() - 10) // max(width, 1)))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _execute_bound(sql: str, params: list[Any], *, fetch: bool = False) -> list[tuple] | int:
    """Run `sql` on a psycopg cursor that sends the parameters apart from the query
    (server-side binding; %b placeholders send arrays in binary) instead of Django's
    client-side cursor, inside Django's transaction; logged in `connection.queries` like any
    query when Django logs them. Returns the rows (`fetch`) or the row count."""
    import psycopg  # noqa: PLC0415 - PostgreSQL only

    connection.ensure_connection()
    started = time.monotonic()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        result: list[tuple] | int = cursor.fetchall() if fetch else cursor.rowcount
    if connection.queries_logged:
        took = time.monotonic() - started
        connection.queries_log.append({"sql": sql, "time": f"{took:.3f}"})
    return result


def returning_supported() -> bool:
    """Whether this database runs UPDATE ... FROM ... RETURNING (SQLite 3.35 and later)."""
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version_info >= (3, 35)
    return connection.vendor == "postgresql"


def claim_many(
    model: type[models.Model],
    rows: Sequence[Row],
    *,
    expect: Sequence[str],
    assign: Sequence[str],
) -> set[Any]:
    """Update the rows of `model` that still hold what was read; return their primary keys.

    Each of `rows` is (primary key, *values the `expect` fields must hold, *values the `assign`
    fields get). A row whose `expect` fields hold other values (someone changed it since it
    was read) is not changed and its key not returned. Compared with `=`: an expected None
    matches nothing, so claim on non-null fields. Run it inside a transaction with whatever
    must commit with the claim.

    One statement (per SQLite chunk): an UPDATE ... FROM a VALUES list (unnest of arrays on
    PostgreSQL) joined on the key, RETURNING the keys it changed. PostgreSQL serialises
    competing UPDATEs by row lock and re-checks the WHERE on the row a committed competitor
    left; SQLite runs one writing transaction at a time. Where SQLite has no RETURNING
    (before 3.35), one conditional UPDATE per row.
    """
    if not rows:
        return set()
    pk = model._meta.pk
    fields = [pk, *(_field(model, n) for n in expect), *(_field(model, n) for n in assign)]
    width = len(fields)
    if any(len(row) != width for row in rows):
        raise ValueError(f"each row needs {width} values: key, {list(expect)}, {list(assign)}")
    if not returning_supported():
        return _claim_row_by_row(model, rows, expect, assign)
    table = _table(model)
    key = connection.ops.quote_name(pk.column)
    # The VALUES list's columns: SQLite names them column1..columnN.
    first = 1 if connection.vendor == "sqlite" else 0
    names = [f"column{i + first}" for i in range(width)]
    sets = ", ".join(
        f"{_column(model, name)} = v.{names[1 + len(expect) + i]}" for i, name in enumerate(assign)
    )
    where = " AND ".join(
        [f"{table}.{key} = v.{names[0]}"]
        + [f"{table}.{_column(model, name)} = v.{names[1 + i]}" for i, name in enumerate(expect)]
    )
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%b::{_array_type(f)}" for f in fields)
        sql = (
            f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({', '.join(names)}) "  # noqa: S608
            f"WHERE {where} RETURNING {table}.{key}"
        )
        found = _execute_bound(sql, _columns(fields, rows), fetch=True)
        assert isinstance(found, list)
        return {r[0] for r in found}
    claimed: set[Any] = set()
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, width):
            row_sql = "(" + ", ".join(["%s"] * width) + ")"
            params = [v for values in zip(*_columns(fields, chunk), strict=True) for v in values]
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row_sql] * len(chunk))}) "  # noqa: S608
                f"AS v WHERE {where} RETURNING {table}.{key}",
                params,
            )
            claimed.update(r[0] for r in cursor.fetchall())
    return claimed


def _claim_row_by_row(
    model: type[models.Model], rows: Sequence[Row], expect: Sequence[str], assign: Sequence[str]
) -> set[Any]:
    claimed = set()
    n = len(expect)
    for row in rows:
        match = dict(zip(expect, row[1 : 1 + n], strict=True))
        new = dict(zip(assign, row[1 + n :], strict=True))
        if model._default_manager.filter(pk=row[0], **match).update(**new):
            claimed.add(row[0])
    return claimed


def insert_many(model: type[models.Model], names: Sequence[str], rows: Sequence[Row]) -> int:
    """Insert `rows` (values of the fields `names`, in that order) into `model`'s table;
    returns how many. Nothing else happens: no save(), no signals, no defaults beyond the
    database's own; each field left out must have a database default or allow NULL."""
    if not rows:
        return 0
    fields = [_field(model, n) for n in names]
    table = _table(model)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%b::{_array_type(f)}" for f in fields)
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608
        _execute_bound(sql, _columns(fields, rows))
        return len(rows)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, len(fields)):
            params = [v for values in zip(*_columns(fields, chunk), strict=True) for v in values]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))}",  # noqa: S608
                params,
            )
    return len(rows)


def insert_select(
    model: type[models.Model],
    qs: "models.QuerySet[Any]",
    columns: dict[str, str],
    *,
    key: Sequence[str] = (),
    add: Sequence[str] = (),
) -> int:
    """INSERT INTO `model`'s table the rows of `qs`, a values() queryset: `columns` maps each
    field of `model` to the name of the `qs` column that fills it (values() names its columns
    as asked, so the order of its SELECT does not matter). One statement; returns the rows
    written. With `key` (the fields of a unique constraint) and `add`, a row whose key is
    there already adds its `add` fields to that row's (ON CONFLICT ... DO UPDATE, the same
    form on SQLite 3.24+ and PostgreSQL). A queryset that can match nothing writes nothing."""
    try:
        inner, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return 0
    quote = connection.ops.quote_name
    table = _table(model)
    targets = ", ".join(_column(model, name) for name in columns)
    sources = ", ".join(f"picked.{quote(source)}" for source in columns.values())
    # "WHERE true": SQLite reads an ON CONFLICT after a bare FROM as the join's ON.
    sql = f"INSERT INTO {table} ({targets}) SELECT {sources} FROM ({inner}) picked WHERE true"  # noqa: S608
    if key:
        added = [_column(model, name) for name in add]
        adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in added)
        conflict = ", ".join(_column(model, name) for name in key)
        sql += f" ON CONFLICT ({conflict}) DO UPDATE SET {adds}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def update_returning(
    model: type[models.Model],
    *,
    assign: str,
    assign_params: Sequence[Any],
    where: str,
    where_params: Sequence[Any],
    returning: Sequence[str],
    returning_params: Sequence[Any] = (),
    lock_in_id_order: bool = False,
) -> list[tuple]:
    """UPDATE `model`'s table SET `assign` WHERE `where` RETURNING `returning`; the rows.

    `assign` and `where` are SQL over the table's own columns (unqualified); `returning` are
    SQL expressions over them, qualified here with the table. With `lock_in_id_order`, on
    PostgreSQL the matching rows are locked in id order first (SELECT ... ORDER BY id FOR
    UPDATE), so two statements over overlapping rows in different orders wait for each other
    instead of deadlocking; SQLite runs one writer at a time and needs no lock.
    """
    table = _table(model)
    key = connection.ops.quote_name(model._meta.pk.column)
    out = ", ".join(_qualify(table, expr) for expr in returning)
    if lock_in_id_order and connection.vendor == "postgresql":
        sql = (
            f"WITH hit AS (SELECT {key} FROM {table} WHERE {where} ORDER BY {key} FOR UPDATE) "  # noqa: S608
            f"UPDATE {table} SET {assign} FROM hit WHERE {table}.{key} = hit.{key} RETURNING {out}"
        )
        params = [*where_params, *assign_params, *returning_params]
    else:
        sql = f"UPDATE {table} SET {assign} WHERE {where} RETURNING {out}"  # noqa: S608
        params = [*assign_params, *where_params, *returning_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _qualify(table: str, expr: str) -> str:
    """A bare column name qualified with the table (the FROM of the locking form names `hit`
    too); expressions are written qualified by the caller where it matters."""
    return f"{table}.{expr}" if expr.isidentifier() else expr


def _sqlite_read(value: datetime | str | None) -> datetime | None:
    """A datetime column as Django's SQLite connection returns it to a cursor (naive UTC,
    parsed by its registered converter, or text) made aware, as the ORM would."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def fetch_values(qs: "models.QuerySet[Any]", names: Sequence[str]) -> list[tuple]:
    """`qs.values_list(*names)` as plain tuples: the ORM's query, run on a cursor, because the
    ORM's per-value converters on SQLite (a few datetimes a row) cost more than the query.
    Datetimes come back aware (UTC) on both databases; other values as the driver gives them
    (no JSON decoding, no enum or decimal conversion)."""
    sql, params = qs.values_list(*names).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    if connection.vendor != "sqlite":
        return raw
    moments = [i for i, name in enumerate(names) if _final_field(qs.model, name) == "DateTimeField"]
    if not moments:
        return raw
    rows = []
    for values in raw:
        row = list(values)
        for i in moments:
            row[i] = _sqlite_read(row[i])
        rows.append(tuple(row))
    return rows


def _final_field(model: type[models.Model], path: str) -> str:
    """The internal type of the field a values_list path (`a__b__c`) ends at."""
    *hops, last = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    return model._meta.get_field(last).get_internal_type()
