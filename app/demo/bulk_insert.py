"""Bulk inserts for large generated datasets: Core executemany, not the ORM row by row.

Rows are buffered per table with their primary keys already given (so children can
point at parents before anything is written) and written in batches, parents first.

On PostgreSQL the rows go in by COPY, which takes a table's batch in one round trip where
an executemany sends a statement per row, and each batch is copied on a worker thread
while the next one is generated: the server checks and indexes one batch while Python
builds the next, and the batches still go in one after another, in order. The id
sequences are moved past the given ids once everything is in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from psycopg import sql
from sqlalchemy import Column, Connection, Table, func, select, text

Converter = Callable[[Any], Any] | None
Batch = list[tuple[Table, list[dict]]]


class BulkWriter:
    """Buffers rows for `tables` (listed parents first) and writes them in that order."""

    def __init__(self, connection: Connection, tables: Iterable[Table], batch_rows: int = 20_000):
        self.connection = connection
        self.tables = list(tables)
        self.batch_rows = batch_rows
        self._buffers: dict[str, list[dict]] = {t.name: [] for t in self.tables}
        self._next_ids: dict[str, int] = {}
        self._buffered = 0
        self.written: dict[str, int] = dict.fromkeys(self._buffers, 0)
        # One worker, so batches are copied in the order they were flushed.
        self._copier = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-copy")
            if connection.dialect.name == "postgresql"
            else None
        )
        self._copying: Future[None] | None = None

    def next_id(self, table: Table) -> int:
        """A new primary key for `table`, after every id already in the database."""
        if table.name not in self._next_ids:
            highest = self.connection.scalar(select(func.max(table.c.id)))
            self._next_ids[table.name] = (highest or 0) + 1
        value = self._next_ids[table.name]
        self._next_ids[table.name] = value + 1
        return value

    def add(self, table: Table, row: dict) -> None:
        self._buffers[table.name].append(row)
        self._buffered += 1
        if self._buffered >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        """Send the buffered rows on: inserted now, or (on PostgreSQL) handed to the copier."""
        batch: Batch = []
        for table in self.tables:
            rows = self._buffers[table.name]
            if rows:
                batch.append((table, rows))
                self.written[table.name] += len(rows)
                self._buffers[table.name] = []
        self._buffered = 0
        if self._copier is None:
            for table, rows in batch:
                self.connection.execute(table.insert(), rows)
            return
        copies: Batch = []
        for table, rows in batch:
            if _copy_columns(table, rows[0]) is not None:
                copies.append((table, rows))
                continue
            # Only an INSERT applies Python-side defaults: it goes in on this thread, after
            # the parents copied before it.
            self._send(copies)
            copies = []
            self._wait()
            self.connection.execute(table.insert(), rows)
        self._send(copies)

    def _send(self, copies: Batch) -> None:
        """Copy these tables' rows on the worker, once the previous batch is in."""
        if copies and self._copier is not None:
            self._wait()
            self._copying = self._copier.submit(self._copy_batch, copies)

    def _wait(self) -> None:
        """Wait for the batch being copied; its error, if any, is raised here."""
        copying, self._copying = self._copying, None
        if copying is not None:
            copying.result()

    def _copy_batch(self, copies: Batch) -> None:
        for table, rows in copies:
            columns = _copy_columns(table, rows[0])
            assert columns is not None  # _send is given copyable tables only
            self._copy_rows(table, columns, rows)

    def _copy_rows(self, table: Table, columns: list[Column], rows: list[dict]) -> None:
        """COPY `rows` into `table` in the connection's transaction, each value converted
        by its column type's own bind processing, as an INSERT would have converted it
        (aware datetimes to UTC, JSON's None to a JSON null...). Only the driver's
        connection is used here: it takes its own lock, so a query the generating thread
        makes meanwhile waits for the copy to end."""
        dialect = self.connection.dialect
        converters: list[tuple[str, Converter]] = [
            (column.name, column.type.dialect_impl(dialect).bind_processor(dialect))
            for column in columns
        ]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name),
            sql.SQL(", ").join(sql.Identifier(name) for name, _ in converters),
        )
        with (
            self.connection.connection.driver_connection.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        row[name] if convert is None else convert(row[name])
                        for name, convert in converters
                    ]
                )

    def finish(self) -> dict[str, int]:
        """Write what is left, move PostgreSQL's sequences on; returns rows written per table."""
        self.flush()
        self._wait()
        if self._copier is not None:
            self._copier.shutdown()
        if self.connection.dialect.name == "postgresql":
            for table in self.tables:
                if table.name in self._next_ids:
                    highest = self.connection.scalar(select(func.max(table.c.id)))
                    self.connection.execute(
                        text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value)"),
                        {"table": table.name, "value": highest},
                    )
        return dict(self.written)


def _copy_columns(table: Table, row: dict) -> list[Column] | None:
    """The columns a COPY of rows like `row` fills, in the table's order; None when a column
    the rows leave out has a default computed in Python, which only an INSERT would apply
    (a server default applies to COPY as to INSERT)."""
    if any(column.default is not None for column in table.columns if column.name not in row):
        return None
    return [column for column in table.columns if column.name in row]
