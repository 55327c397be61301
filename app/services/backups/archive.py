"""Writing a backup archive (the format is described in the package's docstring)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine, create_engine, text

from app.models.base import utcnow
from app.services.backups import postgres
from app.services.backups.snapshot import FileReference, Snapshot, SqlSnapshot, file_references
from app.services.errors import DomainError
from app.services.storage.store import Storage, StorageError, key_location

FORMAT = "pcpt-backup/1"
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/pcpt.sqlite3", "postgresql": "database/pcpt.pgdump"}
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    backend: str
    tables: int
    rows: int
    files: int
    file_bytes: int
    audit_events: int


def file_member(key: str) -> str:
    return f"files/{key_location(key)}"


def sha256_of(stream: BinaryIO, out: BinaryIO | None = None) -> tuple[str, int]:
    """Digest and size of a stream, copied to `out` on the way when given."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return digest.hexdigest(), size


def backup_to(target: Path, engine: Engine, storage: Storage) -> BackupSummary:
    """Write the archive to `target` (which must not exist yet); nothing is left on failure.

    It is written beside the target as `<name>.partial` and renamed when complete, so a
    file under the target name is always a whole archive.
    """
    if target.exists():
        raise DomainError(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
            summary = _write(partial, Path(work), engine, storage)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(target, *summary)


def _write(partial: Path, work: Path, engine: Engine, storage: Storage):
    backend = engine.url.get_backend_name()
    if backend not in DATABASE_MEMBERS:
        raise DomainError(f"backups cover SQLite and PostgreSQL, not {backend}")
    database_member = DATABASE_MEMBERS[backend]
    copy = work / Path(database_member).name
    members: dict[str, dict] = {}
    files: dict[str, dict] = {}
    with tarfile.open(partial, "x", format=tarfile.PAX_FORMAT) as tar:
        with _database_copy(engine, copy) as snapshot:
            counts = snapshot.row_counts()
            revision = _schema_revision(snapshot, counts)
            report = snapshot.audit_report()
            if not report.intact:
                raise DomainError(
                    f"the audit chain is broken at event {report.first_bad_id} "
                    f"({report.reason}); run `flask audit verify` and resolve it first"
                )
            for key, reference in sorted(file_references(snapshot).items()):
                members[file_member(key)] = _add_stored_file(tar, storage, reference, work)
                files[key] = {"member": file_member(key), "referenced_by": reference.referenced_by}
        members[database_member] = _add_path(tar, database_member, copy)
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(timespec="seconds"),
            "schema_revision": revision,
            "database": {"backend": backend, "member": database_member},
            "members": dict(sorted(members.items())),
            "row_counts": counts,
            "audit": {"events": report.checked, "head_hash": report.head_hash},
            "files": files,
        }
        body = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        info.mode = 0o640
        info.mtime = int(utcnow().timestamp())
        tar.addfile(info, io.BytesIO(body))
    file_bytes = sum(entry["size"] for name, entry in members.items() if name != database_member)
    return backend, len(counts), sum(counts.values()), len(files), file_bytes, report.checked


def _schema_revision(snapshot: Snapshot, counts: dict[str, int]) -> str | None:
    if "alembic_version" not in counts:
        return None
    return next((row[0] for row in snapshot.rows("alembic_version", ("version_num",))), None)


@contextmanager
def _database_copy(engine: Engine, copy: Path) -> Iterator[Snapshot]:
    """Copy the database to `copy` and give the snapshot the copy holds."""
    if engine.url.get_backend_name() == "sqlite":
        source = engine.url.database
        if not source or source == ":memory:":
            raise DomainError("only a SQLite file database can be backed up")
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(copy)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        copied = create_engine(f"sqlite:///file:{copy}?mode=ro&uri=true")
        try:
            with copied.connect() as connection:
                yield SqlSnapshot(connection)
        finally:
            copied.dispose()
        return
    # PostgreSQL: pg_dump reads the snapshot this transaction exports, so the dump, the
    # counts and the list of files all describe the same moment.
    repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with repeatable as connection, connection.begin():
        snapshot_id = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        postgres.dump(engine.url, copy, snapshot_id)
        yield SqlSnapshot(connection)


def _add_stored_file(
    tar: tarfile.TarFile, storage: Storage, reference: FileReference, work: Path
) -> dict:
    """Copy one stored file into the archive, checked against the digest its row records."""
    where = f"stored file {reference.key} ({', '.join(reference.referenced_by)})"
    spool = work / "file.part"
    try:
        with storage.open(reference.key) as stream, spool.open("wb") as out:
            digest, size = sha256_of(stream, out)
    except FileNotFoundError:
        raise DomainError(f"{where} is missing from {storage.describe()}") from None
    except StorageError as error:
        raise DomainError(f"{where} cannot be read: {error}") from None
    if reference.sha256 and reference.sha256 != digest:
        raise DomainError(f"{where} does not match the sha256 its record holds")
    entry = _add_path(tar, file_member(reference.key), spool, digest=(digest, size))
    spool.unlink()
    return entry


def _add_path(
    tar: tarfile.TarFile, name: str, path: Path, digest: tuple[str, int] | None = None
) -> dict:
    if digest is None:
        with path.open("rb") as handle:
            digest = sha256_of(handle)
    info = tarfile.TarInfo(name)
    info.size = digest[1]
    info.mode = 0o640
    info.mtime = int(utcnow().timestamp())
    with path.open("rb") as handle:
        tar.addfile(info, handle)
    return {"sha256": digest[0], "size": digest[1]}


def copy_member(tar: tarfile.TarFile, name: str, target: Path) -> None:
    source = tar.extractfile(name)
    if source is None:
        raise DomainError(f"{name} in the archive is not a file")
    with source, target.open("wb") as out:
        shutil.copyfileobj(source, out, CHUNK)
