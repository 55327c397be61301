"""The database layer: migrations equal the models, SQLite is configured for concurrency."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, text

from app.database import reset_begin_mode, set_read_only
from app.extensions import db
from tests.conftest import ON_POSTGRES


def test_migrations_produce_exactly_the_models_schema(app):
    """The test database was built by `flask db upgrade`; it must match the models."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_flask_db_check_reports_no_pending_changes(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite pragmas; this run is on PostgreSQL")


@sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@sqlite_only
def test_sqlite_file_itself_is_in_wal_mode_for_any_new_connection(app):
    path = db.engine.url.database
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


@contextmanager
def captured_sql() -> Iterator[list[str]]:
    statements: list[str] = []

    def capture(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)


@sqlite_only
def test_sqlite_requests_that_may_write_begin_immediate(client, make_user):
    """A second writer must wait at BEGIN, not fail half-way through its transaction."""
    email = make_user().email
    with captured_sql() as statements:
        client.post("/auth/login", data={"email": email, "password": "wrong password"})
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins[0] == "BEGIN IMMEDIATE", statements


@sqlite_only
def test_sqlite_read_only_requests_begin_deferred(client, make_user, login):
    login(client, make_user())
    with captured_sql() as statements:
        client.get("/portfolio/")
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins
    assert set(begins) == {"BEGIN DEFERRED"}


@sqlite_only
def test_commands_and_services_outside_requests_begin_immediate(app):
    mode = set_read_only(False)
    try:
        with captured_sql() as statements, db.engine.begin() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        reset_begin_mode(mode)
    assert statements[0] == "BEGIN IMMEDIATE"


@sqlite_only
def test_concurrent_sqlite_writers_both_succeed(app, make_org):
    """Two threads inserting at once: BEGIN IMMEDIATE plus the busy timeout serialise them."""
    from app.services.accounts import organisations

    errors: list[Exception] = []

    def create(name: str) -> None:
        with app.app_context():
            try:
                for i in range(10):
                    organisations.create_organisation(f"{name} {i}", "practice")
                    db.session.commit()
            except Exception as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=create, args=(n,)) for n in ("North", "South")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    count = db.session.execute(text("SELECT count(*) FROM organisations")).scalar()
    assert count == 20
