"""Writing millions of rows: plain values straight into a model's table, and the database tuned while it loads.

`bulk_create` spends most of its time per value (pre_save, get_db_prep_save, building one SQL string per batch):
about 70% of a 100,000-ticket seed. `Table` skips that: rows are dicts of database-ready values (ints, plain strings,
naive UTC datetimes, dates) and go in with one prepared INSERT and `executemany` on SQLite, or `COPY ... FROM STDIN`
on PostgreSQL. Both are ordinary inserts: row triggers fire (SQLite runs every trigger per row; PostgreSQL fires
row-level triggers for COPY), constraints are checked, nothing is disabled.

Every concrete column the caller does not give gets the field's default (or NULL where allowed), worked out once, so
a column added to a model later does not break the loader; a new required column without a default fails loudly.
Generated columns and columns with a database default are left to the database.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Iterator, Sequence

from django.core.management.color import no_style
from django.db import OperationalError, connection, models
from django.db.models import Max
from django.db.models.fields import NOT_PROVIDED

# SQLite's page cache while loading (KiB, negative = size rather than pages): the indexes of a million tickets fit.
SQLITE_LOAD_CACHE_KIB = 1024 * 1024


class Table:
    """One table written in bulk; `names` are the attnames every row dict carries."""

    def __init__(self, model: type[models.Model], names: Sequence[str]):
        self.model = model
        fields = [
            f
            for f in model._meta.concrete_fields
            if not getattr(f, "generated", False) and getattr(f, "db_default", NOT_PROVIDED) is NOT_PROVIDED
        ]
        by_name = {f.attname: f for f in fields}
        unknown = [name for name in names if name not in by_name]
        if unknown:
            raise ValueError(f"{model.__name__} has no column for {unknown}")
        fixed = []
        for field in fields:
            if field.attname in names or (field.primary_key and getattr(field, "db_returning", False)):
                continue  # given, or an automatic key the database hands out
            value = field.get_db_prep_save(field.get_default(), connection)
            if value is None and not field.null:
                raise ValueError(f"{model.__name__}.{field.attname} needs a value: it has no default")
            fixed.append((field.column, value))
        self.columns = [by_name[name].column for name in names] + [column for column, _ in fixed]
        self.fixed = tuple(value for _, value in fixed)
        self.getter = operator.itemgetter(*names)
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(model._meta.db_table)
        if connection.vendor == "postgresql":
            self.sql = f"COPY {table} ({quoted}) FROM STDIN"
        else:
            self.sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(self.columns))})"
        self.written = 0

    def write(self, rows: Sequence[dict]) -> None:
        if not rows:
            return
        getter, fixed = self.getter, self.fixed
        values = [getter(row) + fixed for row in rows]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(self.sql) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, values)
        self.written += len(rows)


def next_id(model: type[models.Model]) -> int:
    """The first free primary key: rows written here carry their own keys (no RETURNING needed to link them)."""
    pk = model._meta.pk.attname
    return (model._default_manager.aggregate(top=Max(pk))["top"] or 0) + 1


def reset_sequences(models_: Sequence[type[models.Model]]) -> None:
    """PostgreSQL: move each identity sequence past the keys written by hand, so the next ordinary insert fits."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _pragma(cursor, name: str) -> str:
    cursor.execute(f"PRAGMA {name}")
    return str(cursor.fetchone()[0])


@contextlib.contextmanager
def tuned_for_loading(log=lambda message: None) -> Iterator[None]:
    """SQLite: no sync to disk, a rollback journal in memory and a large page cache while loading; the previous
    settings come back afterwards, also on failure. (Rows appended to a fresh table need almost no journal, and a
    failed load can still roll back, which `journal_mode=OFF` could not.) Inside a caller's transaction (tests)
    SQLite cannot change its journal, so nothing changes there. PostgreSQL: commits without waiting for the disk
    in this session; that is safe for a load (a crash loses the last commits, never consistency)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            before = cursor.fetchone()[0]
            cursor.execute("SET synchronous_commit = off")
        log(f"PostgreSQL: commits without waiting for the disk while loading (was synchronous_commit={before})")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('synchronous_commit', %s, false)", [before])
        return
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        before = {name: _pragma(cursor, name) for name in ("journal_mode", "synchronous", "cache_size", "temp_store")}
        journal = "journal in memory"
        try:
            cursor.execute("PRAGMA journal_mode=MEMORY")
        except OperationalError:
            # Leaving WAL needs the only connection to the file; with another open (a running server), keep WAL.
            journal = f"journal kept ({before['journal_mode']}: another connection is open)"
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_LOAD_CACHE_KIB}")
        cursor.execute("PRAGMA temp_store=MEMORY")
    log(f"SQLite tuned for loading: {journal}, synchronous off, 1 GiB cache")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in ("synchronous", "cache_size", "temp_store"):
                cursor.execute(f"PRAGMA {name}={before[name]}")
            with contextlib.suppress(OperationalError):  # unchanged above when another connection was open
                cursor.execute(f"PRAGMA journal_mode={before['journal_mode']}")
            restored = _pragma(cursor, "journal_mode")
        log(f"SQLite settings restored (journal_mode={restored}, synchronous={before['synchronous']})")
