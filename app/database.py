"""Engine set-up: SQLite pragmas and write transactions that take the lock up front.

SQLite's default deferred transactions upgrade to a write lock mid-way, which fails
with "database is locked" under concurrent writers. Writes therefore start with
BEGIN IMMEDIATE; requests that cannot write (GET, HEAD) use a deferred BEGIN so
readers never queue behind each other in WAL mode.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from flask import stream_with_context
from sqlalchemy import Connection, Engine, Integer, Select, event, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000

_begin_mode: ContextVar[str] = ContextVar("sqlite_begin_mode", default="IMMEDIATE")


@contextmanager
def read_only_transactions() -> Iterator[None]:
    """Start SQLite transactions DEFERRED within this block (for requests that only read)."""
    token = _begin_mode.set("DEFERRED")
    try:
        yield
    finally:
        _begin_mode.reset(token)


T = TypeVar("T")


def streamed_reads(chunks: Iterator[T]) -> Iterator[T]:
    """A response body that reads the database while it is sent (an export too large to
    build first).

    A server sends the body after the request has ended: its session is closed and its
    read-only setting undone. The body runs in the request's context pushed again, so it
    gets a session of its own (closed when the body ends), and it reads in a read-only
    transaction: a slow download must not hold SQLite's write lock that every sign-in and
    save waits for. Objects loaded by the request are detached by then: the body may read
    their loaded columns, never load more through them.
    """

    def read_only() -> Iterator[T]:
        with read_only_transactions():
            yield from chunks

    return stream_with_context(read_only())


def set_read_only(read_only: bool) -> object:
    return _begin_mode.set("DEFERRED" if read_only else "IMMEDIATE")


def reset_begin_mode(token: object) -> None:
    _begin_mode.reset(token)  # type: ignore[arg-type]


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql(f"BEGIN {_begin_mode.get()}")


@contextmanager
def session_on(connection: Connection) -> Iterator[None]:
    """Point the app's scoped session at a session on `connection` meanwhile: a
    migration's, whose new tables no other connection sees yet (a migration that fills
    derived data by the app's own rules runs them through this)."""
    from app.extensions import db

    registry = db.session.registry
    previous = registry() if registry.has() else None
    with Session(bind=connection) as session:
        registry.set(session)
        try:
            yield
        finally:
            if previous is None:
                registry.clear()
            else:
                registry.set(previous)


def _upsert(model: type, key: Sequence[str], names: Sequence[str], selected: Select | None = None):
    """INSERT (of values, or of `selected`'s rows) ON CONFLICT DO UPDATE, in the dialect
    in hand: each row replaces the one with its `key` columns, if there is one."""
    from app.extensions import db

    dialect = db.session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
    if selected is not None:
        statement = statement.from_select(list(names), selected)
    return statement.on_conflict_do_update(
        index_elements=[getattr(model, column) for column in key],
        set_={c: statement.excluded[c] for c in names if c not in key},
    )


def upsert_rows(model: type, key: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Write `rows` of `model` (one statement), each replacing the row with its `key`
    columns if there is one."""
    from app.extensions import db

    if rows:
        db.session.execute(_upsert(model, key, list(rows[0])), rows)


def upsert_selected(model: type, key: Sequence[str], names: Sequence[str], rows: Select) -> None:
    """Write the rows `rows` selects, as `model`'s columns `names` (one statement), each
    replacing the row with its `key` columns if there is one. `rows` needs a WHERE
    clause: SQLite cannot otherwise tell a join's ON from the upsert's ON CONFLICT."""
    from app.extensions import db

    db.session.execute(_upsert(model, key, names, rows))


def id_list(ids: Sequence[int]) -> Select:
    """A batch's ids as a subquery bound as ONE parameter (a PostgreSQL array, a JSON
    array on SQLite), for `column.in_(...)`: a literal IN list of a thousand parameters
    costs more to compile and send than the query it filters takes to run."""
    from app.extensions import db

    if db.session.get_bind().dialect.name == "postgresql":
        return select(func.unnest(literal(list(ids), postgresql.ARRAY(Integer))))
    return select(func.json_each(json.dumps(list(ids))).table_valued("value").c.value)
