"""The stored files a portable record refers to: each one's place in the archive, and
whether it is still on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services.portfolio.attachments import stored_path


@dataclass(frozen=True)
class RecordFile:
    """A stored file to copy into the archive, and where it goes."""

    archive_path: str
    stored: Path
    sha256: str | None
    size_bytes: int | None
    media_type: str | None
    original_filename: str | None


def _safe_part(name: str | None) -> str:
    """A file name part for the archive (already made safe at upload; belt and braces)."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_. " else "_" for ch in (name or "file"))
    return cleaned.strip(". ") or "file"


class RecordFiles:
    """Collects the stored files the JSON mentions, giving each its archive path."""

    def __init__(self, upload_dir: str | Path) -> None:
        self.upload_dir = upload_dir
        self.found: list[RecordFile] = []

    def add(self, folder: str, storage_key: str | None, **meta: Any) -> dict | None:
        if not storage_key:
            return None
        try:
            path = stored_path(self.upload_dir, storage_key)
        except ValueError:
            return None
        archive = f"files/{folder}/{_safe_part(meta.get('original_filename'))}"
        present = path.is_file()
        if present:
            self.found.append(RecordFile(archive, path, **meta))
        return {**meta, "file": archive if present else None, "missing": not present}
