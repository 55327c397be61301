"""Stored files and the database transaction they belong to.

A file is written before the row that points at it, and deleted only after the row that
pointed at it is gone for good:

- `discard_on_rollback(storage, key)`: the file was just written in this transaction;
  delete it again unless the transaction commits (a refusal, a fault, a full disk).
- `remove_after_commit(storage, key)`: this transaction drops the file's row; delete the
  file once (and only if) the transaction commits.

Either way a failed transaction leaves at most an orphan file (which `storage sweep`
removes), never a row whose file is gone. Both take the session's outermost transaction:
savepoints ending do not count.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.services.storage.store import Storage, StorageError, resolve

log = logging.getLogger(__name__)

_NEW_FILES = "pcpt.files_written"
_DROPPED_FILES = "pcpt.files_dropped"


def discard_on_rollback(storage: Storage | str | Path | None, key: str) -> None:
    """Delete `key` again unless the current transaction commits."""
    db.session.info.setdefault(_NEW_FILES, []).append((resolve(storage), key))


def remove_after_commit(storage: Storage | str | Path | None, key: str | None) -> None:
    """Delete `key` once the current transaction commits (never if it rolls back)."""
    if key:
        db.session.info.setdefault(_DROPPED_FILES, []).append((resolve(storage), key))


def delete_quietly(storage: Storage, key: str) -> None:
    """Delete, logging (not raising) a store that cannot be reached: the sweep retries."""
    try:
        storage.delete(key)
    except StorageError as error:
        log.warning("stored file not deleted (%s); storage sweep will remove it", error)


def _committed(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)
    for storage, key in session.info.pop(_DROPPED_FILES, []):
        delete_quietly(storage, key)


def _ended(session: Session, transaction) -> None:
    # The outermost transaction ended without a commit (rolled back, or the session closed).
    if transaction.parent is None:
        session.info.pop(_DROPPED_FILES, None)
        for storage, key in session.info.pop(_NEW_FILES, []):
            delete_quietly(storage, key)


event.listen(Session, "after_commit", _committed)
event.listen(Session, "after_transaction_end", _ended)
