"""Single documents kept on a record (a Level 3 certificate, a pathway exemption letter),
stored through the same safe storage as evidence attachments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.services.errors import DomainError
from app.services.portfolio.attachments import (
    discard_on_rollback,
    remove_stored,
    safe_filename,
    store_file,
)


@dataclass(frozen=True)
class Upload:
    """A file as a form hands it over: a stream and the name the browser sent."""

    stream: BinaryIO
    filename: str


@dataclass(frozen=True)
class StoredDocument:
    storage_key: str
    sha256: str
    size_bytes: int
    media_type: str
    filename: str  # safe for a download's Content-Disposition


def store_document(
    upload: Upload, *, upload_dir: str | Path, max_bytes: int, field: str
) -> StoredDocument:
    """Store the file (type from its content, never its name); refusals name `field`."""
    try:
        stored = store_file(
            upload.stream, upload.filename, upload_dir=upload_dir, max_bytes=max_bytes
        )
    except DomainError as error:
        raise DomainError(error.message, field) from None
    discard_on_rollback(upload_dir, stored.storage_key)
    return StoredDocument(
        stored.storage_key,
        stored.sha256,
        stored.size_bytes,
        stored.media_type,
        safe_filename(upload.filename, stored.media_type),
    )


def discard(upload_dir: str | Path, storage_key: str | None) -> None:
    """Delete a file no row points at any more (after the commit, or after a rollback)."""
    if storage_key:
        remove_stored(upload_dir, storage_key)
