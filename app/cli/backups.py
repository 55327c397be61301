"""Whole-service backups: `backup PATH`, `restore PATH --check`, `restore PATH --into URL`
(the archive is described in app/services/backups)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli.common import fails_cleanly
from app.extensions import db
from app.services.errors import DomainError
from app.services.storage.sizes import describe_size
from app.services.storage.store import (
    StorageConfigError,
    StorageError,
    current_storage,
    open_storage,
)


@contextmanager
def _plainly() -> Iterator[None]:
    """A file or a store that fails (disk full, no permission, store unreachable) as one line."""
    try:
        yield
    except StorageError as error:
        raise DomainError(f"storage: {error}") from None
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        raise DomainError(f"{where}{error.strerror or error}") from None


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@fails_cleanly
def backup_command(path: Path) -> None:
    """Write one archive (tar) with the database and every stored file its rows name, then
    read it back with the same checks as `restore --check`."""
    from app.services.backups import archive, checks

    with _plainly():
        summary = archive.backup_to(path, db.engine, current_storage())
        db.session.rollback()
        try:
            with checks.checked_archive(path):
                pass
        except checks.ArchiveProblem as problem:
            raise DomainError(
                f"the archive at {path} was written but fails its check: {problem}"
            ) from None
    click.echo(
        f"backed up to {summary.path}: {summary.backend} database, {summary.tables} tables, "
        f"{summary.rows} rows, {summary.files} files ({describe_size(summary.file_bytes)}), "
        f"{summary.audit_events} audit events; read back and checked"
    )


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--check", "check_only", is_flag=True, help="verify the archive; change nothing")
@click.option(
    "--into",
    "database_url",
    default=None,
    help="restore into this empty database (sqlite:///file or postgresql://...)",
)
@click.option(
    "--storage",
    "storage_url",
    default=None,
    help="empty storage for the files (s3://bucket/prefix or file:///folder); "
    "the app's configured storage when not given",
)
@with_appcontext
@fails_cleanly
def restore_command(
    path: Path, check_only: bool, database_url: str | None, storage_url: str | None
) -> None:
    """Check a backup archive, or restore it into an empty database and storage."""
    from app.services.backups import checks, restore

    if check_only == (database_url is not None):
        raise DomainError("give either --check, or --into DATABASE_URL (which checks first)")
    if check_only:
        with _plainly(), checks.checked_archive(path) as archive:
            click.echo(f"archive is good: {archive.describe()}")
        return
    try:
        storage = open_storage(storage_url) if storage_url else current_storage()
    except StorageConfigError as error:
        raise DomainError(f"--storage: {error}") from None
    with _plainly():
        summary = restore.restore_into(path, database_url, storage)
    click.echo(
        f"restored {path} into {summary.target} and {summary.storage}: {summary.tables} "
        f"tables, {summary.rows} rows, {summary.files} files, audit chain intact "
        f"({summary.audit_events} events)"
    )
