"""Checking a backup archive before anyone relies on it (`flask restore PATH --check`).

In order, stopping at the first problem: the archive is a tar file with a manifest of
this format; every member is listed with the digest and size it has, and nothing else is
in it; the database copy reads whole; each table holds the rows the manifest counted;
the audit chain verifies and ends at the manifest's head; every stored file a row points
at is in the archive with the sha256 its row recorded.
"""

from __future__ import annotations

import json
import sqlite3
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine

from app.services.backups.archive import DATABASE_MEMBERS, FORMAT, MANIFEST, copy_member, sha256_of
from app.services.backups.snapshot import DumpSnapshot, Snapshot, SqlSnapshot, file_references
from app.services.errors import DomainError
from app.services.storage.sizes import describe_size


class ArchiveProblem(DomainError):
    """The archive is not one to restore from; the message names the first problem."""


@dataclass(frozen=True)
class CheckedArchive:
    path: Path
    tar: tarfile.TarFile
    manifest: dict
    database_copy: Path  # extracted, for the restore to load
    tables: int
    rows: int
    audit_events: int

    @property
    def backend(self) -> str:
        return self.manifest["database"]["backend"]

    @property
    def files(self) -> dict[str, dict]:
        return self.manifest["files"]

    def describe(self) -> str:
        file_bytes = sum(
            entry["size"]
            for name, entry in self.manifest["members"].items()
            if name.startswith("files/")
        )
        return (
            f"{self.backend} database, {self.tables} tables, {self.rows} rows, "
            f"{len(self.files)} files ({describe_size(file_bytes)}), "
            f"audit chain intact ({self.audit_events} events)"
        )


@contextmanager
def checked_archive(path: Path) -> Iterator[CheckedArchive]:
    """Check the archive at `path` (ArchiveProblem on the first problem) and give it open,
    with its database copy extracted to a temporary folder for as long as it is used."""
    if not path.is_file():
        raise ArchiveProblem(f"{path} is not a file")
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115 (closed by the `with` below)
    except (tarfile.TarError, OSError):
        raise ArchiveProblem(
            f"{path} is not a backup archive (not a tar file made by `flask backup`)"
        ) from None
    with tar, tempfile.TemporaryDirectory(prefix="pcpt-restore-") as work:
        manifest = _manifest(path, tar)
        _check_members(tar, manifest)
        backend = manifest["database"]["backend"]
        copy = Path(work) / Path(DATABASE_MEMBERS[backend]).name
        copy_member(tar, DATABASE_MEMBERS[backend], copy)
        with _snapshot(backend, copy) as snapshot:
            counts = _check_counts(snapshot, manifest)
            events = _check_audit(snapshot, manifest)
            _check_files(snapshot, manifest)
        yield CheckedArchive(path, tar, manifest, copy, len(counts), sum(counts.values()), events)


def _manifest(path: Path, tar: tarfile.TarFile) -> dict:
    names = tar.getnames()
    repeated = [name for name, n in Counter(names).items() if n > 1]
    if repeated:
        raise ArchiveProblem(f"{repeated[0]} appears more than once in the archive")
    if MANIFEST not in names:
        raise ArchiveProblem(f"{path} has no {MANIFEST}: not a backup archive")
    try:
        manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
        backend = manifest["database"]["backend"]
        ok = (
            manifest["format"] == FORMAT
            and manifest["database"]["member"] == DATABASE_MEMBERS[backend]
            and all(isinstance(manifest[k], dict) for k in ("members", "row_counts", "files"))
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise ArchiveProblem(f"{MANIFEST} is not a {FORMAT} manifest")
    return manifest


def _check_members(tar: tarfile.TarFile, manifest: dict) -> None:
    listed: dict[str, dict] = manifest["members"]
    for member in tar.getmembers():
        if member.name != MANIFEST and member.name not in listed:
            raise ArchiveProblem(f"{member.name} is in the archive but not in its manifest")
        if not member.isfile():
            raise ArchiveProblem(f"{member.name} in the archive is not a regular file")
    for name, entry in listed.items():
        try:
            stream = tar.extractfile(name)
        except KeyError:
            raise ArchiveProblem(
                f"{name} is in the manifest but missing from the archive"
            ) from None
        with stream:  # type: ignore[union-attr]
            digest, size = sha256_of(stream)  # type: ignore[arg-type]
        if (digest, size) != (entry.get("sha256"), entry.get("size")):
            raise ArchiveProblem(
                f"{name} does not match its sha256 in the manifest (changed or damaged)"
            )


@contextmanager
def _snapshot(backend: str, copy: Path) -> Iterator[Snapshot]:
    if backend == "postgresql":
        yield DumpSnapshot(copy)
        return
    try:
        with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ArchiveProblem(
            f"the database copy is not a readable SQLite database ({exc})"
        ) from None
    if integrity != "ok":
        raise ArchiveProblem(f"the database copy fails SQLite's integrity check: {integrity}")
    engine = create_engine(f"sqlite:///file:{copy}?mode=ro&uri=true")
    try:
        with engine.connect() as connection:
            yield SqlSnapshot(connection)
    finally:
        engine.dispose()


def _check_counts(snapshot: Snapshot, manifest: dict) -> dict[str, int]:
    return compare_counts(
        snapshot.row_counts(), manifest["row_counts"], "the database in the archive"
    )


def compare_counts(found: dict[str, int], expected: dict[str, int], where: str) -> dict[str, int]:
    for table in sorted(set(found) | set(expected)):
        if table not in found:
            raise ArchiveProblem(f"table {table} is in the manifest but not in {where}")
        if table not in expected:
            raise ArchiveProblem(f"table {table} is in {where} but not in the manifest")
        if found[table] != expected[table]:
            raise ArchiveProblem(
                f"row count of {table}: the manifest says {expected[table]}, "
                f"{where} holds {found[table]}"
            )
    return found


def _check_audit(snapshot: Snapshot, manifest: dict) -> int:
    report = snapshot.audit_report()
    if not report.intact:
        raise ArchiveProblem(f"audit chain broken at event {report.first_bad_id}: {report.reason}")
    expected = manifest.get("audit") or {}
    if report.checked != expected.get("events"):
        raise ArchiveProblem(
            f"the audit chain holds {report.checked} events, the manifest says "
            f"{expected.get('events')}"
        )
    if report.head_hash != expected.get("head_hash"):
        raise ArchiveProblem("the audit chain's last hash is not the one in the manifest")
    return report.checked


def _check_files(snapshot: Snapshot, manifest: dict) -> None:
    for key, reference in sorted(file_references(snapshot).items()):
        where = f"stored file {key} ({', '.join(reference.referenced_by)})"
        entry = manifest["files"].get(key)
        member = manifest["members"].get(entry["member"]) if entry else None
        if member is None:
            raise ArchiveProblem(f"{where} is missing from the archive")
        if reference.sha256 and member["sha256"] != reference.sha256:
            raise ArchiveProblem(f"{where} does not match the sha256 its record holds")
