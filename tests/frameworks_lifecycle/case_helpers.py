"""Helpers of the CASE tests: a step run in an empty database (to import a package where
its framework has never been), the address packages are exported with, and the files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import current_app

from app.extensions import db
from tests.conftest import ON_POSTGRES, ROOT, _app_for, _empty_postgres_tables

NCF, NCF_31 = ROOT / "frameworks" / "ncf-pcpt-3.yaml", ROOT / "frameworks" / "ncf-pcpt-3.1.yaml"
FOREIGN = ROOT / "tests" / "frameworks_lifecycle" / "files" / "case-foreign.json"


def base_url() -> str:
    return current_app.config["BASE_URL"]


@pytest.fixture
def fresh_database(app, migrated_database: str, tmp_path: Path):
    """Runs a step against an empty, migrated database: on SQLite a second copy of the
    migrated template, on PostgreSQL the test's own database with every table emptied."""

    def run(step):
        db.session.commit()
        if ON_POSTGRES:
            db.session.remove()
            _empty_postgres_tables(app)
            return step()
        copy = tmp_path / "fresh.sqlite3"
        shutil.copyfile(migrated_database, copy)
        second = _app_for(f"sqlite:///{copy}", tmp_path / "fresh")
        with second.app_context():
            try:
                return step()
            finally:
                db.session.remove()
                db.engine.dispose()

    return run
