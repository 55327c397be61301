"""Restoring a checked archive into an empty database and an empty storage.

Nothing is written until the archive has passed every check and both targets are found
empty. The files go first and the database second, so a database is never there without
its files; if loading the database fails, the files just written are deleted again, and
the database load itself is all or nothing (one SQLite file put in place, or
`pg_restore --single-transaction`).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from app.services.backups import postgres
from app.services.backups.checks import (
    ArchiveProblem,
    CheckedArchive,
    checked_archive,
    compare_counts,
)
from app.services.backups.snapshot import SqlSnapshot
from app.services.errors import DomainError
from app.services.storage.store import Storage, StorageError


@dataclass(frozen=True)
class RestoreSummary:
    target: str  # the database URL without its password
    storage: str
    tables: int
    rows: int
    files: int
    audit_events: int


def restore_into(path: Path, database_url: str, storage: Storage) -> RestoreSummary:
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise DomainError(
            "--into needs a database URL such as sqlite:///path or postgresql://..."
        ) from None
    shown = url.render_as_string(hide_password=True)
    with checked_archive(path) as archive:
        backend = url.get_backend_name()
        if backend != archive.backend:
            raise DomainError(
                f"the archive holds a {archive.backend} database; restore it into a "
                f"{archive.backend} database, not {backend}"
            )
        engine = _target_engine(url)
        try:
            _refuse_unless_empty(engine, shown, storage)
            written = _put_files(archive, storage)
            try:
                _load_database(engine, archive)
            except BaseException:
                for key in written:
                    storage.delete(key)
                raise
            _check_target(engine, archive)
        finally:
            engine.dispose()
        return RestoreSummary(
            shown,
            storage.describe(),
            archive.tables,
            archive.rows,
            len(written),
            archive.audit_events,
        )


def _target_engine(url) -> Engine:
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DomainError("restore into a SQLite file: --into sqlite:///path/to/file.sqlite3")
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        return create_engine(url)
    except (ArgumentError, ImportError) as error:
        raise DomainError(
            f"cannot use {url.render_as_string(hide_password=True)}: {error}"
        ) from None


def _refuse_unless_empty(engine: Engine, shown: str, storage: Storage) -> None:
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise DomainError(f"cannot reach the target database {shown}: {reason}") from None
    if tables:
        raise DomainError(
            f"the target database {shown} is not empty ({len(tables)} tables): "
            "restore needs a new, empty database; nothing was changed"
        )
    try:
        stored = next(iter(storage.iter_keys()), None)
    except StorageError as error:
        raise DomainError(f"cannot reach the target storage: {error}") from None
    if stored is not None:
        raise DomainError(
            f"the target storage ({storage.describe()}) already holds files: "
            "restore needs empty storage; nothing was changed"
        )


def _put_files(archive: CheckedArchive, storage: Storage) -> list[str]:
    written: list[str] = []
    try:
        for key, entry in sorted(archive.files.items()):
            stream = archive.tar.extractfile(entry["member"])
            with stream:  # type: ignore[union-attr]
                storage.put(key, stream)  # type: ignore[arg-type]
            written.append(key)
    except (StorageError, OSError) as error:
        for key in written:
            storage.delete(key)
        raise DomainError(f"writing the files to {storage.describe()} failed: {error}") from None
    return written


def _load_database(engine: Engine, archive: CheckedArchive) -> None:
    if archive.backend == "postgresql":
        postgres.restore(engine.url, archive.database_copy)
        return
    source = closing(sqlite3.connect(archive.database_copy))
    with source as copy, closing(sqlite3.connect(engine.url.database)) as target:
        copy.backup(target)


def _check_target(engine: Engine, archive: CheckedArchive) -> None:
    """Read the restored database back: the same rows per table, the chain intact."""
    with engine.connect() as connection:
        snapshot = SqlSnapshot(connection)
        try:
            compare_counts(
                snapshot.row_counts(), archive.manifest["row_counts"], "the restored database"
            )
        except ArchiveProblem as problem:
            raise DomainError(
                f"the restore finished but does not match the archive: {problem}"
            ) from None
        report = snapshot.audit_report()
    if not report.intact or report.checked != archive.audit_events:
        raise DomainError("the restore finished but its audit chain does not verify")
