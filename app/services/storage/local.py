"""Stored files in a local folder (the default: `UPLOAD_DIR`).

A key's file is `<folder>/<first two hex digits>/<key>` (namespaced keys one folder down),
written with O_EXCL (a collision or a planted file is an error, never an overwrite) and
mode 0640. See `store` for the interface.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from app.services.storage.store import (
    CHUNK,
    StorageError,
    StorageUnavailable,
    StoredFileMissing,
    StoredFileTooLarge,
    StoredObject,
    Written,
    key_from_location,
    key_location,
)


class LocalStorage:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def describe(self) -> str:
        return f"local folder {self.root}"

    def path(self, key: str) -> Path:
        """Where a key's file lives on disk (checks the key)."""
        return self.root / key_location(key)

    def put(self, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> Written:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:
            raise StorageError("a file is already stored under this key") from None
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise StoredFileTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            with suppress(FileNotFoundError):
                target.unlink()
            raise
        return Written(size, digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError):
            raise StoredFileMissing("no file is stored under this key") from None

    def delete(self, key: str) -> None:
        with suppress(FileNotFoundError):
            self.path(key).unlink()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def iter_keys(self) -> Iterator[StoredObject]:
        if not self.root.is_dir():
            return
        for folder, _dirs, files in os.walk(self.root):
            relative = Path(folder).relative_to(self.root).as_posix()
            for name in files:
                location = name if relative == "." else f"{relative}/{name}"
                key = key_from_location(location)
                if key is None:
                    continue
                try:
                    stat = (Path(folder) / name).stat()
                except FileNotFoundError:
                    continue  # deleted while we looked
                modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                yield StoredObject(key, stat.st_size, modified)

    def check(self) -> None:
        """The folder exists (or can be made) and this process may write in it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageUnavailable(
                f"the storage folder cannot be created ({error.strerror})"
            ) from None
        if not self.root.is_dir() or not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable("the storage folder is not a folder this service can write")
