"""Set-based writes for imports: new rows, changed rows and removed rows of one model, each
with the history row django-simple-history would write, in a handful of statements.

Why not `bulk_create` / `bulk_create_with_history`: on SQLite Django splits a bulk insert
into statements of at most 999 parameters (~40 rows of a chat group), compiling each one;
100,000 groups and their history rows took 35 s here, against ~2 s for one prepared
`INSERT` run with `executemany`. The writer therefore

- reserves primary keys first (PostgreSQL: `nextval()` of the table's sequence; SQLite:
  above `MAX(id)` and `sqlite_sequence`, safe because Beian's SQLite transactions are
  `BEGIN IMMEDIATE`, which holds the write lock), so history rows and team rows can refer
  to new records without reading them back;
- converts values the way the fields do (`adapt_datefield_value`, …) once per column;
- writes history rows with the same columns, user, date, type (+ ~ -) and change reason as
  simple_history, for the fields the model's history tracks, copied from the rows just
  written (`INSERT … SELECT`).

Callers validate first (see `beian.transfer.rules`): nothing here checks business rules,
but the database still enforces every constraint, and the caller's transaction makes the
whole import all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import pairwise
from typing import Any

from django.db import connection, models

from .fastpinyin import pinyin_keys, pinyin_keys_many

CHUNK = 2_000
SELECT_CHUNK = 500
_HISTORY_FIELDS = frozenset(
    {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
)


def lock_tables(*models_: type[models.Model]) -> None:
    """Keep other writers out of these tables until the transaction ends (PostgreSQL; on
    SQLite the IMMEDIATE transaction already holds the database's write lock)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} "
                "IN SHARE ROW EXCLUSIVE MODE"
            )


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys no other row has or will get."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT MAX({quote(pk)}) FROM {quote(table)}")  # noqa: S608
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(top, row[0] if row else 0) + 1
            return list(range(start, start + count))
    raise NotImplementedError(f"bulk writes are not implemented for {connection.vendor}")


def _converter(field: models.Field):
    """How a field's Python value becomes a database parameter (None: as it is)."""
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
    elif isinstance(field, models.DateField):
        adapt = connection.ops.adapt_datefield_value
    elif isinstance(
        field,
        models.CharField
        | models.TextField
        | models.IntegerField
        | models.BooleanField
        | models.ForeignKey
        | models.AutoField,
    ):
        return None
    else:
        return lambda value: field.get_db_prep_save(value, connection)
    memo: dict[Any, Any] = {}  # an import writes few distinct dates (and one "now")

    def convert(value):
        if value is None:
            return None
        try:
            return memo[value]
        except KeyError:
            memo[value] = converted = adapt(value)
            return converted

    return convert


def _roomy_cache() -> None:
    if connection.vendor == "sqlite" and not getattr(connection, "_beian_roomy_cache", False):
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        connection._beian_roomy_cache = True


class _Columns:
    """The concrete columns of a model, with their converters, in one fixed order."""

    def __init__(self, model: type[models.Model], exclude: Iterable[str] = ()):
        excluded = set(exclude)
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in excluded]
        self.attnames = [f.attname for f in self.fields]
        self.converters = [_converter(f) for f in self.fields]
        self.converted = [(i, c) for i, c in enumerate(self.converters) if c is not None]
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.names = ", ".join(quote(f.column) for f in self.fields)
        self.placeholders = ", ".join(["%s"] * len(self.fields))
        # Identifiers come from the model's metadata, values are always parameters.
        self.insert = f"INSERT INTO {self.table} ({self.names}) VALUES ({self.placeholders})"  # noqa: S608

    def params(self, row: dict[str, Any]) -> tuple:
        values = [row[name] for name in self.attnames]
        for index, convert in self.converted:
            values[index] = convert(values[index])
        return tuple(values)


#: SQLite page cache (KiB) while a bulk write runs: 100,000 rows update ten indexes of the
#: table, and with SQLite's default 2 MB cache most of that time goes to evicting and
#: re-reading index pages. 16 MB writes 100,000 groups as fast as 32 MB did (8 MB: 25 %
#: slower) and keeps the import's peak memory 15 MB lower. The setting lasts for the
#: connection; it is memory SQLite may use, not memory it takes at once.
SQLITE_CACHE_KIB = 16 * 1024


def _executemany(sql: str, rows: Sequence[tuple]) -> None:
    if not rows:
        return
    _roomy_cache()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])


class LazyRows:
    """`count` rows made on demand: iterating calls `make()`, which yields them one at a
    time. Bulk writes take it where they take a list (`len()` and one pass), so that an
    import builds each row's dict only while its chunk is written."""

    __slots__ = ("_count", "_make")

    def __init__(self, count: int, make: Callable[[], Iterator[dict[str, Any]]]):
        self._count = count
        self._make = make

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._make())


class RecordWriter:
    """Creates, changes and removes rows of `model` and writes their history rows, all
    stamped with `actor`, `now` and the change `reason`.

    History rows are copied from the rows just written by one `INSERT … SELECT` per chunk
    (the tracked columns, plus the history date, reason, type and user as parameters), so
    they hold exactly what the table holds and cost no Python work per row."""

    def __init__(self, model: type[models.Model], *, actor, now: dt.datetime, reason: str):
        self.model = model
        self.actor_id = getattr(actor, "pk", None)
        self.now = now
        self.reason = reason
        self.columns = _Columns(model)
        self.pk = model._meta.pk.attname
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.fields = fields
        self.has_pinyin = "name_pinyin" in fields and "name_initials" in fields
        self.auto_now = [n for n, f in fields.items() if getattr(f, "auto_now", False)]
        self.auto_now_add = [n for n, f in fields.items() if getattr(f, "auto_now_add", False)]
        self.defaults = {
            name: field.get_default()
            for name, field in fields.items()
            if name != self.pk and name not in self.auto_now and name not in self.auto_now_add
        }
        history = getattr(model, "history", None)
        self.history_model = history.model if history is not None else None
        if self.history_model is not None:
            quote = connection.ops.quote_name
            history_fields = {
                f.attname: f for f in self.history_model._meta.concrete_fields
            }  # fmt: skip
            tracked = [name for name in history_fields if name not in _HISTORY_FIELDS]
            extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
            target = ", ".join(quote(history_fields[n].column) for n in [*tracked, *extra])
            source = ", ".join(quote(fields[n].column) for n in tracked)
            self.history_sql = (
                f"INSERT INTO {quote(self.history_model._meta.db_table)} ({target}) "  # noqa: S608 (identifiers from the models)
                f"SELECT {source}, %s, %s, %s, %s FROM {self.columns.table} "
                f"WHERE {quote(model._meta.pk.column)} IN "
            )
            self.history_range_sql = self.history_sql.removesuffix(" IN ") + " BETWEEN %s AND %s"
            self.history_date = _converter(history_fields["history_date"])(now)
        self.counts = {"created": 0, "updated": 0, "deleted": 0}
        self._base = {**self.defaults, **dict.fromkeys(self.auto_now + self.auto_now_add, now)}
        self._layouts: dict[frozenset, list[tuple[str, Any, bool]]] = {}

    # --- helpers ---------------------------------------------------------------------

    def _stamp_name(self, row: dict[str, Any]) -> None:
        if self.has_pinyin:
            row["name_pinyin"], row["name_initials"] = pinyin_keys(row.get("name") or "")

    def _history(self, ids: Sequence[int], kind: str) -> None:
        """History rows of type `kind` (+ ~ -) for these rows, as they are now."""
        if self.history_model is None or not ids:
            return
        head = [self.history_date, self.reason, kind, self.actor_id]
        with connection.cursor() as cursor:
            first, last = ids[0], ids[-1]
            if last - first + 1 == len(ids) and all(b - a == 1 for a, b in pairwise(ids)):
                # New rows get consecutive keys: one range instead of a list of them.
                cursor.execute(self.history_range_sql, [*head, first, last])
                return
            for start in range(0, len(ids), SELECT_CHUNK):
                chunk = list(ids[start : start + SELECT_CHUNK])
                cursor.execute(
                    self.history_sql + f"({', '.join(['%s'] * len(chunk))})", head + chunk
                )

    # --- writes ----------------------------------------------------------------------

    def create(self, rows: Iterable[dict[str, Any]], count: int | None = None) -> list[int]:
        """Insert new rows (attname → value; unset fields take their defaults), in chunks,
        each followed by its history rows. Rows that carry a primary key keep it (see
        `reserve_ids`); the others get one. Returns the primary keys in order.

        Given `count` (how many rows `rows` yields), the rows are consumed as they come,
        a chunk at a time, so that a caller can pass a generator and never hold all of
        them: `count` keys are reserved up front for the rows that carry none."""
        pk_name = self.pk
        if count is None:
            rows = list(rows)
            count = sum(1 for row in rows if row.get(pk_name) is None)
        fresh = iter(reserve_ids(self.model, count))
        ids: list[int] = []
        for params, chunk_ids in self._chunks(rows, fresh):
            _executemany(self.columns.insert, params)
            self._history(chunk_ids, "+")
            ids += chunk_ids
        self.counts["created"] += len(ids)
        return ids

    def _chunks(
        self, rows: Iterable[dict[str, Any]], fresh: Iterator[int]
    ) -> Iterator[tuple[list[list[Any]], list[int]]]:
        """(INSERT parameters, primary keys) of the rows, CHUNK rows at a time; the names'
        pinyin keys are made a chunk at a time (`pinyin_keys_many`)."""
        pk_name = self.pk
        chunk: list[dict[str, Any]] = []
        for row in rows:
            if row.get(pk_name) is None:
                row[pk_name] = next(fresh)
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield self._params(chunk)
                chunk = []
        if chunk:
            yield self._params(chunk)

    def _params(self, chunk: list[dict[str, Any]]) -> tuple[list[list[Any]], list[int]]:
        columns = self.columns
        if self.has_pinyin:
            pinyin = pinyin_keys_many([row.get("name") or "" for row in chunk])
            for row, (full, initials) in zip(chunk, pinyin, strict=True):
                row["name_pinyin"] = full
                row["name_initials"] = initials
        layouts = self._layouts
        base = self._base
        converted = columns.converted
        params = []
        for row in chunk:
            keys = frozenset(row)
            layout = layouts.get(keys)
            if layout is None:  # rows of one import share their keys: plan once
                layout = layouts[keys] = [
                    (name, base.get(name), name in keys) for name in columns.attnames
                ]
            values = [row[name] if present else default for name, default, present in layout]
            for index, convert in converted:
                values[index] = convert(values[index])
            params.append(values)
        return params, [row[self.pk] for row in chunk]

    def update(self, changes: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Set the given fields of existing rows (pk, {attname: value})."""
        changes = [(pk, values) for pk, values in changes if values]
        if not changes:
            return
        by_fields: dict[tuple[str, ...], list[tuple]] = {}
        quote = connection.ops.quote_name
        converters = dict(zip(self.columns.attnames, self.columns.converters, strict=True))
        for pk, values in changes:
            row = dict(values)
            for name in self.auto_now:
                row[name] = self.now
            if self.has_pinyin and "name" in values:
                self._stamp_name(row)
            names = tuple(sorted(row))
            params = []
            for name in names:
                value = row[name]
                convert = converters[name]
                params.append(convert(value) if convert is not None else value)
            params.append(pk)
            by_fields.setdefault(names, []).append(tuple(params))
        for names, params in by_fields.items():
            assignments = ", ".join(f"{quote(self.fields[name].column)} = %s" for name in names)
            _executemany(
                f"UPDATE {self.columns.table} SET {assignments} "  # noqa: S608 (identifiers from the model)
                f"WHERE {quote(self.model._meta.pk.column)} = %s",
                params,
            )
        self._history([pk for pk, _values in changes], "~")
        self.counts["updated"] += len(changes)

    def delete(self, ids: Sequence[int]) -> None:
        """Remove rows (team memberships), writing their "-" history rows first."""
        ids = list(ids)
        if not ids:
            return
        self._history(ids, "-")
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for start in range(0, len(ids), SELECT_CHUNK):
                chunk = ids[start : start + SELECT_CHUNK]
                cursor.execute(
                    f"DELETE FROM {self.columns.table} WHERE "  # noqa: S608 (identifiers from the model)
                    f"{quote(self.model._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
        self.counts["deleted"] += len(ids)
