"""Stored files: the storage interface and its backends (see `store` for how to use
them), the transaction rules for files, the orphan sweep, sizes, each trainee's quota, and
single documents on a record."""

from app.services.storage.store import (
    InvalidKey,
    Storage,
    StorageConfigError,
    StorageError,
    StorageUnavailable,
    StoredFileMissing,
    StoredFileTooLarge,
    StoredObject,
    Written,
    current_storage,
    new_key,
    open_storage,
    resolve,
)
from app.services.storage.transactions import discard_on_rollback, remove_after_commit

__all__ = [
    "InvalidKey",
    "Storage",
    "StorageConfigError",
    "StorageError",
    "StorageUnavailable",
    "StoredFileMissing",
    "StoredFileTooLarge",
    "StoredObject",
    "Written",
    "current_storage",
    "discard_on_rollback",
    "new_key",
    "open_storage",
    "remove_after_commit",
    "resolve",
]
