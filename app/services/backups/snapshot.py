"""Reading one consistent state of the database: what a backup records about it and what a
check compares. The same questions are asked of the live database inside the backup's
snapshot, of a SQLite copy, and of a PostgreSQL dump read without a server."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.orm import Session

from app.models import Base
from app.models.audit import AuditEvent
from app.services.audit.chain import ChainReport, verify_chain, verify_events
from app.services.backups import postgres

AUDIT_TABLE = AuditEvent.__tablename__
AUDIT_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "data",
    "prev_hash",
    "hash",
)


class Snapshot(Protocol):
    def row_counts(self) -> dict[str, int]: ...

    def rows(self, table: str, columns: tuple[str, ...]) -> Iterator[tuple]: ...

    def audit_report(self) -> ChainReport: ...


@dataclass
class FileReference:
    """A stored key some row points at, the digest recorded with it (when there is one)."""

    key: str
    sha256: str | None
    referenced_by: list[str] = field(default_factory=list)


def key_columns() -> list[tuple[str, str, str | None]]:
    """(table, key column, digest column or None) for every column that holds a storage key.

    Any column named `storage_key` or `..._storage_key` counts, with its sibling
    `sha256` / `..._sha256` as the recorded digest, plus what features registered with
    the storage sweep.
    """
    found: dict[tuple[str, str], str | None] = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if column.name == "storage_key" or column.name.endswith("_storage_key"):
                digest = column.name.replace("storage_key", "sha256")
                found[(table.name, column.name)] = digest if digest in table.columns else None
    for table_name, column_name in _registered_key_columns():
        found.setdefault((table_name, column_name), None)
    return [(t, c, d) for (t, c), d in sorted(found.items())]


def _registered_key_columns() -> list[tuple[str, str]]:
    """The columns features registered with the storage sweep (`register_key_column`)."""
    try:
        from app.services.storage import sweep
    except ImportError:  # a tree without the sweep: the naming rule above covers the rest
        return []
    registered = getattr(sweep, "_KEY_COLUMNS", {})
    found = []
    for columns in registered.values():
        for attribute in columns:
            column = getattr(attribute, "expression", attribute)
            found.append((column.table.name, column.name))
    return found


def file_references(snapshot: Snapshot) -> dict[str, FileReference]:
    """Every stored key the snapshot's rows point at.

    A row whose key column has a digest column beside it, still empty, names a file that
    is being written (an export in progress): it is left out, as it is not complete.
    """
    counts = snapshot.row_counts()
    found: dict[str, FileReference] = {}
    for table, column, digest in key_columns():
        if table not in counts:
            continue
        columns = (column, digest) if digest else (column,)
        for row in snapshot.rows(table, columns):
            key = row[0]
            if not key or (digest and row[1] is None):
                continue
            reference = found.setdefault(key, FileReference(key, row[1] if digest else None))
            reference.referenced_by.append(f"{table}.{column}")
    return found


class SqlSnapshot:
    """A database reached through SQLAlchemy: the live one (inside the backup's
    transaction), a SQLite copy, or a restored target."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._counts: dict[str, int] | None = None

    def row_counts(self) -> dict[str, int]:
        if self._counts is None:
            names = sorted(inspect(self.connection).get_table_names())
            self._counts = {
                name: int(
                    self.connection.execute(
                        select(func.count()).select_from(sa.table(name))
                    ).scalar()
                    or 0
                )
                for name in names
            }
        return self._counts

    def rows(self, name: str, columns: tuple[str, ...]) -> Iterator[tuple]:
        query = select(*(sa.column(c) for c in columns)).select_from(sa.table(name))
        yield from self.connection.execute(query)

    def audit_report(self) -> ChainReport:
        with Session(bind=self.connection) as session:
            return verify_chain(session=session)


class DumpSnapshot:
    """A `pg_dump --format=custom` file, read through `pg_restore` without a server."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._counts: dict[str, int] | None = None

    def row_counts(self) -> dict[str, int]:
        if self._counts is None:
            counts: dict[str, int] = {}
            for table, _, line in postgres.dump_tables(self.path):
                counts[table] = counts.get(table, 0) + (line is not None)
            self._counts = dict(sorted(counts.items()))
        return self._counts

    def rows(self, table: str, columns: tuple[str, ...]) -> Iterator[tuple]:
        for _, names, line in postgres.dump_tables(self.path, table):
            if line is None:
                continue
            values = dict(zip(names, line.split("\t"), strict=True))
            yield tuple(postgres.copy_field(values[c]) for c in columns)

    def audit_report(self) -> ChainReport:
        events = (_event(row) for row in self.rows(AUDIT_TABLE, AUDIT_COLUMNS))
        return verify_events(in_id_order(events))


def in_id_order(events: Iterable[AuditEvent]) -> Iterator[AuditEvent]:
    """A dump's events in id order. A dump holds a table's rows in the order they lie on
    disk, which is the order they were written until a vacuum frees space (a rolled-back
    insert's) that a later row fills. An event read before its turn waits for it, so
    memory holds only the events out of place; those still waiting at the end (after a
    missing one) follow in id order, for the check to name the gap."""
    waiting: dict[int, AuditEvent] = {}
    turn = 1
    for event in events:
        waiting[event.id] = event
        while turn in waiting:
            yield waiting.pop(turn)
            turn += 1
    yield from (waiting[key] for key in sorted(waiting))


def _event(row: tuple) -> AuditEvent:
    values = dict(zip(AUDIT_COLUMNS, row, strict=True))
    return AuditEvent(
        id=int(values["id"]),
        at=datetime.fromisoformat(values["at"]).astimezone(UTC),
        actor_id=None if values["actor_id"] is None else int(values["actor_id"]),
        action=values["action"],
        subject_type=values["subject_type"],
        subject_id=values["subject_id"],
        data=json.loads(values["data"]) if values["data"] is not None else None,
        prev_hash=values["prev_hash"],
        hash=values["hash"],
    )
