"""Online backup of the SQLite database and checking a copy before restoring it."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from tests.conftest import ON_POSTGRES

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite backup API; PostgreSQL uses pg_dump")


@sqlite_only
def test_backup_then_check_round_trip_keeps_every_row(runner, make_user, make_org, tmp_path):
    hub = make_org("Hub", "training-hub")
    for _ in range(3):
        make_user(org=hub)
    target = tmp_path / "copies" / "pcpt-backup.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    check = runner.invoke(args=["restore", str(target), "--check"])
    assert check.exit_code == 0, check.output
    counts = dict(line.split("\t") for line in check.output.splitlines() if "\t" in line)
    assert counts["users"] == "3"
    assert counts["organisations"] == "1"
    assert "audit chain intact (4 events)" in check.output  # 1 organisation + 3 users


@sqlite_only
def test_backup_refuses_to_overwrite_a_file(runner, tmp_path):
    target = tmp_path / "exists.sqlite3"
    target.write_text("keep me")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert target.read_text() == "keep me"


@sqlite_only
def test_check_finds_a_tampered_copy(runner, make_user, tmp_path):
    make_user()
    make_user()
    target = tmp_path / "copy.sqlite3"
    runner.invoke(args=["backup", str(target)])
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("DROP TRIGGER audit_events_no_update")
        conn.execute("UPDATE audit_events SET subject_id = '77' WHERE id = 2")
        conn.commit()
    result = runner.invoke(args=["restore", str(target), "--check"])
    assert result.exit_code == 1
    assert "audit chain broken at event 2" in result.output


def test_check_of_something_that_is_not_a_database_fails_in_one_line(runner, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    result = runner.invoke(args=["restore", str(junk), "--check"])
    assert result.exit_code == 1
    assert "not a readable SQLite database" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL guidance only shows on PostgreSQL")
def test_backup_on_postgresql_points_to_pg_dump(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "pg_dump" in result.output
