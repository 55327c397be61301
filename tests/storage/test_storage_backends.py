"""Issue 21 point 1: the storage interface behaves the same on the local folder and S3."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.services.storage import (
    InvalidKey,
    StoredFileMissing,
    StoredFileTooLarge,
    current_storage,
    new_key,
)


def test_a_file_put_is_read_back_whole_and_listed(backend) -> None:
    storage = current_storage()
    content = b"evidence bytes " * 10_000  # several chunks
    key = new_key()
    written = storage.put(key, io.BytesIO(content))
    assert written.size_bytes == len(content)
    assert written.sha256 == hashlib.sha256(content).hexdigest()
    assert storage.exists(key)
    with storage.open(key) as handle:
        parts = []
        while chunk := handle.read(4096):
            parts.append(chunk)
    assert b"".join(parts) == content
    listed = {item.key: item for item in storage.iter_keys()}
    assert listed[key].size_bytes == len(content)
    age = datetime.now(UTC) - listed[key].last_modified
    assert timedelta(minutes=-5) < age < timedelta(minutes=5)


def test_a_namespaced_key_round_trips_and_is_listed_by_its_full_key(backend) -> None:
    storage = current_storage()
    key = new_key("exports")
    assert key.startswith("exports/")
    storage.put(key, io.BytesIO(b"a,b\n1,2\n"))
    assert key in {item.key for item in storage.iter_keys()}
    storage.delete(key)
    assert not storage.exists(key)


def test_delete_removes_the_file_and_may_be_repeated(backend) -> None:
    storage = current_storage()
    key = new_key()
    storage.put(key, io.BytesIO(b"x"))
    storage.delete(key)
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(StoredFileMissing):
        storage.open(key)
    assert key not in {item.key for item in storage.iter_keys()}


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(backend) -> None:
    storage = current_storage()
    key = new_key()
    with pytest.raises(StoredFileTooLarge):
        storage.put(key, io.BytesIO(b"y" * 200_000), max_bytes=100_000)
    assert not storage.exists(key)


@pytest.mark.parametrize("key", ["../etc/passwd", "AB" * 20, "../" + "a" * 40, "a" * 39, ""])
def test_only_generated_keys_are_accepted(backend, key: str) -> None:
    storage = current_storage()
    for call in (storage.exists, storage.open, storage.delete):
        with pytest.raises(InvalidKey):
            call(key)


def test_the_health_check_passes_on_a_working_store(backend) -> None:
    current_storage().check()
    assert current_storage().describe()
