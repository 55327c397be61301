"""Bulk inserts for large generated datasets: Core executemany, not the ORM row by row.

Rows are buffered per table with their primary keys already given (so children can
point at parents before anything is written) and written in batches, parents first.
On PostgreSQL the id sequences are moved past the given ids once everything is in.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Table, func, select, text


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
        for table in self.tables:
            rows = self._buffers[table.name]
            if rows:
                self.connection.execute(table.insert(), rows)
                self.written[table.name] += len(rows)
                self._buffers[table.name] = []
        self._buffered = 0

    def finish(self) -> dict[str, int]:
        """Write what is left, move PostgreSQL's sequences on; returns rows written per table."""
        self.flush()
        if self.connection.dialect.name == "postgresql":
            for table in self.tables:
                if table.name in self._next_ids:
                    highest = self.connection.scalar(select(func.max(table.c.id)))
                    self.connection.execute(
                        text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value)"),
                        {"table": table.name, "value": highest},
                    )
        return dict(self.written)
