"""Consistent online copies of the SQLite database, and checks that a copy is sound.

PostgreSQL deployments use `pg_dump` (see the README); this module covers the
embedded SQLite default.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Base
from app.services.audit.chain import verify_chain
from app.services.errors import DomainError

PG_GUIDANCE = (
    "backups of PostgreSQL are taken with pg_dump, e.g. "
    'pg_dump --format=custom --file=pcpt.dump "$DATABASE_URL" (see the README)'
)


@dataclass
class BackupCheck:
    integrity: str
    row_counts: dict[str, int] = field(default_factory=dict)
    audit_events: int = 0
    audit_problem: str | None = None

    @property
    def sound(self) -> bool:
        return self.integrity == "ok" and self.audit_problem is None


def _sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise DomainError(
            PG_GUIDANCE
            if url.get_backend_name() == "postgresql"
            else "only a SQLite file database can be copied with this command"
        )
    return Path(url.database)


def backup_to(target: Path) -> Path:
    """Copy the live database to `target` with SQLite's online backup API (writers may go on)."""
    source = _sqlite_path()
    if target.exists():
        raise DomainError(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    return target


def check_copy(path: Path) -> BackupCheck:
    """Integrity check, row counts per table and the audit chain of a database copy."""
    if not path.is_file():
        raise DomainError(f"{path} is not a file")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise DomainError(f"{path} is not a readable SQLite database ({exc})") from None
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with Session(engine) as session:
            counts = {
                table.name: session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }
            report = verify_chain(session=session)
    finally:
        engine.dispose()
    return BackupCheck(
        integrity=integrity,
        row_counts=counts,
        audit_events=report.checked,
        audit_problem=None if report.intact else f"event {report.first_bad_id}: {report.reason}",
    )
