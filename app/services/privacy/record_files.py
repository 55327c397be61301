"""The stored files a portable record refers to: each one's place in the archive, and
whether it is still in the storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from app.services.storage import InvalidKey, Storage, resolve


@dataclass(frozen=True)
class RecordFile:
    """A stored file to copy into the archive, and where it goes."""

    archive_path: str
    storage_key: str
    sha256: str | None
    size_bytes: int | None
    media_type: str | None
    original_filename: str | None
    storage: Storage = field(repr=False, compare=False, kw_only=True)

    def open(self) -> BinaryIO:
        return self.storage.open(self.storage_key)


def _safe_part(name: str | None) -> str:
    """A file name part for the archive (already made safe at upload; belt and braces)."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_. " else "_" for ch in (name or "file"))
    return cleaned.strip(". ") or "file"


class RecordFiles:
    """Collects the stored files the JSON mentions, giving each its archive path."""

    def __init__(self, upload_dir: Storage | str | Path | None = None) -> None:
        self.storage = resolve(upload_dir)
        self.found: list[RecordFile] = []

    def add(self, folder: str, storage_key: str | None, **meta: Any) -> dict | None:
        if not storage_key:
            return None
        try:
            present = self.storage.exists(storage_key)
        except InvalidKey:
            return None
        archive = f"files/{folder}/{_safe_part(meta.get('original_filename'))}"
        if present:
            self.found.append(RecordFile(archive, storage_key, **meta, storage=self.storage))
        return {**meta, "file": archive if present else None, "missing": not present}
