"""Where stored files live: one interface, two backends (a local folder or an S3 bucket).

Every file the service keeps (evidence attachments, Level 3 certificates, exemption
letters, and whatever later features keep) goes through a `Storage`. Which one is chosen by
configuration, once per app:

- `STORAGE_URL` unset: the local folder `UPLOAD_DIR` (the default; `make run` needs nothing).
- `STORAGE_URL=file:///absolute/folder`: that local folder.
- `STORAGE_URL=s3://bucket/prefix`: an S3-compatible object store. The endpoint and the
  credentials come from the usual AWS variables (`AWS_ENDPOINT_URL_S3` or
  `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`).

A malformed `STORAGE_URL` stops `create_app` with a one-line reason; nothing falls back.

How to use it (inside an app context)::

    from app.services.storage import current_storage, new_key, remove_after_commit

    storage = current_storage()              # the app's configured backend
    key = new_key()                          # 40 random hex digits: an upload's key
    key = new_key("exports")                 # "exports/<40 hex>": a feature's own namespace
    written = storage.put(key, stream)       # -> Written(size_bytes, sha256); streams in
    with storage.open(key) as handle:        # file-like: handle.read(n) streams out
        ...                                  # StoredFileMissing when the key has no file
    storage.exists(key)                      # True / False
    storage.delete(key)                      # no error when it is already gone
    for item in storage.iter_keys():         # every stored file (any namespace):
        item.key, item.size_bytes, item.last_modified    # last_modified is aware UTC
    storage.check()                          # raises StorageUnavailable("words"): /readyz
    storage.describe()                       # "local folder /x" or "S3 bucket b, prefix p"

    # Somewhere else than the app's storage (a restore target, a test):
    from app.services.storage import open_storage
    other = open_storage("s3://bucket/prefix")   # or open_storage("", upload_dir=path)

Keys are chosen by `new_key` (random, never a person's file name) and checked by every
backend method (`InvalidKey` otherwise), so a key can never walk out of the storage.
`put` refuses a key that already has a file (local folder) and may be given `max_bytes`
(`StoredFileTooLarge`, nothing kept). Errors reaching the store raise `StorageUnavailable`
with words safe to show an operator (never a credential).

Transactions: write the file before the database commit, delete it only after. A file
written in a transaction that then fails is removed again by `discard_on_rollback(storage,
key)`; a file whose row a transaction drops is removed by `remove_after_commit(storage,
key)` once that transaction commits (see `transactions`). So a failed transaction leaves at
most an orphan file, never a record without its file; `flask storage sweep` removes
orphans older than a day (see `sweep`; a feature keeping its own keys registers their
column there with `register_key_column`).

Older callers pass a folder path where a storage is wanted (`upload_dir=...`):
`resolve(target)` turns the app's own `UPLOAD_DIR` into the app's storage and any other
folder into a local storage there; None means the app's storage.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import current_app, has_app_context

KEY = re.compile(r"(?:([a-z][a-z0-9-]{0,31})/)?([0-9a-f]{40})")
CHUNK = 64 * 1024
_EXTENSION = "pcpt.storage"


class StorageError(Exception):
    """Something about stored files went wrong; the message is safe to show an operator."""


class StorageUnavailable(StorageError):
    """The store cannot be reached or refuses us (down, wrong endpoint, no access)."""


class StorageConfigError(StorageError):
    """STORAGE_URL (or what goes with it) cannot be used."""


class StoredFileMissing(StorageError, FileNotFoundError):
    """No file is stored under the key."""


class StoredFileTooLarge(StorageError):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the file is larger than {max_bytes} bytes")
        self.max_bytes = max_bytes


class InvalidKey(StorageError, ValueError):
    """Not a key `new_key` could have made."""


@dataclass(frozen=True)
class Written:
    size_bytes: int
    sha256: str


@dataclass(frozen=True)
class StoredObject:
    key: str
    size_bytes: int
    last_modified: datetime  # timezone-aware, UTC


class Storage(Protocol):
    def put(self, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> Written: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def iter_keys(self) -> Iterator[StoredObject]: ...

    def check(self) -> None: ...

    def describe(self) -> str: ...


def new_key(namespace: str | None = None) -> str:
    """A fresh random key: 40 hex digits, or `namespace/<40 hex digits>`."""
    key = secrets.token_hex(20)
    return check_key(f"{namespace}/{key}") if namespace else key


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise InvalidKey("not a storage key")
    return key


def key_location(key: str) -> str:
    """The relative place of a key's file: `ab/ab12...` or `exports/ab/ab12...`.

    Both backends use it (a folder's sub-path, an object's name under the prefix), so a
    backup or a move between backends keeps the layout.
    """
    match = KEY.fullmatch(check_key(key))
    assert match is not None
    namespace, digits = match.groups()
    return f"{namespace}/{digits[:2]}/{digits}" if namespace else f"{digits[:2]}/{digits}"


def key_from_location(location: str) -> str | None:
    """The key stored at a relative place, or None for anything else found there."""
    parts = location.split("/")
    if len(parts) == 2 and parts[1][:2] == parts[0] and KEY.fullmatch(parts[1]):
        return parts[1]
    if len(parts) == 3 and parts[2][:2] == parts[1]:
        key = f"{parts[0]}/{parts[2]}"
        return key if KEY.fullmatch(key) else None
    return None


def open_storage(url: str | None, *, upload_dir: str | Path | None = None) -> Storage:
    """The storage a STORAGE_URL names; an empty URL means the local folder `upload_dir`."""
    from app.services.storage.local import LocalStorage

    url = (url or "").strip()
    if not url:
        if not upload_dir:
            raise StorageConfigError("STORAGE_URL is empty and there is no UPLOAD_DIR")
        return LocalStorage(upload_dir)
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc or not parts.path.startswith("/"):
            raise StorageConfigError("STORAGE_URL file:// must name an absolute folder")
        return LocalStorage(parts.path)
    if parts.scheme == "s3":
        from app.services.storage.s3 import S3Storage

        return S3Storage.from_url(parts)
    scheme = f"{parts.scheme}://" if parts.scheme else "no scheme"
    raise StorageConfigError(
        f"STORAGE_URL must look like s3://bucket/prefix or file:///folder ({scheme} given)"
    )


def storage_for_config(config) -> Storage:
    return open_storage(config.get("STORAGE_URL"), upload_dir=config.get("UPLOAD_DIR"))


def init_app(app) -> None:
    """Check STORAGE_URL as the app starts: a bad one stops it with the reason."""
    try:
        storage = storage_for_config(app.config)
    except StorageConfigError as error:
        raise SystemExit(str(error)) from None
    app.extensions[_EXTENSION] = (_config_key(app.config), storage)


def _config_key(config) -> tuple[str, str]:
    return (str(config.get("STORAGE_URL") or ""), str(config.get("UPLOAD_DIR") or ""))


def current_storage() -> Storage:
    """The app's storage (rebuilt if a test changed STORAGE_URL or UPLOAD_DIR since)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get(_EXTENSION)
    wanted = _config_key(app.config)
    if cached is None or cached[0] != wanted:
        cached = (wanted, storage_for_config(app.config))
        app.extensions[_EXTENSION] = cached
    return cached[1]


def resolve(target: Storage | str | Path | None = None) -> Storage:
    """A storage from what a caller passed: a storage, a folder path, or None (the app's)."""
    if target is None or target == "":
        return current_storage()
    if isinstance(target, str | Path):
        if has_app_context() and _same_folder(target, current_app.config.get("UPLOAD_DIR")):
            return current_storage()
        from app.services.storage.local import LocalStorage

        return LocalStorage(target)
    return target


def _same_folder(a: str | Path, b: str | Path | None) -> bool:
    return bool(b) and Path(a).resolve() == Path(b).resolve()  # type: ignore[arg-type]
